"""Uploading an HSDS package in the admin and running its background import, for tests."""

from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

UPLOAD_URL_NAME = "admin:directory_organization_import_hsds"
# The import's worker writes its progress on a connection of its own on Postgres (settings
# "progress"): a test that runs it must allow that database too.
IMPORT_DATABASES = ["default", *(["progress"] if "progress" in settings.DATABASES else [])]


def run_import_worker() -> None:
    """Run every queued task, as `manage.py db_worker` does, then return. The worker closes
    connections it thinks are stale as it wakes; here that would close the test's own
    transaction (Django's test client keeps requests from closing it the same way)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def upload_package(client, upload) -> str:
    """Post a package to the upload page; when it is accepted, run its import and return
    the import's page, else the form's page with its errors."""
    response = client.post(reverse(UPLOAD_URL_NAME), {"package": upload})
    if response.status_code == 302:
        run_import_worker()
        response = client.get(response["Location"])
    assert response.status_code == 200
    return response.content.decode()
