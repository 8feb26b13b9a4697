"""Open Referral HSDS 3.0 tabular packages: the one place that knows the format.

A package is a folder of CSV files (``organizations.csv``, ``services.csv``, ...) or a .zip of
one. Reading streams every file row by row, so a package of any size costs only the id maps
(HSDS id -> primary key) and one batch of rows in memory.

- :func:`package_import` reads a package into the directory and returns an
  :class:`ImportReport` of what changed and of every row it skipped, with file, line and reason.
- :func:`package_export` writes the directory back out in the same format.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import time
import uuid
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


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------

BATCH_SIZE = 2000

# Attributes that carry what HSDS 3.0 has no column for (written by export, read by import).
KIND_LINK_TYPE = "organization_kind"
CONFIDENTIAL_LINK_TYPE = "confidential_location"
PARTNER_CITY_LINK_TYPE = "partner_city"
CATEGORY_LINK_TYPE = "service_category"

# Words in a legal status, an attribute value or a term naming the kind of organization, most
# specific first: "Religious nonprofit" is faith-based, "Public school district" is education.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("faith", ("faith", "religio", "church", "congregation", "mosque", "synagogue", "temple")),
    ("education", ("school", "education", "college", "university", "academ")),
    ("government", ("government", "public agency", "municipal", "county", "federal", "state ")),
    (
        "nonprofit",
        ("nonprofit", "non-profit", "not-for-profit", "not for profit", "501(c)", "charit"),
    ),
    ("service", ("service club", "service organization", "civic club", "rotary", "lions")),
)


class RowError(Exception):
    """This row cannot be imported; the message is the reason shown to the person importing."""


def kind_from_text(text: str) -> str | None:
    """The organization kind a piece of text names, or None."""
    from .models import OrganizationKind

    lowered = f" {text.strip().lower()} "
    if lowered.strip() in OrganizationKind.values:
        return lowered.strip()
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return None


def package_import(path: str | Path | IO[bytes]) -> ImportReport:
    """Import a package into the directory, all or nothing for unreadable packages.

    Raises :class:`PackageError` (nothing written) when the package cannot be read at all.
    Otherwise returns the report: good rows are imported, bad rows skipped and listed.
    """
    from django.db import transaction

    report = ImportReport()
    with Package(path) as package:
        package.check()
        with transaction.atomic():
            importer = _Importer(package, report)
            importer.run()
            committing = time.monotonic()
        # Postgres checks the deferred foreign keys of every new row here.
        report.seconds["commit"] = time.monotonic() - committing
    if importer.changed_anything:
        from .search import compact_after_full_refresh

        started = time.monotonic()
        if compact_after_full_refresh():
            report.seconds["compact"] = time.monotonic() - started
    return report


class _Importer:
    def __init__(self, package: Package, report: ImportReport) -> None:
        from django.utils import timezone

        from . import models

        self.m = models
        self.package = package
        self.report = report
        self.now = timezone.now()
        self.ids: dict[type, dict[str, int]] = {}
        self.slugs: dict[type, set[str]] = {}
        self.languages: dict[str, int] = {}
        self.city_pks: dict[str, int | None] = {}
        self.changed_anything = False

    # -- helpers ---------------------------------------------------------------------------

    def id_map(self, model: type) -> dict[str, int]:
        """HSDS id -> primary key for every row of ``model`` that has one (loaded once)."""
        if model not in self.ids:
            rows = model.objects.exclude(hsds_id=None).values_list("hsds_id", "pk")
            self.ids[model] = dict(rows.iterator(chunk_size=BATCH_SIZE))
        return self.ids[model]

    def ref(self, row: Row, column: str, model: type, *, required: bool = False) -> int | None:
        """The primary key a reference column points to; RowError when it points nowhere."""
        value = row.get(column)
        if not value:
            if required:
                raise RowError(f"empty required field: {column}")
            return None
        pk = self.id_map(model).get(value)
        if pk is None:
            raise RowError(f"dangling reference: {column} {value} is not in the package")
        return pk

    def new_slug(self, model: type, text: str) -> str:
        from django.utils.text import slugify

        if model not in self.slugs:
            self.slugs[model] = set(
                model.objects.values_list("slug", flat=True).iterator(chunk_size=BATCH_SIZE)
            )
        taken = self.slugs[model]
        max_length = model._meta.get_field("slug").max_length
        base = (slugify(text) or "listing")[: max_length - 8].strip("-") or "listing"
        slug, number = base, 2
        while slug in taken:
            slug = f"{base}-{number}"
            number += 1
        taken.add(slug)
        return slug

    def language_pk(self, code: str, name: str) -> int:
        key = (code or name).strip().lower()[:35]
        if key not in self.languages:
            language, _created = self.m.Language.objects.get_or_create(
                code=key, defaults={"name": (name or code)[:100]}
            )
            self.languages[key] = language.pk
        return self.languages[key]

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> None:
        m = self.m
        steps = [
            ("taxonomies", self.read_taxonomies),
            (
                "taxonomy_terms",
                lambda: self.import_rows("taxonomy_terms", m.Category, self.parse_term),
            ),
            ("term parents", self.link_term_parents),
            ("attributes scan", self.scan_attributes),
            (
                "organizations",
                lambda: self.import_rows("organizations", m.Organization, self.parse_organization),
            ),
            ("services", lambda: self.import_rows("services", m.Service, self.parse_service)),
            ("locations", lambda: self.import_rows("locations", m.Location, self.parse_location)),
            (
                "addresses",
                lambda: self.fold_into_locations(
                    "addresses", self.parse_address, "address_hsds_id"
                ),
            ),
            (
                "accessibility",
                lambda: self.fold_into_locations(
                    "accessibility", self.parse_accessibility, "accessibility_hsds_id"
                ),
            ),
            (
                "service_at_location",
                lambda: self.import_rows(
                    "service_at_location", m.ServiceAtLocation, self.parse_service_at_location
                ),
            ),
            ("phones", lambda: self.import_rows("phones", m.Phone, self.parse_phone)),
            ("schedules", lambda: self.import_rows("schedules", m.Schedule, self.parse_schedule)),
            ("languages", self.import_languages),
            (
                "attributes",
                lambda: self.import_rows("attributes", m.ServiceCategory, self.parse_attribute),
            ),
            ("search vectors", self.refresh_search),
        ]
        for name, step in steps:
            started = time.monotonic()
            step()
            self.report.seconds[name] = time.monotonic() - started

    def read_taxonomies(self) -> None:
        self.taxonomy_names = {
            row.get("id"): row.get("name") for row in self.package.rows("taxonomies", self.report)
        }

    def refresh_search(self) -> None:
        if self.changed_anything:
            _refresh_search_vectors()

    def import_rows(self, table: str, model: type, parse) -> None:
        batch: list[tuple[Row, dict]] = []
        for row in self.package.rows(table, self.report):
            try:
                fields = parse(row)
            except RowError as error:
                self.report.skip(TABLE_FILES[table], row.line, str(error))
                continue
            if fields is None:  # a row this portal has no use for (e.g. another attribute)
                continue
            error = _length_error(model, fields)
            if error:
                self.report.skip(TABLE_FILES[table], row.line, error)
                continue
            batch.append((row, fields))
            if len(batch) >= BATCH_SIZE:
                self.write(table, model, batch)
                batch = []
        if batch:
            self.write(table, model, batch)

    def write(self, table: str, model: type, batch: list[tuple[Row, dict]]) -> None:
        """Create the new rows and update the changed ones of a batch, by HSDS id."""
        from django.db import DatabaseError, transaction

        try:
            with transaction.atomic():
                self._write(table, model, batch)
        except DatabaseError:
            # One row the checks above let through broke the batch: retry row by row so
            # that only that row is skipped, with the database's reason.
            for item in batch:
                try:
                    with transaction.atomic():
                        self._write(table, model, [item])
                except DatabaseError as error:
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    self.report.skip(
                        TABLE_FILES[table], item[0].line, f"rejected by the database: {reason}"
                    )

    def _write(self, table: str, model: type, batch: list[tuple[Row, dict]]) -> None:
        ids = self.id_map(model)
        known = {row.get("id"): ids[row.get("id")] for row, _f in batch if row.get("id") in ids}
        existing = {obj.pk: obj for obj in model.objects.filter(pk__in=known.values())}
        has_slug = any(field.name == "slug" for field in model._meta.concrete_fields)
        to_create, to_update, changed_fields = [], [], set()
        unchanged = 0
        for row, fields in batch:
            hsds_id = row.get("id")
            obj = existing.get(known.get(hsds_id, 0))
            if obj is None:
                values = {**fields, "hsds_id": hsds_id}
                if has_slug:
                    values["slug"] = self.new_slug(model, fields["name"])
                to_create.append(values)
                continue
            diff = [name for name, value in fields.items() if getattr(obj, name) != value]
            if not diff:
                unchanged += 1
                continue
            for name in diff:
                setattr(obj, name, fields[name])
            changed_fields.update(diff)
            to_update.append(obj)
        created = _bulk_insert(model, to_create, self.now)
        if to_update:
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False):
                    changed_fields.add(field.name)
                    for obj in to_update:
                        setattr(obj, field.attname, self.now)
            _bulk_update(model, to_update, sorted(changed_fields))
        # Only once the batch is in: record the new ids and the counts.
        ids.update(created)
        self.report.created[table] += len(created)
        self.report.updated[table] += len(to_update)
        self.report.unchanged[table] += unchanged
        if created or to_update:
            self.changed_anything = True

    # -- taxonomy terms and attributes -------------------------------------------------------

    def parse_term(self, row: Row) -> dict:
        name = _required(row, "name")
        taxonomy = row.get("taxonomy") or self.taxonomy_names.get(row.get("taxonomy_id"), "")
        return {
            "name": name,
            "code": row.get("code"),
            "description": row.get("description"),
            "taxonomy": taxonomy,
        }

    def link_term_parents(self) -> None:
        """Second pass over the terms, now that every term has a key: link the parents."""
        categories = self.id_map(self.m.Category)
        parents: dict[int, int | None] = {}
        quiet = ImportReport()  # the first pass already reported this file's bad rows
        for row in self.package.rows("taxonomy_terms", quiet):
            pk = categories.get(row.get("id"))
            if pk is None:
                continue
            parent_id = row.get("parent_id")
            parent = categories.get(parent_id) if parent_id else None
            if parent_id and parent is None:
                # An optional link: the term is kept, at the top level.
                self.warn("taxonomy_terms", row, f"parent_id {parent_id} is not in the package")
            if parent == pk:
                parent = None
            parents[pk] = parent
        changed = [
            category
            for category in self.m.Category.objects.filter(pk__in=parents).only("parent")
            if category.parent_id != parents[category.pk]
        ]
        for category in changed:
            category.parent_id = parents[category.pk]
        _bulk_update(self.m.Category, changed, ["parent"])

    def warn(self, table: str, row: Row, reason: str) -> None:
        self.report.warn(TABLE_FILES[table], row.line, reason)

    def scan_attributes(self) -> None:
        """Read what organizations and locations need from attributes before creating them."""
        self.org_kinds: dict[str, str] = {}
        self.org_cities: dict[str, str] = {}
        self.confidential: dict[str, bool] = {}
        terms = self.id_map(self.m.Category)
        term_text = {}
        if self.package.has("attributes"):
            term_pks = set(terms.values())
            term_text = {
                pk: f"{code} {name}"
                for pk, code, name in self.m.Category.objects.filter(pk__in=term_pks).values_list(
                    "pk", "code", "name"
                )
            }
        for row in self.package.rows("attributes", ImportReport()):
            entity, link_type = _attribute_target(row)
            if entity == "organization" and link_type in (KIND_LINK_TYPE, "kind", "type", ""):
                kind = kind_from_text(row.get("value"))
                if kind is None and row.get("taxonomy_term_id") in terms:
                    kind = kind_from_text(term_text.get(terms[row.get("taxonomy_term_id")], ""))
                if kind:
                    self.org_kinds[row.get("link_id")] = kind
            elif entity == "organization" and link_type == PARTNER_CITY_LINK_TYPE:
                self.org_cities[row.get("link_id")] = row.get("value")
            elif entity == "location" and link_type == CONFIDENTIAL_LINK_TYPE:
                self.confidential[row.get("link_id")] = _truthy(row.get("value"))

    def parse_attribute(self, row: Row) -> dict | None:
        entity, link_type = _attribute_target(row)
        if entity == "organization" and link_type in (
            KIND_LINK_TYPE,
            PARTNER_CITY_LINK_TYPE,
            "kind",
            "type",
            "",
        ):
            self.ref(row, "link_id", self.m.Organization, required=True)
            return None
        if entity == "location" and link_type == CONFIDENTIAL_LINK_TYPE:
            self.ref(row, "link_id", self.m.Location, required=True)
            return None
        if entity != "service" or not row.get("taxonomy_term_id"):
            return None  # an attribute this portal does not use
        return {
            "service_id": self.ref(row, "link_id", self.m.Service, required=True),
            "category_id": self.ref(row, "taxonomy_term_id", self.m.Category, required=True),
        }

    # -- organizations and services ----------------------------------------------------------

    def parse_organization(self, row: Row) -> dict:
        from compacts.models import City

        fields = {
            "name": _required(row, "name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description"),
            "email": _email(row, "email"),
            "website": _url(row, "website"),
            "legal_status": row.get("legal_status"),
            "year_incorporated": _integer(row, "year_incorporated", 1600, 2200),
        }
        # Import never forgets what an admin set: the kind and city change only when the
        # package says something about them.
        kind = self.org_kinds.get(row.get("id")) or kind_from_text(row.get("legal_status"))
        if kind:
            fields["kind"] = kind
        elif row.get("id") not in self.id_map(self.m.Organization):
            fields["kind"] = self.m.OrganizationKind.UNKNOWN
        city_slug = self.org_cities.get(row.get("id"))
        if city_slug:
            if city_slug not in self.city_pks:
                self.city_pks[city_slug] = (
                    City.objects.filter(slug=city_slug).values_list("pk", flat=True).first()
                )
            city = self.city_pks[city_slug]
            if city is None:
                self.warn("organizations", row, f"partner city {city_slug} is not on this site")
            else:
                fields["city_id"] = city
        return fields

    def parse_service(self, row: Row) -> dict:
        status = _required(row, "status").lower()
        if status not in self.m.ServiceStatus.values:
            raise RowError(
                f"status {status!r} is not one of {', '.join(self.m.ServiceStatus.values)}"
            )
        minimum_age = _integer(row, "minimum_age", 0, 150)
        maximum_age = _integer(row, "maximum_age", 0, 150)
        if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
            raise RowError(f"minimum_age {minimum_age} is above maximum_age {maximum_age}")
        fields = {
            "organization_id": self.ref(row, "organization_id", self.m.Organization, required=True),
            "name": _required(row, "name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description"),
            "url": _url(row, "url"),
            "email": _email(row, "email"),
            "status": status,
            "eligibility_description": row.get("eligibility_description"),
            "fees_description": row.get("fees_description") or row.get("fees"),
            "application_process": row.get("application_process"),
            "interpretation_services": row.get("interpretation_services"),
            "wait_time": row.get("wait_time"),
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
        }
        # "Last verified" is a person's claim: only the file can make it, never the import.
        if row.get("assured_date"):
            fields["assured_date"] = _date(row, "assured_date")
        return fields

    # -- locations ---------------------------------------------------------------------------

    def parse_location(self, row: Row) -> dict:
        location_type = (row.get("location_type") or "physical").lower()
        if location_type not in self.m.LocationType.values:
            raise RowError(f"location_type {location_type!r} is not physical, postal or virtual")
        latitude = _decimal(row, "latitude", 90)
        longitude = _decimal(row, "longitude", 180)
        if (latitude is None) != (longitude is None):
            raise RowError("latitude and longitude must be given together")
        organization = None
        if row.get("organization_id"):
            organization = self.id_map(self.m.Organization).get(row.get("organization_id"))
            if organization is None:
                # Optional in HSDS: the location is kept without an organization.
                self.warn(
                    "locations",
                    row,
                    f"organization_id {row.get('organization_id')} is not in the package",
                )
        fields = {
            "organization_id": organization,
            "name": row.get("name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description"),
            "location_type": location_type,
            "url": _url(row, "url"),
            "transportation": row.get("transportation"),
            "latitude": latitude,
            "longitude": longitude,
        }
        if row.get("id") in self.confidential:
            fields["is_confidential"] = self.confidential[row.get("id")]
            if fields["is_confidential"]:
                # A package for public use leaves these out of a confidential location:
                # importing it must not erase what this site knows.
                for name in ("latitude", "longitude", "transportation"):
                    if fields[name] in (None, ""):
                        del fields[name]
        return fields

    def parse_address(self, row: Row) -> dict:
        country = row.get("country").upper()
        if len(country) > 2:
            raise RowError(f"country {country!r} is not a two-letter code")
        if not (row.get("address_1") or row.get("city") or row.get("postal_code")):
            raise RowError("empty required field: address_1")
        return {
            "address_1": row.get("address_1"),
            "address_2": row.get("address_2"),
            "city": row.get("city"),
            "region": row.get("region"),
            "state_province": row.get("state_province"),
            "postal_code": row.get("postal_code"),
            "country": country,
        }

    def parse_accessibility(self, row: Row) -> dict:
        text = "\n\n".join(part for part in (row.get("description"), row.get("details")) if part)
        return {"accessibility": text}

    def fold_into_locations(self, table: str, parse, id_field: str) -> None:
        """Addresses and accessibility are one per location here: write them onto it."""
        seen: set[int] = set()
        batch: dict[int, tuple[Row, dict]] = {}
        for row in self.package.rows(table, self.report):
            try:
                pk = self.ref(row, "location_id", self.m.Location, required=True)
                fields = parse(row)
            except RowError as error:
                self.report.skip(TABLE_FILES[table], row.line, str(error))
                continue
            if pk in seen:
                self.report.skip(
                    TABLE_FILES[table],
                    row.line,
                    f"a second {table} row for location {row.get('location_id')}: "
                    "the portal keeps one per location",
                )
                continue
            error = _length_error(self.m.Location, fields)
            if error:
                self.report.skip(TABLE_FILES[table], row.line, error)
                continue
            seen.add(pk)
            fields[id_field] = row.get("id")
            batch[pk] = (row, fields)
            if len(batch) >= BATCH_SIZE:
                self._fold(table, batch)
                batch = {}
        if batch:
            self._fold(table, batch)

    def _fold(self, table: str, batch: dict[int, tuple[Row, dict]]) -> None:
        changed, changed_fields, unchanged = [], set(), 0
        for location in self.m.Location.objects.filter(pk__in=batch):
            fields = batch[location.pk][1]
            diff = [name for name, value in fields.items() if getattr(location, name) != value]
            if not diff:
                unchanged += 1
                continue
            for name in diff:
                setattr(location, name, fields[name])
            location.modified_at = self.now
            changed_fields.update(diff)
            changed.append(location)
        if changed:
            _bulk_update(self.m.Location, changed, [*sorted(changed_fields), "modified_at"])
            self.changed_anything = True
        self.report.updated[table] += len(changed)
        self.report.unchanged[table] += unchanged

    # -- links, phones, schedules, languages -------------------------------------------------

    def parse_service_at_location(self, row: Row) -> dict:
        return {
            "service_id": self.ref(row, "service_id", self.m.Service, required=True),
            "location_id": self.ref(row, "location_id", self.m.Location, required=True),
            "description": row.get("description"),
        }

    def _owners(self, row: Row, columns: dict[str, type]) -> dict:
        owners = {
            f"{column[:-3]}_id": self.ref(row, column, model) for column, model in columns.items()
        }
        if not any(owners.values()):
            raise RowError(f"linked to nothing: give one of {', '.join(columns)}")
        return owners

    def parse_phone(self, row: Row) -> dict:
        m = self.m
        phone_type = (row.get("type") or "voice").lower()
        if phone_type not in m.PhoneType.values:
            raise RowError(
                f"phone type {phone_type!r} is not one of {', '.join(m.PhoneType.values)}"
            )
        owners = self._owners(
            row,
            {
                "organization_id": m.Organization,
                "service_id": m.Service,
                "location_id": m.Location,
                "service_at_location_id": m.ServiceAtLocation,
            },
        )
        return {
            **owners,
            "number": _required(row, "number").strip("\"' "),
            "extension": row.get("extension"),
            "type": phone_type,
            "description": row.get("description"),
        }

    def parse_schedule(self, row: Row) -> dict:
        m = self.m
        freq = (row.get("freq") or "WEEKLY").upper()
        if freq != "WEEKLY":
            raise RowError(f"freq {freq} is not supported: the portal keeps weekly hours only")
        days = [code.strip().upper() for code in row.get("byday").split(",") if code.strip()]
        unknown = [code for code in days if code not in m.WEEKDAY_CODES]
        if unknown:
            raise RowError(f"byday {row.get('byday')!r} is not a list of weekday codes (MO,TU,...)")
        opens_at = _time(row, "opens_at")
        closes_at = _time(row, "closes_at")
        if (opens_at is None) != (closes_at is None):
            raise RowError("opens_at and closes_at must be given together")
        valid_from = _date(row, "valid_from")
        valid_to = _date(row, "valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            raise RowError("valid_to is before valid_from")
        return {
            **self._owners(
                row,
                {
                    "service_id": m.Service,
                    "location_id": m.Location,
                    "service_at_location_id": m.ServiceAtLocation,
                },
            ),
            "freq": freq,
            "byday": ",".join(days),
            "opens_at": opens_at,
            "closes_at": closes_at,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "description": row.get("description"),
        }

    def import_languages(self) -> None:
        """A language row links a service, a location or both to a language."""
        m = self.m
        service_batch: list[tuple[Row, dict]] = []
        location_batch: list[tuple[Row, dict]] = []
        for row in self.package.rows("languages", self.report):
            try:
                service = self.ref(row, "service_id", m.Service)
                location = self.ref(row, "location_id", m.Location)
                if not (row.get("code") or row.get("name")):
                    raise RowError("empty required field: code (or name)")
                if service is None and location is None:
                    raise RowError("linked to nothing: give service_id or location_id")
            except RowError as error:
                self.report.skip("languages.csv", row.line, str(error))
                continue
            language = self.language_pk(row.get("code"), row.get("name"))
            note = row.get("note")[:500]
            if service is not None:
                service_batch.append(
                    (row, {"service_id": service, "language_id": language, "note": note})
                )
            if location is not None:
                location_batch.append(
                    (row, {"location_id": location, "language_id": language, "note": note})
                )
            if len(service_batch) >= BATCH_SIZE:
                self.write("languages", m.ServiceLanguage, service_batch)
                service_batch = []
            if len(location_batch) >= BATCH_SIZE:
                self.write("languages", m.LocationLanguage, location_batch)
                location_batch = []
        if service_batch:
            self.write("languages", m.ServiceLanguage, service_batch)
        if location_batch:
            self.write("languages", m.LocationLanguage, location_batch)


def _bulk_insert(model: type, rows: list[dict], now) -> dict[str, int]:
    """Insert new rows (field attname -> value, with ``hsds_id``); return HSDS id -> pk.

    On Postgres the rows go in with COPY, straight from the parsed values (several times
    faster than building model instances for INSERT ... VALUES on a big package), and the
    keys are read back by HSDS id; elsewhere bulk_create does it.
    """
    from django.db import connection

    if not rows:
        return {}
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        return {obj.hsds_id: obj.pk for obj in objs}
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {
        field.attname: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in fields
    }
    attnames = [field.attname for field in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(name, defaults[name]) for name in attnames])
        cursor.execute(
            f"SELECT hsds_id, {quote(model._meta.pk.column)} FROM {table} "  # noqa: S608
            "WHERE hsds_id = ANY(%s)",
            [[row["hsds_id"] for row in rows]],
        )
        return dict(cursor.fetchall())


def _bulk_update(model: type, objs: list, field_names: list[str]) -> None:
    """Save ``field_names`` of ``objs`` in one statement per batch.

    Django's bulk_update builds a CASE WHEN per field and row, which costs seconds per
    thousand rows; on Postgres one UPDATE ... FROM (VALUES ...) does the same in milliseconds.
    """
    from django.db import connection

    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, field_names, batch_size=BATCH_SIZE)
        return
    fields = [model._meta.get_field(name) for name in field_names]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}::{field.db_type(connection)}"
        for field in fields
    )
    columns = ", ".join(quote(column) for column in [pk.column, *(f.column for f in fields)])
    placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    table = quote(model._meta.db_table)
    for start in range(0, len(objs), BATCH_SIZE):
        chunk = objs[start : start + BATCH_SIZE]
        params: list[object] = []
        for obj in chunk:
            params.append(obj.pk)
            params.extend(
                field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields
            )
        sql = (
            f"UPDATE {table} SET {assignments} "  # noqa: S608 (names are quoted model metadata)
            f"FROM (VALUES {', '.join([placeholder] * len(chunk))}) AS v({columns}) "
            f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}::{pk.db_type(connection)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _refresh_search_vectors() -> None:
    try:
        from .search import refresh_search_vectors
    except ImportError:  # the search module is not there yet: nothing to refresh
        return
    refresh_search_vectors()


# -- cell parsers: each returns a clean value or raises RowError with the reason ---------------


def _required(row: Row, column: str) -> str:
    value = row.get(column)
    if not value:
        raise RowError(f"empty required field: {column}")
    return value


def _integer(row: Row, column: str, low: int, high: int) -> int | None:
    value = row.get(column)
    if not value:
        return None
    try:
        number = int(float(value)) if "." in value else int(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise RowError(f"{column} {number} is outside {low}..{high}")
    return number


def _decimal(row: Row, column: str, limit: int):
    from decimal import Decimal, InvalidOperation

    value = row.get(column)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{column} {value!r} is not a number") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise RowError(f"{column} {value} is outside -{limit}..{limit}")
    return number.quantize(Decimal("0.000001"))


def _date(row: Row, column: str):
    import datetime

    value = row.get(column)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$")


def _time(row: Row, column: str):
    """HH:MM[:SS], with an optional UTC offset that is dropped: hours are read in the city's
    own time zone."""
    import datetime

    value = row.get(column)
    if not value:
        return None
    match = _TIME.match(value)
    hour, minute, second = (int(part or 0) for part in match.groups()) if match else (99, 0, 0)
    if hour == 24 and minute == 0 and second == 0:
        return datetime.time(0, 0)  # "until 24:00" is midnight
    if hour > 23 or minute > 59 or second > 59:
        raise RowError(f"{column} {value!r} is not a time of day (HH:MM)")
    return datetime.time(hour, minute, second)


def _url(row: Row, column: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    value = row.get(column)
    if value:
        try:
            URLValidator()(value)
        except ValidationError:
            raise RowError(f"{column} {value!r} is not a web address") from None
    return value


def _email(row: Row, column: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    value = row.get(column)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise RowError(f"{column} {value!r} is not an email address") from None
    return value


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "t")


def _attribute_target(row: Row) -> tuple[str, str]:
    """(entity, link type) of an attribute; older files put the entity in link_type."""
    entity = row.get("link_entity").lower()
    link_type = row.get("link_type").lower()
    if not entity and link_type in ("organization", "service", "location"):
        entity, link_type = link_type, ""
    return entity, link_type


@functools.cache
def _max_lengths(model: type) -> dict[str, int]:
    return {
        field.attname: field.max_length
        for field in model._meta.concrete_fields
        if getattr(field, "max_length", None)
    }


def _length_error(model: type, fields: dict) -> str | None:
    limits = _max_lengths(model)
    for name, value in fields.items():
        if isinstance(value, str) and name in limits and len(value) > limits[name]:
            return f"{name} is longer than {limits[name]} characters"
    return None


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

# A fixed namespace so that the ids export makes up for kind/city/confidential attributes and
# taxonomies are the same at every export (uuid5 of what they describe).
_EXPORT_NAMESPACE = uuid.UUID("6f1c8a52-4d0e-4b8e-9a57-1d2f3c4b5a69")


def _spec(text: str) -> list[tuple[str, str]]:
    """ "column=lookup column ..." -> [(column, ORM lookup)]; a bare column is its own lookup."""
    return [(part.split("=")[0], part.split("=")[-1]) for part in text.split()]


# Each exported file: its columns and the ORM lookup each is read from, in order.
EXPORT_TABLES: dict[str, list[tuple[str, str]]] = {
    "taxonomies": _spec("id name description"),
    "taxonomy_terms": _spec(
        "id=hsds_id code name description parent_id=parent__hsds_id taxonomy taxonomy_id"
    ),
    "organizations": _spec(
        "id=hsds_id name alternate_name description email website legal_status year_incorporated"
    ),
    "services": _spec(
        "id=hsds_id organization_id=organization__hsds_id name alternate_name description url "
        "email status interpretation_services application_process fees_description wait_time "
        "eligibility_description minimum_age maximum_age assured_date last_modified"
    ),
    "locations": _spec(
        "id=hsds_id location_type url organization_id=organization__hsds_id name alternate_name "
        "description transportation latitude longitude"
    ),
    "addresses": _spec(
        "id=address_hsds_id location_id=hsds_id address_1 address_2 city region state_province "
        "postal_code country address_type=location_type"
    ),
    "accessibility": _spec(
        "id=accessibility_hsds_id location_id=hsds_id description=accessibility"
    ),
    "service_at_location": _spec(
        "id=hsds_id service_id=service__hsds_id location_id=location__hsds_id description"
    ),
    "phones": _spec(
        "id=hsds_id organization_id=organization__hsds_id service_id=service__hsds_id "
        "location_id=location__hsds_id service_at_location_id=service_at_location__hsds_id "
        "number extension type description"
    ),
    "schedules": _spec(
        "id=hsds_id service_id=service__hsds_id location_id=location__hsds_id "
        "service_at_location_id=service_at_location__hsds_id freq byday opens_at closes_at "
        "valid_from valid_to description"
    ),
    "languages": _spec("id service_id location_id name code note"),
    "attributes": _spec("id link_id taxonomy_term_id link_type link_entity value"),
}
EXPORT_COLUMNS = {table: [column for column, _ in spec] for table, spec in EXPORT_TABLES.items()}


def package_export(path: str | Path, *, include_confidential: bool = False) -> Counter[str]:
    """Write the directory as an HSDS 3.0 tabular package: a folder, or a .zip if ``path``
    ends in .zip. Returns the number of rows written per table.

    By default the package is for public use: a confidential location is written without its
    address, map position or transportation notes (only with an attribute saying it is
    confidential). ``include_confidential`` writes everything, for an admin's full backup.

    Rows that have no HSDS id yet (made in the admin or by the demo) get one, saved, so that
    importing the export again updates them instead of making copies.
    """
    from django.db import transaction

    path = Path(path)
    with transaction.atomic():
        _assign_missing_ids()
        if path.suffix.lower() == ".zip":
            path.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                return _export(lambda name: _zip_text(archive, name), include_confidential)
        path.mkdir(parents=True, exist_ok=True)
        return _export(
            lambda name: (path / name).open("w", newline="", encoding="utf-8"),
            include_confidential,
        )


def _zip_text(archive: zipfile.ZipFile, name: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")


def _assign_missing_ids() -> None:
    from . import models

    id_models = (
        models.Organization,
        models.Service,
        models.Location,
        models.Category,
        models.ServiceAtLocation,
        models.Phone,
        models.Schedule,
        models.ServiceCategory,
        models.ServiceLanguage,
        models.LocationLanguage,
    )
    for model in id_models:
        _fill_ids(model, model.objects.filter(hsds_id=None), "hsds_id")
    address = _has_address_q()
    _fill_ids(
        models.Location,
        models.Location.objects.filter(address, address_hsds_id=""),
        "address_hsds_id",
    )
    _fill_ids(
        models.Location,
        models.Location.objects.exclude(accessibility="").filter(accessibility_hsds_id=""),
        "accessibility_hsds_id",
    )


def _has_address_q():
    from django.db.models import Q

    return ~Q(address_1="") | ~Q(city="") | ~Q(postal_code="")


def _fill_ids(model: type, queryset, field_name: str) -> None:
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH_SIZE):
        rows = [model(pk=pk) for pk in pks[start : start + BATCH_SIZE]]
        for row in rows:
            setattr(row, field_name, str(uuid.uuid4()))
        model.objects.bulk_update(rows, [field_name])


def _cell(value: object) -> str:
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return str(value)


def _export(open_text, include_confidential: bool) -> Counter[str]:
    from . import models

    counts: Counter[str] = Counter()

    def write(table: str, rows) -> None:
        with open_text(TABLE_FILES[table]) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(EXPORT_COLUMNS[table])
            for row in rows:
                writer.writerow([_cell(value) for value in row])
                counts[table] += 1

    def stream(queryset, *lookups: str):
        return queryset.order_by("pk").values_list(*lookups).iterator(chunk_size=BATCH_SIZE)

    def table_rows(table: str, queryset, *extra: str):
        """The table's lookups (and ``extra`` ones after them) for every row of queryset."""
        return stream(queryset, *(lookup for _, lookup in EXPORT_TABLES[table]), *extra)

    names = sorted(set(models.Category.objects.values_list("taxonomy", flat=True)))
    taxonomy_ids = {name: str(uuid.uuid5(_EXPORT_NAMESPACE, f"taxonomy:{name}")) for name in names}
    write(
        "taxonomies",
        ([taxonomy_ids[name], name or "Portal categories", name] for name in names),
    )
    terms = stream(
        models.Category.objects,
        *(lookup for _, lookup in EXPORT_TABLES["taxonomy_terms"][:-1]),
    )
    write("taxonomy_terms", ([*row, taxonomy_ids[row[-1]]] for row in terms))
    write("organizations", table_rows("organizations", models.Organization.objects))
    write("services", table_rows("services", models.Service.objects))

    def locations():
        for *values, confidential in table_rows(
            "locations", models.Location.objects, "is_confidential"
        ):
            if confidential and not include_confidential:
                values[7:10] = ["", None, None]  # transportation, latitude, longitude
            yield values

    write("locations", locations())
    shown = models.Location.objects.filter(_has_address_q())
    if not include_confidential:
        shown = shown.filter(is_confidential=False)
    write(
        "addresses",
        (
            [*row[:-1], "physical" if row[-1] == "physical" else "postal"]
            for row in table_rows("addresses", shown)
        ),
    )
    write(
        "accessibility",
        table_rows("accessibility", models.Location.objects.exclude(accessibility="")),
    )
    write(
        "service_at_location", table_rows("service_at_location", models.ServiceAtLocation.objects)
    )
    write("phones", table_rows("phones", models.Phone.objects))
    write("schedules", table_rows("schedules", models.Schedule.objects))

    def languages():
        # A language row of the package can name a service and a location at once; both
        # links then carry its id, and are written back as that one row.
        lookups = ("hsds_id", "language__name", "language__code", "note")
        by_location = {
            hsds_id: (location, name, code, note)
            for hsds_id, location, name, code, note in stream(
                models.LocationLanguage.objects, lookups[0], "location__hsds_id", *lookups[1:]
            )
        }
        for hsds_id, service, name, code, note in stream(
            models.ServiceLanguage.objects, lookups[0], "service__hsds_id", *lookups[1:]
        ):
            location = by_location.pop(hsds_id, ("",))[0]
            yield [hsds_id, service, location, name, code, note]
        for hsds_id, (location, name, code, note) in by_location.items():
            yield [hsds_id, "", location, name, code, note]

    write("languages", languages())
    write("attributes", _attribute_rows(stream))
    with open_text("datapackage.json") as handle:
        handle.write(json.dumps(_datapackage(include_confidential), indent=2) + "\n")
    return counts


