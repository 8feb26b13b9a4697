"""Importing a package into the directory: :func:`package_import`.

Rows are matched by HSDS id, so importing the same package again updates instead of making
copies. Tables are read in an order where what a row points to is already in; each is
streamed in batches, and a batch creates its new rows and updates its changed ones at once.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import IO, Protocol

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from directory import changelog, models
from directory.changelog import Change
from directory.search import compact_after_full_refresh, refresh_search_vectors

from .bulk import BATCH_SIZE, bulk_insert, bulk_update
from .cells import RowError, length_error
from .reader import TABLE_FILES, ImportReport, Package, Row
from .rows import RowParser

# The rows whose updates go in a listing's change log (directory.changelog).
LOGGED_MODELS = (models.Service, models.Phone, models.Schedule)


class Progress(Protocol):
    """Told how an import is getting on: each step as it starts (its name, its number from
    1, how many steps there are), and the rows of a table read so far as it goes."""

    def step(self, name: str, number: int, steps: int) -> None: ...

    def rows(self, table: str, count: int) -> None: ...


class NoProgress:
    def step(self, name: str, number: int, steps: int) -> None:
        pass

    def rows(self, table: str, count: int) -> None:
        pass


def package_import(path: str | Path | IO[bytes], progress: Progress | None = None) -> ImportReport:
    """Import a package into the directory, all or nothing for unreadable packages.

    Raises :class:`PackageError` (nothing written) when the package cannot be read at all.
    Otherwise returns the report: good rows are imported, bad rows skipped and listed.
    ``progress`` hears of each step and of the rows read (see :class:`Progress`).
    """
    report = ImportReport()
    with Package(path) as package:
        package.check()
        with transaction.atomic():
            importer = _Importer(package, report, progress or NoProgress())
            importer.run()
            committing = time.monotonic()
        # Postgres checks the deferred foreign keys of every new row here.
        report.seconds["commit"] = time.monotonic() - committing
    if importer.changed_anything:
        started = time.monotonic()
        if compact_after_full_refresh():
            report.seconds["compact"] = time.monotonic() - started
    return report


class _Importer(RowParser):
    def __init__(self, package: Package, report: ImportReport, progress: Progress) -> None:
        super().__init__(package, report)
        self.progress = progress
        self.now = timezone.now()
        self.slugs: dict[type, set[str]] = {}
        self.languages: dict[str, int] = {}
        self.changed_anything = False
        self.moved_locations: set[int] = set()  # new or changed: their place is worked out
        self.pending_log: list[models.Metadata] = []  # this batch's change-log rows

    def run(self) -> None:
        def rows(table: str, model: type, parse) -> tuple[str, object]:
            return table, functools.partial(self.import_rows, table, model, parse)

        steps = [
            ("taxonomies", self.read_taxonomies),
            rows("taxonomy_terms", models.Category, self.parse_term),
            ("term parents", self.link_term_parents),
            ("attributes scan", self.scan_attributes),
            rows("organizations", models.Organization, self.parse_organization),
            rows("services", models.Service, self.parse_service),
            rows("locations", models.Location, self.parse_location),
            (
                "addresses",
                functools.partial(
                    self.fold_into_locations, "addresses", self.parse_address, "address_hsds_id"
                ),
            ),
            (
                "accessibility",
                functools.partial(
                    self.fold_into_locations,
                    "accessibility",
                    self.parse_accessibility,
                    "accessibility_hsds_id",
                ),
            ),
            ("places", self.fill_places),
            rows("service_at_location", models.ServiceAtLocation, self.parse_service_at_location),
            rows("phones", models.Phone, self.parse_phone),
            rows("schedules", models.Schedule, self.parse_schedule),
            ("languages", self.import_languages),
            rows("attributes", models.ServiceCategory, self.parse_attribute),
            ("search vectors", self.refresh_search),
        ]
        for number, (name, step) in enumerate(steps, start=1):
            self.progress.step(name, number, len(steps))
            started = time.monotonic()
            step()
            self.report.seconds[name] = time.monotonic() - started

    def refresh_search(self) -> None:
        if self.changed_anything:
            refresh_search_vectors()

    # -- writing -----------------------------------------------------------------------------

    def new_slug(self, model: type, text: str) -> str:
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

    def import_rows(self, table: str, model: type, parse) -> None:
        batch: list[tuple[Row, dict]] = []
        for count, row in enumerate(self.package.rows(table, self.report), start=1):
            if count % BATCH_SIZE == 0:
                self.progress.rows(table, count)
            try:
                fields = parse(row)
            except RowError as error:
                self.report.skip(TABLE_FILES[table], row.line, str(error))
                continue
            if fields is None:  # a row this portal has no use for (e.g. another attribute)
                continue
            error = length_error(model, fields)
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
        self.pending_log = []  # a batch that failed and is retried row by row starts again
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
            if model in LOGGED_MODELS:
                self.log_changes(
                    obj, [Change(name, getattr(obj, name), fields[name]) for name in diff]
                )
            for name in diff:
                setattr(obj, name, fields[name])
            changed_fields.update(diff)
            to_update.append(obj)
        created = bulk_insert(model, to_create, self.now)
        if to_update:
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False):
                    changed_fields.add(field.name)
                    for obj in to_update:
                        setattr(obj, field.attname, self.now)
            bulk_update(model, to_update, sorted(changed_fields))
            models.Metadata.objects.bulk_create(self.pending_log, batch_size=BATCH_SIZE)
        # Only once the batch is in: record the new ids and the counts.
        ids.update(created)
        if model is models.Location:
            self.moved_locations.update(created.values())
            self.moved_locations.update(obj.pk for obj in to_update)
        self.report.created[table] += len(created)
        self.report.updated[table] += len(to_update)
        self.report.unchanged[table] += unchanged
        if created or to_update:
            self.changed_anything = True

    def log_changes(self, obj, changes: list[Change]) -> None:
        """An update of an existing service, phone or schedule goes in the listing's change
        log (written with the batch, in its transaction)."""
        service_id = obj.pk if isinstance(obj, models.Service) else obj.service_id
        if service_id is None:  # a phone or schedule of a location or organization only
            return
        self.pending_log.extend(
            changelog.entries(
                service_id=service_id,
                resource=obj,
                changes=changes,
                source=models.ChangeSource.IMPORT,
                at=self.now,
            )
        )

    # -- steps that are not one row per model row --------------------------------------------

    def link_term_parents(self) -> None:
        """Second pass over the terms, now that every term has a key: link the parents."""
        categories = self.id_map(models.Category)
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
            for category in models.Category.objects.filter(pk__in=parents).only("parent")
            if category.parent_id != parents[category.pk]
        ]
        for category in changed:
            category.parent_id = parents[category.pk]
        bulk_update(models.Category, changed, ["parent"])

    def fold_into_locations(self, table: str, parse, id_field: str) -> None:
        """Addresses and accessibility are one per location here: write them onto it."""
        seen: set[int] = set()
        batch: dict[int, tuple[Row, dict]] = {}
        for row in self.package.rows(table, self.report):
            try:
                pk = self.ref(row, "location_id", models.Location, required=True)
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
            error = length_error(models.Location, fields)
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
        for location in models.Location.objects.filter(pk__in=batch):
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
            bulk_update(models.Location, changed, [*sorted(changed_fields), "modified_at"])
            self.changed_anything = True
            self.moved_locations.update(location.pk for location in changed)
        self.report.updated[table] += len(changed)
        self.report.unchanged[table] += unchanged

    def fill_places(self) -> None:
        """The time zone and position of every new or changed location (Location.fill_place:
        the ZIP code's, when no coordinates were given)."""
        ids = sorted(self.moved_locations)
        for start in range(0, len(ids), BATCH_SIZE):
            batch = list(models.Location.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
            for location in batch:
                location.fill_place()
            bulk_update(models.Location, batch, list(models.PLACE_FIELDS))

    def language_pk(self, code: str, name: str) -> int:
        key = (code or name).strip().lower()[:35]
        if key not in self.languages:
            language, _created = models.Language.objects.get_or_create(
                code=key, defaults={"name": (name or code)[:100]}
            )
            self.languages[key] = language.pk
        return self.languages[key]

    def import_languages(self) -> None:
        """A language row links a service, a location or both to a language."""
        service_batch: list[tuple[Row, dict]] = []
        location_batch: list[tuple[Row, dict]] = []
        for row in self.package.rows("languages", self.report):
            try:
                service = self.ref(row, "service_id", models.Service)
                location = self.ref(row, "location_id", models.Location)
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
                self.write("languages", models.ServiceLanguage, service_batch)
                service_batch = []
            if len(location_batch) >= BATCH_SIZE:
                self.write("languages", models.LocationLanguage, location_batch)
                location_batch = []
        if service_batch:
            self.write("languages", models.ServiceLanguage, service_batch)
        if location_batch:
            self.write("languages", models.LocationLanguage, location_batch)
