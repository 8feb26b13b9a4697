"""Email each stale listing's provider the verification request it is due today (the first of
a round, or a reminder 14 or 28 days later).

manage.py send_verification_requests              # now, in this process (e.g. from cron)
manage.py send_verification_requests --schedule   # queue the daily run on the task queue, once
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from directory.verification import (
    SEND_HOUR,
    schedule_daily_requests,
    verification_requests_send,
)


class Command(BaseCommand):
    help = (
        "Email each listing not verified for a year a link to check it (and reminders after "
        "14 and 28 days), or with --schedule queue the daily run on the task queue."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=f"Queue the daily run ({SEND_HOUR}:00, TIME_ZONE) unless it is queued already.",
        )

    def handle(self, *args, schedule: bool, verbosity: int, **options) -> None:
        say = self.stdout.write if verbosity > 0 else lambda message: None
        if schedule:
            run_at, queued = schedule_daily_requests()
            when = timezone.localtime(run_at).strftime("%Y-%m-%d %H:%M %Z")
            say(f"{'Queued' if queued else 'Already queued'}: verification requests {when}.")
            return
        report = verification_requests_send()
        say(f"Sent {report.sent} verification request(s).")
        if report.failed:
            raise CommandError(f"{report.failed} listing(s) could not be emailed; see the log.")
