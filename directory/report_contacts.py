"""Forgetting who sent a report: 90 days after a resident's suggestion or problem report is
closed (fixed or declined), its sender's name and email are deleted. A daily task on the task
queue does it (``manage.py forget_report_contacts --schedule`` queues it once; without a
worker, run ``manage.py forget_report_contacts`` from cron)."""

from django_tasks import task

from compassion_portal import daily

from .services import suggestions_forget_contacts

FORGET_HOUR = 3  # o'clock in settings.TIME_ZONE


def schedule_daily_forgetting():
    return daily.schedule(forget_report_contacts, FORGET_HOUR)


@task()
def forget_report_contacts() -> int:
    """The daily task: queue tomorrow's run first, then forget; returns how many reports."""
    schedule_daily_forgetting()
    return suggestions_forget_contacts()
