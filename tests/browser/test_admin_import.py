"""An admin uploads an HSDS package, watches its import's page follow the import without
reloading it, and reads the report (issue 14). The upload request itself returns at once:
the import runs afterwards, on the task queue's worker, here a thread of the test process.
"""

import re
import threading
import time
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from directory import models
from tests.directory.fixtures.hsds_package import GOOD_PACKAGE
from tests.directory.importing import IMPORT_DATABASES
from tests.factories import DEFAULT_PASSWORD, AdminFactory, current_totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=IMPORT_DATABASES),
]

UPLOAD_URL_NAME = "admin:directory_organization_import_hsds"
EXTRA_SERVICES = 600  # so that the import takes a moment, not an instant
UPLOAD_LIMIT_MS = 2_000
FOLLOW_TIMEOUT_MS = 30_000
TOTP_MARGIN = 8  # seconds a code needs left in its window to be typed
WAITING = "Waiting for the worker to start the import."

# Every text the import's state takes, kept by the page itself: it survives only if the page
# is never reloaded.
RECORD_STATES = """
window.__importStates = [];
const state = document.getElementById("import-state");
const record = () => {
  const text = state.querySelector("p").textContent.trim().replace(/\\s+/g, " ");
  if (window.__importStates.at(-1) !== text) window.__importStates.push(text);
};
record();
new MutationObserver(record).observe(state, { childList: true, subtree: true });
window.__sameDocument = "not reloaded";
"""


def _package(folder: Path, files: dict[str, str], name: str = "package.zip") -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, content in files.items():
            archive.writestr(file_name, content)
    return path


def _sign_in(page) -> None:
    """Through allauth, with the second factor the admin requires. A code is good for its
    30 s window only: one typed near the window's end can reach a busy server in the next,
    so the code waits for a fresh window then, and is typed again if refused all the same."""
    admin = AdminFactory()
    page.goto("/admin/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    for _attempt in range(2):
        left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
        if left < TOTP_MARGIN:
            time.sleep(left + 0.5)
        page.get_by_label("Code").fill(current_totp_code(admin.totp_secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign In").click()
        if "/2fa/" not in page.url:
            break
    if not re.search(r"/admin/$", page.url):
        pytest.fail(f"Signing in stopped at {page.url}:\n{page.inner_text('body')[:1500]}")


def _upload(page, package: Path) -> float:
    """Choose the package on the upload page and submit it; returns how long the upload
    request took, as the browser measured it (ms from the navigation's start to the end of
    the POST's redirect response)."""
    page.get_by_label("HSDS package").set_input_files(package)
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    page.wait_for_load_state("load")
    timing = page.evaluate(
        """() => {
            const entry = performance.getEntriesByType("navigation")[0];
            return { redirectEnd: entry.redirectEnd, redirectCount: entry.redirectCount };
        }"""
    )
    # The POST answered with a redirect to the import's page: its end is redirectEnd.
    assert timing["redirectCount"] == 1, timing
    assert timing["redirectEnd"] > 0, timing
    return timing["redirectEnd"]


class _Worker:
    """``manage.py db_worker --batch`` in a thread of the test process: it runs the queued
    tasks, then ends. The test is transactional, so the thread's own connection sees the
    job the upload committed. The worker sets signal handlers, which only the main thread
    may do: here it does not."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="db_worker", daemon=True)
        self.patch = mock.patch(
            "django_tasks_db.management.commands.db_worker.Worker.configure_signals"
        )

    def _run(self) -> None:
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        except BaseException as error:  # reported by the test's thread
            self.error = error
        finally:
            connections.close_all()

    def __enter__(self) -> "_Worker":
        self.patch.start()
        self.thread.start()
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.thread.join(timeout=FOLLOW_TIMEOUT_MS / 1000)
        self.patch.stop()
        if exc_type is not None:
            return  # the test's own failure says more; the worker's error is in its log
        assert not self.thread.is_alive(), "the worker did not end"
        assert self.error is None, repr(self.error)


def test_an_admin_uploads_a_package_and_watches_its_import(page, tmp_path, assert_accessible):
    expect = pytest.importorskip("playwright.sync_api").expect
    files = dict(GOOD_PACKAGE)
    files["services.csv"] += "".join(
        f"s-x{n},o-{n % 4 + 1},Extra Service {n},Help number {n},active,,,,,\n"
        for n in range(EXTRA_SERVICES)
    )
    package = _package(tmp_path, files)
    _sign_in(page)

    page.goto(reverse(UPLOAD_URL_NAME))
    assert_accessible(page, "the upload page")
    upload_ms = _upload(page, package)

    job = models.ImportJob.objects.get()
    assert page.url.endswith(
        reverse("admin:directory_organization_import_job", kwargs={"job_id": job.pk})
    )
    assert upload_ms < UPLOAD_LIMIT_MS, f"the upload took {upload_ms:.0f} ms"
    state = page.locator("#import-state")
    expect(page.get_by_text("package.zip is uploaded; its import has started.")).to_be_visible()
    expect(state).to_contain_text(WAITING)
    expect(state).to_have_attribute("data-done", "no")
    assert job.status == models.ImportStatus.QUEUED
    assert not models.Service.objects.exists()
    page.evaluate(RECORD_STATES)

    with _Worker():
        expect(state).to_have_attribute("data-done", "yes", timeout=FOLLOW_TIMEOUT_MS)
    expect(state).to_contain_text("Every row was imported.")
    report = state.get_by_role("table", name="Rows per file")
    expect(report).to_be_visible()
    services = report.locator("tr", has=page.locator("th", has_text=re.compile(r"^services$")))
    expect(services.locator("td")).to_have_text([str(4 + EXTRA_SERVICES), "0", "0"])
    # The page's own polling got there: the document is the one loaded before the worker.
    assert page.evaluate("window.__sameDocument") == "not reloaded"
    states = page.evaluate("window.__importStates")
    assert states[0].startswith(WAITING), states
    assert states[-1] == "Every row was imported.", states
    assert_accessible(page, "the finished import's page")

    job.refresh_from_db()
    assert job.status == models.ImportStatus.FINISHED
    assert models.Service.objects.count() == 4 + EXTRA_SERVICES
    assert models.Service.objects.filter(name="Extra Service 599").exists()


def test_a_skipped_row_is_shown_with_its_file_line_and_reason(page, tmp_path):
    expect = pytest.importorskip("playwright.sync_api").expect
    files = dict(GOOD_PACKAGE)
    files["services.csv"] += "s-9,o-404,Ghost Service,,active,,,,,\n"  # no organization o-404
    _sign_in(page)
    page.goto(reverse(UPLOAD_URL_NAME))
    upload_ms = _upload(page, _package(tmp_path, files, "ghost.zip"))
    assert upload_ms < UPLOAD_LIMIT_MS, f"the upload took {upload_ms:.0f} ms"
    state = page.locator("#import-state")
    expect(state).to_contain_text(WAITING)

    with _Worker():
        expect(state).to_have_attribute("data-done", "yes", timeout=FOLLOW_TIMEOUT_MS)
    expect(state).to_contain_text("1 row was skipped; the other rows were imported.")
    skipped = state.get_by_role("table", name="Skipped rows")
    expect(skipped.locator("tbody tr")).to_have_count(1)
    expect(skipped.locator("tbody tr td")).to_have_text(
        ["services.csv", "6", re.compile(r"dangling reference: organization_id o-404")]
    )
    assert models.Service.objects.count() == 4
    assert not models.Service.objects.filter(name="Ghost Service").exists()
    assert models.ImportJob.objects.get().skipped == 1
