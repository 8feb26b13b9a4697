"""Reading an HSDS package: a folder of CSV files or a .zip of one, streamed row by row.

Reading keeps only one row at a time (and, per file, the set of ids seen so far), so a
package of any size can be read. What cannot be read is never guessed at: a package without
its required files or with an unreadable header raises :class:`PackageError` before anything
is written, and a bad row is left out and reported to the :class:`ImportReport` with its file,
line and reason.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

# The files this portal reads and writes, by table name. Anything else in a package is ignored.
TABLE_FILES: dict[str, str] = {
    "taxonomies": "taxonomies.csv",
    "taxonomy_terms": "taxonomy_terms.csv",
    "attributes": "attributes.csv",
    "organizations": "organizations.csv",
    "services": "services.csv",
    "locations": "locations.csv",
    "addresses": "addresses.csv",
    "accessibility": "accessibility.csv",
    "service_at_location": "service_at_location.csv",
    "phones": "phones.csv",
    "schedules": "schedules.csv",
    "languages": "languages.csv",
}
REQUIRED_TABLES = ("organizations", "services")

# Without these columns a file cannot be read at all (the rest are optional).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name"),
    "services": ("id", "name"),
    "taxonomy_terms": ("id", "name"),
    "attributes": ("id", "link_id"),
    "locations": ("id",),
    "addresses": ("id", "location_id"),
    "accessibility": ("id", "location_id"),
    "service_at_location": ("id", "service_id", "location_id"),
    "phones": ("id", "number"),
    "schedules": ("id",),
    "languages": ("id",),
    "taxonomies": ("id",),
}

# Python's default (128 KiB) is generous for a description yet still caps a runaway quote.
csv.field_size_limit(1024 * 1024)

_UNDECODABLE = re.compile("[\udc80-\udcff]")
MAX_REPORTED_PROBLEMS = 1000


class PackageError(Exception):
    """The package cannot be read at all; nothing was written."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, table by table, and every row it had to skip."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Rows imported with an optional link left out (e.g. a parent term not in the package).
    warnings: list[Problem] = field(default_factory=list)
    # Seconds spent per step, for the command's summary and the benchmark.
    seconds: dict[str, float] = field(default_factory=dict)

    def warn(self, file: str, line: int, reason: str) -> None:
        if len(self.warnings) < MAX_REPORTED_PROBLEMS:
            self.warnings.append(Problem(file, line, reason))

    def skip(self, file: str, line: int, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(Problem(file, line, reason))

    @property
    def ok(self) -> bool:
        return self.skipped == 0

    def table_counts(self) -> list[tuple[str, int, int, int]]:
        """(table, created, updated, unchanged) for every table the import read."""
        tables = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            (table, self.created[table], self.updated[table], self.unchanged[table])
            for table in tables
        ]

    def lines(self) -> list[str]:
        out = [
            f"{table}: {created} created, {updated} updated, {unchanged} unchanged"
            for table, created, updated, unchanged in self.table_counts()
        ]
        out.append(f"{self.skipped} row(s) skipped")
        out.extend(f"  {problem}" for problem in self.problems)
        if self.skipped > len(self.problems):
            out.append(f"  ... and {self.skipped - len(self.problems)} more")
        if self.warnings:
            out.append(f"{len(self.warnings)} row(s) imported without an optional link")
            out.extend(f"  {problem}" for problem in self.warnings)
        return out

    def timing_lines(self) -> list[str]:
        return [f"  {step}: {seconds:.1f} s" for step, seconds in self.seconds.items()]


class Row:
    """One CSV record: its values by (lower-case) column name and the line it starts on."""

    __slots__ = ("line", "values")

    def __init__(self, line: int, values: dict[str, str]) -> None:
        self.line = line
        self.values = values

    def get(self, column: str) -> str:
        """The stripped value, or "" when the column is absent or empty."""
        return (self.values.get(column) or "").strip()


