"""HSDS imports as background jobs: the task, its progress seen while the import's own
transaction is still open, and what a job keeps when it fails."""

import io
import zipfile

import pytest
from django.db import connections, transaction

from directory import imports, models
from tests.directory.conftest import postgres_only
from tests.factories import AdminFactory

from .fixtures.hsds_package import GOOD_PACKAGE
from .importing import IMPORT_DATABASES, run_import_worker


def _package(files: dict[str, str] = GOOD_PACKAGE) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    buffer.seek(0)
    buffer.name = "city.zip"
    buffer.size = len(buffer.getvalue())
    return buffer


@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_a_queued_import_runs_in_the_worker_and_keeps_its_report():
    job = imports.queue_import(_package(), AdminFactory())
    assert models.ImportJob.objects.get().status == models.ImportStatus.QUEUED

    run_import_worker()

    job.refresh_from_db()
    assert job.status == models.ImportStatus.FINISHED
    assert job.report["skipped"] == 0
    assert ["services", 4, 0, 0] in job.report["tables"]
    assert job.finished_at is not None
    assert bytes(job.package) == b""
    assert models.Service.objects.count() == 4


@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_an_import_already_taken_is_not_run_twice():
    job = imports.queue_import(_package(), None)
    models.ImportJob.objects.filter(pk=job.pk).update(status=models.ImportStatus.RUNNING)

    imports.run_import.call(job.pk)

    assert not models.Service.objects.exists()
    assert models.ImportJob.objects.get().status == models.ImportStatus.RUNNING


@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_an_unexpected_error_fails_the_job_with_its_reason(monkeypatch, caplog):
    def broken(package, progress):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "package_import", broken)
    job = imports.queue_import(_package(), None)

    imports.run_import.call(job.pk)

    job.refresh_from_db()
    assert job.status == models.ImportStatus.FAILED
    assert job.error == "RuntimeError: disk full"
    assert f"HSDS import {job.pk} failed" in caplog.text


@postgres_only
@pytest.mark.django_db(transaction=True, databases=IMPORT_DATABASES)
def test_progress_is_seen_while_the_import_transaction_is_still_open():
    """What the import writes stays unseen until it commits; its progress does not."""
    job = imports.queue_import(_package(), None)
    outside = connections.create_connection("default")  # another visitor's connection
    try:
        with transaction.atomic():
            models.Organization.objects.create(name="Not yet", slug="not-yet")
            progress = imports.JobProgress(job.pk)
            progress.step("services", 6, 17)
            progress.rows("services", 4000)
            with outside.cursor() as cursor:
                cursor.execute(
                    "SELECT step, step_number, steps, rows_read::text FROM directory_importjob "
                    "WHERE id = %s",
                    [job.pk],
                )
                seen = cursor.fetchone()
                cursor.execute("SELECT count(*) FROM directory_organization")
                organizations = cursor.fetchone()[0]
    finally:
        outside.close()
    assert seen == ("services", 6, 17, '{"services": 4000}')
    assert organizations == 0  # the positive control: the import's own writes stay unseen


@postgres_only
@pytest.mark.django_db(transaction=True, databases=IMPORT_DATABASES)
def test_the_worker_leaves_the_last_step_on_the_job():
    job = imports.queue_import(_package(), None)

    run_import_worker()

    job.refresh_from_db()
    assert job.status == models.ImportStatus.FINISHED
    assert job.step == "search vectors"
    assert job.step_number == job.steps > 10


@postgres_only
@pytest.mark.django_db
def test_postgres_keeps_an_uploaded_zip_as_it_is_without_compressing_it_again():
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'directory_importjob'::regclass AND attname = 'package'"
        )
        assert cursor.fetchone() == ("e",)  # EXTERNAL: out of line, uncompressed