def _attribute_rows(stream):
    """Categories, and what HSDS 3.0 has no column for, as attribute rows."""
    from . import models

    def made_up_id(what: str, hsds_id: str) -> str:
        return str(uuid.uuid5(_EXPORT_NAMESPACE, f"{what}:{hsds_id}"))

    for hsds_id, service, term in stream(
        models.ServiceCategory.objects, "hsds_id", "service__hsds_id", "category__hsds_id"
    ):
        yield [hsds_id, service, term, CATEGORY_LINK_TYPE, "service", ""]
    for org, kind, city in stream(models.Organization.objects, "hsds_id", "kind", "city__slug"):
        yield [made_up_id("kind", org), org, "", KIND_LINK_TYPE, "organization", kind]
        if city:
            yield [made_up_id("city", org), org, "", PARTNER_CITY_LINK_TYPE, "organization", city]
    for (location,) in stream(models.Location.objects.filter(is_confidential=True), "hsds_id"):
        flag_id = made_up_id("confidential", location)
        yield [flag_id, location, "", CONFIDENTIAL_LINK_TYPE, "location", "true"]


def _datapackage(include_confidential: bool) -> dict:
    from django.utils import timezone

    return {
        "name": "compassion-portal-directory",
        "title": "Community resource directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "created": timezone.now().isoformat(),
        "description": (
            "Full backup: includes the addresses of confidential locations. Do not publish."
            if include_confidential
            else "For public use: confidential locations have no address or map position."
        ),
        "resources": [
            {
                "name": table,
                "path": TABLE_FILES[table],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [{"name": column, "type": "string"} for column in columns],
                    "primaryKey": "id",
                },
            }
            for table, columns in EXPORT_COLUMNS.items()
        ],
    }