class Package:
    """A readable HSDS package: a folder of CSVs or a .zip of one (at its root or in one folder).

    Use as a context manager. :meth:`rows` streams one table; a missing optional table yields
    nothing. Problems found while reading (short rows, bytes that are not UTF-8, ...) are
    reported to the :class:`ImportReport` given to :meth:`rows` and the row is left out.
    """

    def __init__(self, path: str | Path | IO[bytes]) -> None:
        self._zip: zipfile.ZipFile | None = None
        self._folder: Path | None = None
        self._members: dict[str, str] = {}
        if isinstance(path, str | Path) and Path(path).is_dir():
            self._folder = Path(path)
            for name in TABLE_FILES.values():
                if (self._folder / name).is_file():
                    self._members[name] = name
            return
        if isinstance(path, str | Path) and not Path(path).is_file():
            raise PackageError(f"{path}: no such file or folder")
        try:
            self._zip = zipfile.ZipFile(path)
            names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise PackageError(f"not a folder of CSV files nor a readable .zip ({error})") from None
        self._members = _find_members(names)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, table: str) -> bool:
        return TABLE_FILES[table] in self._members

    def _open_binary(self, table: str) -> IO[bytes]:
        member = self._members[TABLE_FILES[table]]
        if self._zip is not None:
            return self._zip.open(member)
        assert self._folder is not None  # noqa: S101 (one of the two is always set)
        return (self._folder / member).open("rb")

    def check(self) -> None:
        """Fail before anything is written when a required file or a header cannot be read."""
        for table in REQUIRED_TABLES:
            if not self.has(table):
                raise PackageError(f"{TABLE_FILES[table]} is missing: it is required")
        for table in TABLE_FILES:
            if self.has(table):
                with self._text(table) as stream:
                    self._header(table, csv.reader(stream))

    def _text(self, table: str) -> io.TextIOWrapper:
        # surrogateescape keeps undecodable bytes visible so that only their row is skipped.
        try:
            binary = self._open_binary(table)
        except (OSError, zipfile.BadZipFile, RuntimeError) as error:
            raise PackageError(f"{TABLE_FILES[table]}: cannot be opened ({error})") from None
        return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")

    def _header(self, table: str, reader: Iterator[list[str]]) -> list[str]:
        file = TABLE_FILES[table]
        try:
            header = next(reader)
        except StopIteration:
            raise PackageError(f"{file}: empty file, no header row") from None
        except (csv.Error, OSError, zipfile.BadZipFile) as error:
            raise PackageError(f"{file}: the header row cannot be read ({error})") from None
        columns = [name.strip().lower() for name in header]
        if any(_UNDECODABLE.search(name) for name in columns):
            raise PackageError(f"{file}: the header row is not valid UTF-8")
        missing = [name for name in REQUIRED_COLUMNS[table] if name not in columns]
        if missing:
            raise PackageError(f"{file}: the header has no {', '.join(missing)} column")
        if len(set(columns)) != len(columns):
            raise PackageError(f"{file}: the header names a column twice")
        return columns

    def rows(self, table: str, report: ImportReport) -> Iterator[Row]:
        """Stream the well-formed rows of a table; report and leave out the others.

        Every id is checked for duplicates within the file (a set of the file's ids is the only
        thing kept), so callers see each id once.
        """
        if not self.has(table):
            return
        file = TABLE_FILES[table]
        with self._text(table) as stream:
            reader = csv.DictReader(stream, restkey="\x00extra", restval=None)
            reader.fieldnames = self._header(table, reader.reader)
            seen_ids: set[str] = set()
            while True:
                line = reader.reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    report.skip(file, line, f"unreadable row ({error})")
                    continue
                except (OSError, zipfile.BadZipFile, EOFError) as error:
                    raise PackageError(
                        f"{file}: reading stopped at line {line} ({error})"
                    ) from None
                if "\x00extra" in record:
                    report.skip(file, line, "more cells than the header has columns")
                    continue
                if None in record.values():
                    report.skip(file, line, "fewer cells than the header has columns")
                    continue
                joined = "\x1f".join(record.values())
                if not joined.isascii() and _UNDECODABLE.search(joined):
                    report.skip(file, line, "bytes that are not UTF-8")
                    continue
                if "\x00" in joined:
                    report.skip(file, line, "a NUL byte in a cell")
                    continue
                row = Row(line, record)
                row_id = row.get("id")
                if not row_id:
                    report.skip(file, line, "empty required field: id")
                    continue
                if row_id in seen_ids:
                    report.skip(file, line, f"duplicated id {row_id} within the file")
                    continue
                seen_ids.add(row_id)
                yield row


def _find_members(names: list[str]) -> dict[str, str]:
    """Map each known file name to its member in a zip: at the root, else in one folder."""
    wanted = set(TABLE_FILES.values())
    found: dict[str, str] = {}
    for name in names:
        path = PurePosixPath(name)
        if path.name not in wanted or len(path.parts) > 2:
            continue
        # A file at the root wins over one in a folder.
        if path.name not in found or len(path.parts) == 1:
            found[path.name] = name
    return found
