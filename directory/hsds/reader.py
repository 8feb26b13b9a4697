"""Reading an HSDS package: a folder of CSV files or a .zip of one, streamed row by row.

Reading keeps only one row at a time (and, per file, the set of ids seen so far), so a
package of any size can be read. What cannot be read is never guessed at: a package without
its required files or with an unreadable header raises :class:`PackageError` before anything
is written, and a bad row is left out and reported to the :class:`ImportReport` with its file,
line and reason.

Every file is read through caps (settings ``HSDS_MAX_*``), checked before the bytes they
count are held: a file's lines are split here, never longer than what is left of the row cap,
and only then given to the csv module, whose own limit caps a cell. A file past its cap, or
all of them past theirs, once unzipped, and damaged compressed data, are a
:class:`PackageError`; a row or cell past its cap and any other CSV structure error (a quote
never closed, text after a closing quote) end that file at that row with a reported problem,
because after one the reader cannot know whether it stands inside a quoted cell.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import lzma
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings

# The files of HSDS 3.0's tables, which this portal reads and writes, by table name. Anything
# else in a package is ignored.
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
    # Tables the portal keeps as given (HsdsRecord) and writes back.
    "contacts": "contacts.csv",
    "programs": "programs.csv",
    "funding": "funding.csv",
    "cost_options": "cost_options.csv",
    "service_areas": "service_areas.csv",
    "required_documents": "required_documents.csv",
    "organization_identifiers": "organization_identifiers.csv",
    "meta_table_descriptions": "meta_table_descriptions.csv",
    "metadata": "metadata.csv",
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
    **dict.fromkeys(
        (
            "contacts",
            "programs",
            "funding",
            "cost_options",
            "service_areas",
            "required_documents",
            "organization_identifiers",
            "meta_table_descriptions",
            "metadata",
        ),
        ("id",),
    ),
}

# A package's description of itself, read for one thing: whether the export escaped formulas.
DATAPACKAGE_FILE = "datapackage.json"
_MAX_DATAPACKAGE_BYTES = 1024 * 1024

_UNDECODABLE = re.compile("[\udc80-\udcff]")
MAX_REPORTED_PROBLEMS = 1000
# A reason quotes at most this much of a cell, so that 1,000 problems stay small.
MAX_REASON_CHARS = 300

# A line ends at \n, \r\n or a lone \r, as in Python's universal newlines.
_LINE_END = re.compile(rb"\r\n?|\n")
_CHUNK_BYTES = 64 * 1024
# A zip's end records (zipfile.py: sizeEndCentDir, sizeEndCentDir64Locator, sizeEndCentDir64).
_END_RECORD_BYTES = 22
_ZIP64_LOCATOR_BYTES = 20
_ZIP64_RECORD_BYTES = 56
MAX_ZIP_ENTRIES = 10_000
_BOM = b"\xef\xbb\xbf"
# What reading a member of a damaged zip can raise (zlib, bz2 and lzma data, headers, CRCs).
_UNZIP_ERRORS = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile does not know
    ValueError,
)

# Cells that a spreadsheet would run as a formula start with one of these (OWASP, "CSV
# Injection"); an export for spreadsheets puts an apostrophe before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class PackageError(Exception):
    """The package cannot be read at all; nothing was written."""


def needs_formula_escape(value: str) -> bool:
    """Whether an export for spreadsheets puts an apostrophe before this cell: it starts with a
    formula character, or with apostrophes and then one (so that taking one apostrophe off on
    import gives back exactly the cell that was exported)."""
    return value.lstrip("'").startswith(FORMULA_STARTS)


def escape_formula(value: str) -> str:
    return f"'{value}" if needs_formula_escape(value) else value


def unescape_formula(value: str) -> str:
    """The cell as it was stored, from a package whose export escaped formulas."""
    return value[1:] if value.startswith("'") and needs_formula_escape(value) else value


def _short(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON_CHARS else f"{reason[:MAX_REASON_CHARS]}..."


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
    # Rows imported with a cell the portal cannot use or link kept as given (a parent term
    # not in the package, a latitude of 100), or kept whole as given (HsdsRecord).
    warnings: list[Problem] = field(default_factory=list)
    # Seconds spent per step, for the command's summary and the benchmark.
    seconds: dict[str, float] = field(default_factory=dict)

    def warn(self, file: str, line: int, reason: str) -> None:
        if len(self.warnings) < MAX_REPORTED_PROBLEMS:
            self.warnings.append(Problem(file, line, _short(reason)))

    def skip(self, file: str, line: int, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(Problem(file, line, _short(reason)))

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
            out.append(f"{len(self.warnings)} warning(s): rows imported with a cell kept as given")
            out.extend(f"  {problem}" for problem in self.warnings)
        return out

    def as_data(self) -> dict:
        """The report as JSON-ready data, to keep (an admin import's report page)."""
        return {
            "tables": [list(counts) for counts in self.table_counts()],
            "skipped": self.skipped,
            "problems": [[p.file, p.line, p.reason] for p in self.problems],
            "warnings": [[p.file, p.line, p.reason] for p in self.warnings],
            "seconds": {step: round(seconds, 1) for step, seconds in self.seconds.items()},
        }

    def timing_lines(self) -> list[str]:
        return [f"  {step}: {seconds:.1f} s" for step, seconds in self.seconds.items()]


class Row:
    """One CSV record: its values by (lower-case) column name and the line it starts on.

    ``column`` is the last column read, so that an unexpected error from a cell can name it.
    """

    __slots__ = ("column", "line", "values")

    def __init__(self, line: int, values: dict[str, str]) -> None:
        self.line = line
        self.values = values
        self.column = ""

    def get(self, column: str) -> str:
        """The stripped value, or "" when the column is absent or empty."""
        self.column = column
        return (self.values.get(column) or "").strip()


@dataclass(frozen=True)
class Limits:
    """How much a package may hold (settings ``HSDS_MAX_*``, read when a package is opened)."""

    field_chars: int  # one cell
    row_bytes: int  # one row, every line of it
    member_bytes: int  # one file, unzipped
    package_bytes: int  # all the files read, unzipped

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            field_chars=settings.HSDS_MAX_FIELD_CHARS,
            row_bytes=settings.HSDS_MAX_ROW_BYTES,
            member_bytes=settings.HSDS_MAX_MEMBER_BYTES,
            package_bytes=settings.HSDS_MAX_PACKAGE_BYTES,
        )


