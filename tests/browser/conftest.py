"""Browser tests: Debian's Chromium driven by Playwright, with axe-core for accessibility.

They skip, saying why, where no Chromium is installed, so `make test` still passes on a
laptop without one; in CI (CI=true), which installs it, they fail instead.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.environment import import_or_missing, missing

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        missing(f"No Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    sync_api = import_or_missing("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    axe_module = import_or_missing("axe_playwright_python.sync_playwright")
    return axe_module.Axe()


def axe_violations(axe, page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page, one line each. Only violations are
    asked for in full (``resultTypes``): the passes and the rest are what took most of axe's
    time on large pages."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return [
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in axe.run(page, options=options).response["violations"]
    ]


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core with the WCAG 2.2 AA tags and fail listing every violation."""

    def check(page, label: str = "") -> None:
        violations = axe_violations(axe, page)
        detail = "\n".join(violations)
        assert violations == [], f"axe-core violations on {label or page.url}:\n{detail}"

    return check
