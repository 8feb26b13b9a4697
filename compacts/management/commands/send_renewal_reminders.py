"""Remind city staff of the renewals that can be made today, or queue the daily run.

manage.py send_renewal_reminders              # now, in this process (e.g. from cron)
manage.py send_renewal_reminders --schedule   # queue the daily run on the task queue, once
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compacts.reminders import REMINDER_HOUR, schedule_daily_reminders, send_due_reminders


class Command(BaseCommand):
    help = (
        "Email approved city staff whose signature's renewal is due or overdue (once per due "
        "date), or with --schedule queue the daily run on the task queue."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=(
                f"Queue the daily run ({REMINDER_HOUR}:00, TIME_ZONE) for db_worker unless it "
                "is queued already; sends nothing now."
            ),
        )

    def handle(self, *args, schedule: bool, verbosity: int, **options) -> None:
        say = self.stdout.write if verbosity > 0 else lambda message: None
        if schedule:
            run_at, queued = schedule_daily_reminders()
            when = timezone.localtime(run_at).strftime("%Y-%m-%d %H:%M %Z")
            if queued:
                say(f"Queued the daily renewal reminders for {when}.")
            else:
                say(f"The daily renewal reminders are already queued for {when}.")
            return
        report = send_due_reminders()
        say(f"Sent {report.emails} renewal reminder email(s) for {report.signatures} signature(s).")
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} email(s) could not be sent: {', '.join(report.failed)}"
            )
