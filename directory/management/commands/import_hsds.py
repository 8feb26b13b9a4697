"""python manage.py import_hsds PATH: import an Open Referral HSDS 3.0 tabular package."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.hsds import PackageError, package_import


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 tabular package (a folder of CSV files or a .zip of one). "
        "Rows are matched by HSDS id, so importing again updates instead of duplicating. "
        "Bad rows are skipped and listed; the command then exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder of CSV files or .zip package")

    def handle(self, *args, path: Path, **options) -> None:
        started = time.monotonic()
        try:
            report = package_import(path)
        except PackageError as error:
            raise CommandError(f"{path}: nothing imported: {error}") from None
        for line in report.lines():
            self.stdout.write(line)
        if options["verbosity"] >= 2:
            self.stdout.write("time per step:")
            for line in report.timing_lines():
                self.stdout.write(line)
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")
        if not report.ok:
            raise CommandError(
                f"{report.skipped} row(s) skipped; the other rows were imported (see above)"
            )