class _RowTooLong(Exception):
    """A row outgrew the row cap while its lines were read: its file is read no further."""


class _Lines:
    """The lines of one file as text for the csv module, read in chunks through the caps.

    Bytes are counted as they are read (unzipped): past the file's or the package's cap,
    reading stops with :class:`PackageError`. A line is split off the bytes before it is
    decoded, and the row being read (the lines since :meth:`new_row`) may not outgrow the row
    cap: it is refused while it is still being buffered, never once it is held whole.
    """

    def __init__(self, stream: IO[bytes], file: str, package: Package) -> None:
        self.stream = stream
        self.file = file
        self.package = package
        self.limit = package.limits.row_bytes
        self.lines_read = 0
        self.unzipped = 0  # bytes of this file read so far
        self.row_bytes = 0  # bytes of the row being read so far
        self._buffer = b""
        self._pos = 0
        self._eof = False

    def new_row(self) -> None:
        self.row_bytes = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._next_line()
        if self.lines_read == 0 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        self.lines_read += 1
        # surrogateescape keeps undecodable bytes visible so that only their row is skipped.
        return line.decode("utf-8", "surrogateescape")

    def _next_line(self) -> bytes:
        while True:
            buffer, pos = self._buffer, self._pos
            end = _LINE_END.search(buffer, pos)
            # A \r at the end of what was read so far may be the first half of a \r\n.
            if end and (end.end() < len(buffer) or self._eof or end.group() != b"\r"):
                stop = end.end()
                break
            if self._eof:
                if pos == len(buffer):
                    raise StopIteration
                stop = len(buffer)
                break
            if self.row_bytes + len(buffer) - pos > self.limit:
                raise _RowTooLong
            self._buffer = buffer[pos:] + self._read_chunk()
            self._pos = 0
        self.row_bytes += stop - pos
        if self.row_bytes > self.limit:
            raise _RowTooLong
        self._pos = stop
        return buffer[pos:stop]

    def _read_chunk(self) -> bytes:
        try:
            chunk = self.stream.read(_CHUNK_BYTES)
        except _UNZIP_ERRORS as error:
            how = "unzipped: its compressed data is damaged" if self.package.zipped else "read"
            where = f" after line {self.lines_read:,}" if self.lines_read else ""
            raise PackageError(
                f"{self.file} cannot be {how}{where} ({error or type(error).__name__})"
            ) from None
        if not chunk:
            self._eof = True
            return b""
        self.unzipped += len(chunk)
        if self.unzipped > self.package.limits.member_bytes:
            raise PackageError(_too_large(self.file, self.package.limits.member_bytes))
        self.package.count(self.file, self.unzipped)
        return chunk


def _too_large(file: str, limit: int) -> str:
    return f"{file} is larger than {limit:,} bytes unzipped (HSDS_MAX_MEMBER_BYTES)"


