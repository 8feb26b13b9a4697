"""What a test needs from the machine: skipped on a laptop without it, a failure in CI.

CI (CI=true) runs .ci/run, which installs Chromium, nginx and gettext and starts Postgres and
Redis; a test there that cannot find one of them is a broken CI, not a test to skip."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def missing(reason: str) -> None:
    """Skip on a laptop; fail in CI, where .ci/run provides everything the tests need."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, and .ci/run should have provided it)")
    pytest.skip(reason)


def import_or_missing(module: str):
    """The module, or ``missing`` when it cannot be imported."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as error:
        missing(f"{module} cannot be imported ({error})")
