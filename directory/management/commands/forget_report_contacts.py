"""Delete the sender's name and email of every report closed more than 90 days ago.

manage.py forget_report_contacts              # now, in this process (e.g. from cron)
manage.py forget_report_contacts --schedule   # queue the daily run on the task queue, once
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from directory.report_contacts import FORGET_HOUR, schedule_daily_forgetting
from directory.services import suggestions_forget_contacts


class Command(BaseCommand):
    help = (
        "Delete the name and email of the sender of every report closed more than 90 days "
        "ago, or with --schedule queue the daily run on the task queue."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help=f"Queue the daily run ({FORGET_HOUR}:00, TIME_ZONE) unless it is queued already.",
        )

    def handle(self, *args, schedule: bool, verbosity: int, **options) -> None:
        say = self.stdout.write if verbosity > 0 else lambda message: None
        if schedule:
            run_at, queued = schedule_daily_forgetting()
            when = timezone.localtime(run_at).strftime("%Y-%m-%d %H:%M %Z")
            say(f"{'Queued' if queued else 'Already queued'}: forgetting report contacts {when}.")
            return
        say(f"Forgot the sender's name and email of {suggestions_forget_contacts()} report(s).")
