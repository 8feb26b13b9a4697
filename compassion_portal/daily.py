"""Tasks that run once a day on the task queue (django-tasks), which has no cron of its own.

A daily task calls ``schedule(itself)`` first thing: that queues its next run for the next
``hour`` o'clock in ``settings.TIME_ZONE`` unless a run is queued already, so exactly one chain
exists however often it is called (each task's management command has ``--schedule``, which
``make run`` and ``make serve`` call before starting the worker). Queueing first means a run
that fails does not end the chain.
"""

import datetime
import hashlib
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def next_run_at(now: datetime.datetime, hour: int) -> datetime.datetime:
    """The first ``hour`` o'clock (settings.TIME_ZONE) after ``now``."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local_now = now.astimezone(zone)
    run_at = datetime.datetime.combine(local_now.date(), datetime.time(hour), zone)
    if run_at <= local_now:
        run_at = datetime.datetime.combine(
            local_now.date() + datetime.timedelta(days=1), datetime.time(hour), zone
        )
    return run_at


def queued_runs(task):
    """The runs of ``task`` waiting in the queue (not yet started)."""
    return DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)


def _lock_key(task) -> int:
    """A Postgres advisory lock number of this task's own (64-bit, from its path)."""
    digest = hashlib.sha256(task.module_path.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _one_scheduler_at_a_time(task) -> Iterator[None]:
    """Two callers (two workers ending a run, a deploy calling --schedule) must not both find
    no run queued and both queue one: on Postgres a transaction-wide advisory lock, on SQLite
    an exclusive transaction, makes the look and the write one step."""
    with exclusive_transaction():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(task)])
        yield


def schedule(
    task, hour: int, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, bool]:
    """Queue ``task``'s next daily run unless one is queued already; returns when the queued
    run will start and whether this call queued it."""
    with _one_scheduler_at_a_time(task):
        queued = queued_runs(task).order_by("run_after").first()
        if queued is not None:
            return queued.run_after, False
        run_at = next_run_at(now or timezone.now(), hour)
        task.using(run_after=run_at).enqueue()
        return run_at, True
