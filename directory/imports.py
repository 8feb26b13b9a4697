"""HSDS imports in the background: an admin uploads a package, the task queue imports it.

``queue_import`` keeps the upload in an ``ImportJob`` row and queues ``run_import`` on the task
queue (django-tasks with its database backend, so the job survives a restart and any app
server's worker can take it); ``manage.py db_worker`` runs it. While it runs, the job row says
which step it is on and how many rows of each table it has read; at the end it holds the
report, or why nothing was imported.

The import is one transaction on the default connection, and what it writes there is seen by
nobody until it commits: the progress is written on the "progress" connection (settings), in
transactions of its own (Postgres). SQLite lets one connection write at a time, so there the
page shows the progress only when the import ends.
"""

import io
import logging

from django.db import connections, transaction
from django.utils import timezone
from django_tasks import task

from .hsds import PackageError, package_import
from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)
PROGRESS_DATABASE = "progress"


def queue_import(upload, user) -> ImportJob:
    """Keep the uploaded package and queue its import; returns the job at once."""
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user, file_name=upload.name[:250], size=upload.size, package=upload.read()
        )
        run_import.enqueue(job.pk)
    return job


@task()
def run_import(job_id: int) -> None:
    """The task: import the job's package and keep the report (or the reason it failed)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return  # taken already (a job is queued once; this guards a second delivery)
    _update(job_id, status=ImportStatus.RUNNING, started_at=timezone.now())
    fields: dict = {"package": b""}
    try:
        report = package_import(io.BytesIO(bytes(job.package)), progress=JobProgress(job_id))
    except PackageError as error:
        fields |= {"status": ImportStatus.FAILED, "error": str(error)}
    except Exception as error:
        # Anything else (a bug, the database gone): nothing was kept, the import being one
        # transaction. Say so on the job, and log it for whoever runs the site.
        logger.exception("HSDS import %s failed", job_id)
        fields |= {"status": ImportStatus.FAILED, "error": f"{type(error).__name__}: {error}"}
    else:
        fields |= {
            "status": ImportStatus.FINISHED,
            "report": report.as_data(),
            "skipped": report.skipped,
        }
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(finished_at=now, heard_from_at=now, **fields)


class JobProgress:
    """``directory.hsds.Progress`` for a job: each step and the rows read, on the job row."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.rows_read: dict[str, int] = {}

    def step(self, name: str, number: int, steps: int) -> None:
        _update(self.job_id, step=name, step_number=number, steps=steps)

    def rows(self, table: str, count: int) -> None:
        self.rows_read[table] = count
        _update(self.job_id, rows_read=dict(self.rows_read))


def _update(job_id: int, **fields) -> None:
    """Write progress fields of a job where others can see them at once: on the progress
    connection, or without one (SQLite) on the default connection when no import holds it."""
    if PROGRESS_DATABASE in connections.settings:
        database = PROGRESS_DATABASE
    elif connections["default"].in_atomic_block:
        return  # the import's transaction would keep it unseen: said when it ends
    else:
        database = "default"
    ImportJob.objects.using(database).filter(pk=job_id).update(
        **{"heard_from_at": timezone.now(), **fields}
    )