def _structure_error(error: Exception, limits: Limits) -> str:
    """What went wrong, for the person importing: a row's or a cell's cap, or bad quoting."""
    if isinstance(error, _RowTooLong):
        return f"a row longer than {limits.row_bytes:,} bytes (HSDS_MAX_ROW_BYTES)"
    text = str(error)
    if text.startswith("field larger than field limit"):
        return f"a cell longer than {limits.field_chars:,} characters (HSDS_MAX_FIELD_CHARS)"
    if text == "unexpected end of data":
        return "a quoted cell is not closed before the end of the file"
    if "expected after" in text:
        return f"text after the closing quote of a cell ({text})"
    return f"not CSV ({text})"


class Package:
    """A readable HSDS package: a folder of CSVs or a .zip of one (at its root or in one folder).

    Use as a context manager. :meth:`rows` streams one table; a missing optional table yields
    nothing. Problems found while reading (short rows, bytes that are not UTF-8, ...) are
    reported to the :class:`ImportReport` given to :meth:`rows` and the row is left out.
    ``limits`` (the ``HSDS_MAX_*`` settings by default) are checked against the sizes the
    package declares when it is opened, and against the bytes read while it is read.
    """

    def __init__(self, path: str | Path | IO[bytes], *, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_settings()
        self._zip: zipfile.ZipFile | None = None
        self._folder: Path | None = None
        self._members: dict[str, str] = {}
        self._unzipped: dict[str, int] = {}  # the most read of each file so far
        if isinstance(path, str | Path) and Path(path).is_dir():
            self._folder = Path(path)
            for name in (*TABLE_FILES.values(), DATAPACKAGE_FILE):
                if (self._folder / name).is_file():
                    self._members[name] = name
            self._check_sizes(
                {name: (self._folder / name).stat().st_size for name in self._members}
            )
            return
        if isinstance(path, str | Path) and not Path(path).is_file():
            raise PackageError(f"{path}: no such file or folder")
        try:
            _check_entry_count(path)
            self._zip = zipfile.ZipFile(path)
            infos = [info for info in self._zip.infolist() if not info.is_dir()]
        except (*_UNZIP_ERRORS, zipfile.LargeZipFile) as error:
            raise PackageError(f"not a folder of CSV files nor a readable .zip ({error})") from None
        self._members = _find_members([info.filename for info in infos])
        sizes = {info.filename: info.file_size for info in infos}
        self._check_sizes({name: sizes[member] for name, member in self._members.items()})

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, table: str) -> bool:
        return TABLE_FILES[table] in self._members

    @property
    def zipped(self) -> bool:
        return self._zip is not None

    def _check_sizes(self, sizes: dict[str, int]) -> None:
        """Refuse a package whose files say they are too large, before reading any of them.
        (zipfile never unzips more than a member declares; what is read is counted too.)"""
        for name, size in sizes.items():
            if size > self.limits.member_bytes:
                raise PackageError(_too_large(name, self.limits.member_bytes))
        if sum(sizes.values()) > self.limits.package_bytes:
            raise PackageError(self._package_too_large())

    def _package_too_large(self) -> str:
        return (
            f"the package's files add up to more than {self.limits.package_bytes:,} bytes "
            "unzipped (HSDS_MAX_PACKAGE_BYTES)"
        )

    def count(self, name: str, unzipped: int) -> None:
        """Note that ``unzipped`` bytes of a file were read; a file read twice counts once."""
        if unzipped > self._unzipped.get(name, 0):
            self._unzipped[name] = unzipped
            if sum(self._unzipped.values()) > self.limits.package_bytes:
                raise PackageError(self._package_too_large())

    def _open(self, name: str) -> IO[bytes]:
        member = self._members[name]
        try:
            if self._zip is not None:
                return self._zip.open(member)
            assert self._folder is not None  # noqa: S101 (one of the two is always set)
            return (self._folder / member).open("rb")
        except _UNZIP_ERRORS as error:
            raise PackageError(f"{name}: cannot be opened ({error})") from None

    @functools.cached_property
    def formulas_escaped(self) -> bool:
        """Whether the package is an export that put an apostrophe before the cells a
        spreadsheet would run as formulas: its datapackage.json says ``"formulas_escaped":
        true``. Reading it then takes that apostrophe off again."""
        if DATAPACKAGE_FILE not in self._members:
            return False
        with self._open(DATAPACKAGE_FILE) as stream:
            try:
                data = stream.read(_MAX_DATAPACKAGE_BYTES + 1)
            except _UNZIP_ERRORS as error:
                raise PackageError(f"{DATAPACKAGE_FILE}: cannot be read ({error})") from None
        if len(data) > _MAX_DATAPACKAGE_BYTES:
            return False
        try:
            description = json.loads(data)
        except (ValueError, RecursionError):
            return False
        return isinstance(description, dict) and description.get("formulas_escaped") is True

    def check(self) -> None:
        """Fail before anything is written when a required file or a header cannot be read."""
        for table in REQUIRED_TABLES:
            if not self.has(table):
                raise PackageError(f"{TABLE_FILES[table]} is missing: it is required")
        for table in TABLE_FILES:
            if self.has(table):
                with self._open(TABLE_FILES[table]) as stream:
                    lines = _Lines(stream, TABLE_FILES[table], self)
                    self._header(table, lines, self._csv(lines))
        self.formulas_escaped  # noqa: B018 (a damaged datapackage.json is found here too)

    def _csv(self, lines: _Lines) -> Iterator[list[str]]:
        # The csv module's own cap on a cell is a process-wide setting: set it for this read.
        csv.field_size_limit(self.limits.field_chars)
        return csv.reader(lines, strict=True)

    def _header(self, table: str, lines: _Lines, reader: Iterator[list[str]]) -> list[str]:
        file = TABLE_FILES[table]
        try:
            header = next(reader)
        except StopIteration:
            raise PackageError(f"{file}: empty file, no header row") from None
        except (csv.Error, _RowTooLong) as error:
            reason = _structure_error(error, self.limits)
            raise PackageError(f"{file}: the header row cannot be read ({reason})") from None
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
        thing kept), so callers see each id once. A CSV structure error ends the file there:
        it is reported on the line its row starts on, and no row after it is read.
        """
        if not self.has(table):
            return
        file = TABLE_FILES[table]
        unescape = self.formulas_escaped
        with self._open(file) as stream:
            lines = _Lines(stream, file, self)
            reader = self._csv(lines)
            columns = self._header(table, lines, reader)
            seen_ids: set[str] = set()
            while True:
                line = lines.lines_read + 1
                lines.new_row()
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except (csv.Error, _RowTooLong) as error:
                    reason = _structure_error(error, self.limits)
                    report.skip(file, line, f"{reason}; the rest of the file was not read")
                    return
                if not cells:
                    continue  # a blank line
                if len(cells) != len(columns):
                    more = len(cells) > len(columns)
                    report.skip(
                        file,
                        line,
                        f"{'more' if more else 'fewer'} cells than the header has columns",
                    )
                    continue
                joined = "\x1f".join(cells)
                if not joined.isascii() and _UNDECODABLE.search(joined):
                    report.skip(file, line, "bytes that are not UTF-8")
                    continue
                if "\x00" in joined:
                    report.skip(file, line, "a NUL byte in a cell")
                    continue
                if unescape and "'" in joined:
                    cells = [unescape_formula(cell) for cell in cells]
                row = Row(line, dict(zip(columns, cells, strict=True)))
                row_id = row.get("id")
                if not row_id:
                    report.skip(file, line, "empty required field: id")
                    continue
                if row_id in seen_ids:
                    report.skip(file, line, f"duplicated id {row_id} within the file")
                    continue
                seen_ids.add(row_id)
                yield row


def _check_entry_count(path: str | Path | IO[bytes]) -> None:
    """Refuse a zip that says it holds more than MAX_ZIP_ENTRIES files before zipfile reads its
    directory, which takes about 500 bytes of memory a file (a 17 MB zip of 200,000 empty
    files took 106 MiB). The count is the end record's, or its zip64 record's, which zipfile
    then believes; without an end record zipfile itself refuses the file."""
    if isinstance(path, str | Path):
        with Path(path).open("rb") as stream:
            _check_entry_count(stream)
        return
    path.seek(0, io.SEEK_END)
    size = path.tell()
    start = max(0, size - _END_RECORD_BYTES - 0xFFFF)  # a comment is at most 64 KiB
    path.seek(start)
    tail = path.read(size - start)
    path.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + _END_RECORD_BYTES > len(tail):
        return
    (entries,) = struct.unpack_from("<H", tail, end + 10)
    zip64 = end - _ZIP64_LOCATOR_BYTES - _ZIP64_RECORD_BYTES
    if zip64 >= 0 and tail[zip64 : zip64 + 4] == b"PK\x06\x06":
        (entries,) = struct.unpack_from("<Q", tail, zip64 + 32)
    if entries > MAX_ZIP_ENTRIES:
        raise PackageError(
            f"the zip holds {entries:,} files; an HSDS package has a few dozen "
            f"(at most {MAX_ZIP_ENTRIES:,} are read)"
        )


def _find_members(names: list[str]) -> dict[str, str]:
    """Map each known file name to its member in a zip: at the root, else in one folder."""
    wanted = {*TABLE_FILES.values(), DATAPACKAGE_FILE}
    found: dict[str, str] = {}
    for name in names:
        path = PurePosixPath(name)
        if path.name not in wanted or len(path.parts) > 2:
            continue
        # A file at the root wins over one in a folder.
        if path.name not in found or len(path.parts) == 1:
            found[path.name] = name
    return found
