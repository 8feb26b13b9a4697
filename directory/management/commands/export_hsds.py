"""python manage.py export_hsds PATH: write the directory as an HSDS 3.0 tabular package."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from directory.hsds import package_export


class Command(BaseCommand):
    help = (
        "Write the directory as an HSDS 3.0 tabular package: a folder of CSV files, or a .zip "
        "when PATH ends in .zip. The package is for public use unless --include-confidential "
        "is given: confidential locations are written without address or map position. Text "
        "that a spreadsheet would run as a formula gets an apostrophe first unless --raw is "
        "given; importing the package here takes it off again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder to write, or a file ending in .zip")
        parser.add_argument(
            "--include-confidential",
            action="store_true",
            help="also write the addresses of confidential locations (an admin's full backup; "
            "never publish such a package)",
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help="write every cell as stored, even one a spreadsheet would run as a formula "
            "(=, +, -, @, tab, carriage return first): for another system to read, never to "
            "open in a spreadsheet",
        )

    def handle(self, *args, path: Path, include_confidential: bool, raw: bool, **options) -> None:
        counts = package_export(path, include_confidential=include_confidential, raw=raw)
        for table, count in sorted(counts.items()):
            self.stdout.write(f"{table}: {count} row(s)")
        note = (
            "full backup, confidential addresses included"
            if include_confidential
            else ("for public use, confidential addresses left out")
        )
        cells = "cells as stored" if raw else "formulas escaped for spreadsheets"
        self.stdout.write(f"written to {path} ({note}; {cells})")
