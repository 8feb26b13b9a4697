"""python manage.py export_hsds PATH: write the directory as an HSDS 3.0 tabular package."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from directory.hsds import package_export


class Command(BaseCommand):
    help = (
        "Write the directory as an HSDS 3.0 tabular package: a folder of CSV files, or a .zip "
        "when PATH ends in .zip. The package is for public use unless --include-confidential "
        "is given: confidential locations are written without address or map position."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder to write, or a file ending in .zip")
        parser.add_argument(
            "--include-confidential",
            action="store_true",
            help="also write the addresses of confidential locations (an admin's full backup; "
            "never publish such a package)",
        )

    def handle(self, *args, path: Path, include_confidential: bool, **options) -> None:
        counts = package_export(path, include_confidential=include_confidential)
        for table, count in sorted(counts.items()):
            self.stdout.write(f"{table}: {count} row(s)")
        note = (
            "full backup, confidential addresses included"
            if include_confidential
            else ("for public use, confidential addresses left out")
        )
        self.stdout.write(f"written to {path} ({note})")
