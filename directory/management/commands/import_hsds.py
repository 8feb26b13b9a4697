"""python manage.py import_hsds PATH: import an Open Referral HSDS 3.0 tabular package.

While it runs, the command shows how far the import has got: on a terminal one line redrawn
in place (:class:`TerminalProgress`), otherwise plain lines fit for a log (:class:`LogProgress`).
"""

import time
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from directory.hsds import PackageError, package_import

WIDTH = 79  # the longest line drawn on a terminal


class TerminalProgress:
    """One line redrawn in place with a carriage return, e.g.
    ``[#####-----------]  5/17 services: 40,000 rows``.

    A step's start is always drawn (there are about 17), so a long step that reads no rows
    (the search vectors) never shows the step before it; rows are drawn at most every
    ``interval`` seconds, so a fast import does not spend its time drawing.
    """

    BAR = 16

    def __init__(
        self,
        out: OutputWrapper,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
    ) -> None:
        self.out, self.clock, self.interval = out, clock, interval
        self.name, self.number, self.steps, self.count = "", 0, 0, 0
        self.drawn_at: float | None = None
        self.drawn_width = 0

    def step(self, name: str, number: int, steps: int) -> None:
        self.name, self.number, self.steps, self.count = name, number, steps, 0
        self.draw(self.line(number - 1))

    def rows(self, table: str, count: int) -> None:
        self.count = count
        if self.drawn_at is None or self.clock() - self.drawn_at >= self.interval:
            self.draw(self.line(self.number - 1))

    def finish(self, completed: bool) -> None:
        """End the line (showing every step done if the import got through them all)."""
        if self.drawn_at is None:
            return
        if completed:
            self.name, self.count = "done", 0
            self.draw(self.line(self.steps))
        self.out.write("\n", ending="")
        self.out.flush()

    def line(self, done: int) -> str:
        filled = round(self.BAR * done / self.steps) if self.steps else 0
        if done < self.steps:
            filled = min(filled, self.BAR - 1)  # full only once every step is done
        bar = "#" * filled + "-" * (self.BAR - filled)
        number = str(self.number if done < self.steps else self.steps).rjust(len(str(self.steps)))
        text = f"[{bar}] {number}/{self.steps} {self.name}"
        if self.count:
            text += f": {self.count:,} rows"
        return text[:WIDTH]

    def draw(self, text: str) -> None:
        # Spaces, not an escape code, rub out what is left of a longer line drawn before.
        self.out.write("\r" + text.ljust(self.drawn_width), ending="")
        self.out.flush()
        self.drawn_width = len(text)
        self.drawn_at = self.clock()


class LogProgress:
    """Plain lines: one per step as it starts (``step 5/17: services``), and the rows read in
    a table at most every ``interval`` seconds (``  services: 40,000 rows``)."""

    def __init__(
        self,
        out: OutputWrapper,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 5.0,
    ) -> None:
        self.out, self.clock, self.interval = out, clock, interval
        self.written_at = clock()

    def step(self, name: str, number: int, steps: int) -> None:
        self.write(f"step {number}/{steps}: {name}")

    def rows(self, table: str, count: int) -> None:
        if self.clock() - self.written_at >= self.interval:
            self.write(f"  {table}: {count:,} rows")

    def write(self, line: str) -> None:
        self.out.write(line)
        self.out.flush()  # a pipe is block-buffered: a log should see each line as it comes
        self.written_at = self.clock()

    def finish(self, completed: bool) -> None:
        pass


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 tabular package (a folder of CSV files or a .zip of one). "
        "Rows are matched by HSDS id, so importing again updates instead of duplicating. "
        "Bad rows are skipped and listed; the command then exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder of CSV files or .zip package")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="show no progress while importing (a bar on a terminal, else a line per step)",
        )

    def handle(self, *args, path: Path, **options) -> None:
        started = time.monotonic()
        progress = self.progress(options)
        completed = False
        try:
            report = package_import(path, progress=progress)
            completed = True
        except PackageError as error:
            raise CommandError(f"{path}: nothing imported: {error}") from None
        finally:
            if progress is not None:
                progress.finish(completed)
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

    def progress(self, options: dict) -> TerminalProgress | LogProgress | None:
        if options["no_progress"] or options["verbosity"] == 0:
            return None
        if self.stdout.isatty():
            return TerminalProgress(self.stdout)
        return LogProgress(self.stdout)
