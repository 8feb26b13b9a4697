from django.core.management.base import BaseCommand
from django.db import transaction

from compacts import demo as compacts_demo
from curriculum import demo as curriculum_demo
from directory import demo as directory_demo


class Command(BaseCommand):
    help = "Load the fictional demo content for every app. Safe to run again: it changes nothing."

    def handle(self, *args, **options) -> None:
        # Order matters: the directory links organisations to demo cities, and the
        # curriculum's team progress reads city staff.
        for label, module in (
            ("compacts", compacts_demo),
            ("directory", directory_demo),
            ("curriculum", curriculum_demo),
        ):
            with transaction.atomic():
                summary = module.load()
            self.stdout.write(f"{label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
