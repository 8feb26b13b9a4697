"""Importing a package into the directory: :func:`package_import`.

Rows are matched by HSDS id, so importing the same package again updates instead of making
copies. Tables are read in an order where what a row points to is already in; each is
streamed in batches, and a batch creates its new rows and updates its changed ones at once.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from directory import changelog, models
from directory.changelog import Change
from directory.search import compact_after_full_refresh, refresh_search_vectors

from . import kept, validate
from .bulk import BATCH_SIZE, bulk_insert, bulk_update
from .cells import CATEGORY_LINK_TYPE, RowError, length_error
from .exporter import (
    EXPORT_COLUMNS,
    EXPORT_TABLES,
    cell_text,
    is_made_up,
    row_cells,
    taxonomy_row,
)
from .reader import TABLE_FILES, ImportReport, Package, Row
from .records import RECORD_TABLES, RecordWriter
from .rows import MODELS, OWNER_COLUMNS, REFERENCES, KeepAsRecord, RowParser, entity_table
from .validate import schema_columns

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
    if importer.wrote_anything:
        started = time.monotonic()
        if compact_after_full_refresh():
            report.seconds["compact"] = time.monotonic() - started
    return report


# Tables whose rows the portal cannot hold half: a row of theirs it cannot model is skipped.
# A row of any other table that it cannot model is kept as given (HsdsRecord), with a warning.
CORE_TABLES = ("organizations", "services")
# The models that hold a table's rows when the portal can use them. A row kept as given that an
# earlier import modelled leaves them (a taxonomy term stays: topics are curated here).
HELD_BY = {
    "locations": (models.Location,),
    "service_at_location": (models.ServiceAtLocation,),
    "phones": (models.Phone,),
    "schedules": (models.Schedule,),
    "attributes": (models.ServiceCategory,),
    "languages": (models.ServiceLanguage, models.LocationLanguage, models.PhoneLanguage),
}
# Tables folded into their location: the field of the row's id, and the fields it fills.
FOLDED = {
    "addresses": (
        "address_hsds_id",
        ("address_1", "address_2", "city", "region", "state_province", "postal_code", "country"),
    ),
    "accessibility": ("accessibility_hsds_id", ("accessibility",)),
}
# Two rows of these cannot link the same pair: the second is kept as given.
UNIQUE_PAIRS = {
    models.ServiceAtLocation: ("service_id", "location_id"),
    models.ServiceCategory: ("service_id", "category_id"),
}


class _Importer(RowParser):
    def __init__(self, package: Package, report: ImportReport, progress: Progress) -> None:
        super().__init__(package, report)
        self.progress = progress
        self.now = timezone.now()
        self.slugs: dict[type, set[str]] = {}
        self.languages: dict[str, tuple[int, str, str]] = {}
        self.changed_anything = False
        self.moved_locations: set[int] = set()  # new or changed: their place is worked out
        self.pending_log: list[models.Metadata] = []  # this batch's change-log rows
        self.records = RecordWriter(report)
        self.pairs: dict[type, set[tuple]] = {}
        self.term_ids: set[str] = set()
        self.parent_organizations: list[tuple[int, str]] = []  # (line, id) to check at the end
        self.reference_columns: dict[str, list[tuple[str, str | None]]] = {}
        self.kept_plans: dict[str, tuple[list, list[str]]] = {}
        self.now_kept: dict[str, dict[str, int]] = {}  # table -> HSDS id -> line
        self.held_before: dict[type, bool] = {}  # held rows with an HSDS id when first asked

    @property
    def wrote_anything(self) -> bool:
        return self.changed_anything or self.records.changed_anything

    def run(self) -> None:
        def rows(table: str, model: type, parse) -> tuple[str, object]:
            return table, functools.partial(self.import_rows, table, model, parse)

        def kept_rows(table: str) -> tuple[str, object]:
            return table, functools.partial(self.keep_rows, table)

        steps = [
            ("taxonomies", self.read_taxonomies),
            rows("taxonomy_terms", models.Category, self.parse_term),
            ("term parents", self.link_term_parents),
            ("attributes scan", self.scan_attributes),
            rows("organizations", models.Organization, self.parse_organization),
            kept_rows("programs"),
            kept_rows("organization_identifiers"),
            rows("services", models.Service, self.parse_service),
            kept_rows("funding"),
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
            kept_rows("contacts"),
            rows("phones", models.Phone, self.parse_phone),
            rows("schedules", models.Schedule, self.parse_schedule),
            ("languages", self.import_languages),
            kept_rows("service_areas"),
            kept_rows("required_documents"),
            kept_rows("cost_options"),
            rows("attributes", models.ServiceCategory, self.parse_attribute),
            kept_rows("meta_table_descriptions"),
            ("metadata", self.keep_metadata),
            ("search vectors", self.refresh_search),
        ]
        for number, (name, step) in enumerate(steps, start=1):
            self.progress.step(name, number, len(steps))
            started = time.monotonic()
            step()
            self.records.flush()
            self.unmodel()
            self.report.seconds[name] = time.monotonic() - started

    def refresh_search(self) -> None:
        # The rows are all in: what was kept to look them up is let go before the search
        # index, which reads every schedule, is built.
        self.ids.clear()
        self.pairs.clear()
        self.slugs.clear()
        if self.changed_anything:
            refresh_search_vectors()

    # -- what every row goes through ---------------------------------------------------------

    def valid_rows(self, table: str) -> Iterator[Row]:
        """The table's rows that its schema allows (the others are skipped with the field
        that failed), each of whose references to a row not in the package is reported."""
        for count, row in enumerate(self.package.rows(table, self.report), start=1):
            if count % BATCH_SIZE == 0:
                self.progress.rows(table, count)
            error = validate.row_error(table, row.values)
            if error:
                self.report.skip(TABLE_FILES[table], row.line, error)
                continue
            self.check_references(table, row)
            yield row

    def check_references(self, table: str, row: Row) -> None:
        if table not in self.reference_columns:
            self.reference_columns[table] = [
                (column, target)
                for column, target in REFERENCES.items()
                if column in row.values
                and not (table == "services" and column == "organization_id")
            ]  # a service's organization_id is its skip reason when it points nowhere
        values = row.values
        for column, target in self.reference_columns[table]:
            value = values[column]
            if not value or not (value := value.strip()):
                continue
            if target is None:
                entity = row.get("link_entity" if column == "link_id" else "resource_type")
                target = entity_table(entity)
            if self.is_known(target, value) is False:
                self.warn(table, row, f"{column} {value} is not in the package: kept as given")

    def is_known(self, table: str | None, hsds_id: str) -> bool | None:
        """Whether a row of ``table`` has that id (None: the portal cannot tell)."""
        if table is None:
            found = [self.is_known(name, hsds_id) for name in (*MODELS, *RECORD_TABLES)]
            return True if True in found else None if None in found else False
        if table in MODELS and hsds_id in self.id_map(MODELS[table]):
            return True
        if table == "taxonomies":
            return hsds_id in self.taxonomy_names
        if table in ("addresses", "accessibility", "languages", "attributes", "metadata"):
            return None if not self.records.known(table).get(hsds_id) else True
        return hsds_id in self.records.known(table)

    def owners(self, row: Row) -> dict[str, int | None]:
        """The organization, service and location a kept row belongs to (for deleting it
        with them), from its own columns or, for an attribute or metadata, the row it
        describes."""
        found: dict[str, int | None] = {
            "organization_id": None,
            "service_id": None,
            "location_id": None,
        }
        for column, table in OWNER_COLUMNS.items():
            if row.get(column):
                found[column] = self.id_map(MODELS[table]).get(row.get(column))
        for column, entity_column in (("link_id", "link_entity"), ("resource_id", "resource_type")):
            table = entity_table(row.get(entity_column)) if row.get(column) else None
            if table in OWNER_COLUMNS.values():
                owner = next(name for name, target in OWNER_COLUMNS.items() if target == table)
                found[owner] = self.id_map(MODELS[table]).get(row.get(column))
        return found

    def keep_row(self, table: str, row: Row, reason: str | None = None) -> None:
        """Keep a valid row that no model holds as given; ``reason`` says why the portal
        cannot use it (a warning)."""
        if reason:
            self.warn(table, row, f"{reason}: kept as given, not used here")
        self.records.add(table, row, self.owners(row))
        if table in HELD_BY or table in FOLDED:
            self.now_kept.setdefault(table, {})[row.get("id")] = row.line
            if len(self.now_kept[table]) >= BATCH_SIZE:
                self.unmodel()

    def unmodel(self) -> None:
        """Rows now kept as given that an earlier import modelled leave their model: the
        listing then shows nothing the package no longer says (weekly hours that became
        monthly ones) and the export writes the row once, as now given."""
        for table, lines in self.now_kept.items():
            if table in FOLDED:
                self.unfold(table, lines)
                continue
            for model in HELD_BY[table]:
                stored = model.objects.filter(hsds_id__in=list(lines))
                dropped = list(stored.values_list("hsds_id", flat=True))
                if not dropped:
                    continue
                stored.delete()
                # What the deletion took with it (a location's services at it) may be in
                # the maps: they are read again when next needed.
                self.ids.clear()
                self.changed_anything = True
                for hsds_id in dropped:
                    self.report.warn(
                        TABLE_FILES[table],
                        lines[hsds_id],
                        "what an earlier import made of this row is removed from the directory",
                    )
        self.now_kept.clear()

    def unfold(self, table: str, lines: dict[str, int]) -> None:
        """An address or accessibility row now kept as given leaves the location an earlier
        import folded it into (a location's address then comes only from the package)."""
        id_field, fields = FOLDED[table]
        changed = list(models.Location.objects.filter(**{f"{id_field}__in": list(lines)}))
        for location in changed:
            self.report.warn(
                TABLE_FILES[table],
                lines[getattr(location, id_field)],
                "what an earlier import made of this row is removed from the directory",
            )
            for name in (id_field, *fields):
                setattr(location, name, "")
            location.hsds_extra = {
                name: cells for name, cells in location.hsds_extra.items() if name != table
            }
            location.modified_at = self.now
        if changed:
            bulk_update(models.Location, changed, [id_field, *fields, "hsds_extra", "modified_at"])
            self.moved_locations.update(location.pk for location in changed)
            self.changed_anything = True

    def keep_rows(self, table: str) -> None:
        """A table the portal does not model: every valid row is kept as given."""
        for row in self.valid_rows(table):
            self.keep_row(table, row)

    def keep_metadata(self) -> None:
        """Another system's metadata rows are kept as given; this portal's own change log
        (directory.changelog), when an export of this site comes back, is already here."""
        own: set[str] = set()
        if self.package.has("metadata"):
            own = set(
                models.Metadata.objects.values_list("hsds_id", flat=True).iterator(
                    chunk_size=BATCH_SIZE
                )
            )
        for row in self.valid_rows("metadata"):
            if row.get("id") not in own:
                self.keep_row("metadata", row)

    def kept_cells(self, table: str, row: Row, fields: dict, base: dict | None = None) -> dict:
        """The row's cells that ``fields`` do not hold as given (see ``kept``)."""
        if table in ("addresses", "accessibility", "taxonomy_terms"):
            return self._kept_cells_worked_out(table, row, fields, base)
        # The same as kept.keep(row.values, row_cells(table, ...), ...) in one pass, as it
        # runs for every row of the big tables.
        plan, unmodelled = self.kept_plan(table, row)
        given = row.values
        found: dict = {}
        for column, lookup, attname in plan:
            if attname is not None:
                if attname not in fields:
                    continue
                cell = given[column].strip() if fields[attname] is not None else ""
            elif lookup in fields:
                cell = cell_text(fields[lookup])
            else:
                continue
            if given[column] != cell:
                found[column] = [given[column], cell]
        for column in unmodelled:
            if given[column] != "":
                found[column] = given[column]
        return found

    def _kept_cells_worked_out(self, table: str, row: Row, fields: dict, base) -> dict:
        """kept_cells of the tables whose cells the export works out (folded into a location,
        or a term's taxonomy id made from its name)."""
        values = {"hsds_id": row.get("id"), **(base or {})}
        for column, lookup in EXPORT_TABLES[table]:
            if lookup.endswith("__hsds_id"):
                attname = f"{lookup.split('__')[0]}_id"
                if attname in fields:
                    values[lookup] = row.get(column) if fields[attname] is not None else None
            elif lookup in fields:
                values[lookup] = fields[lookup]
        if table == "taxonomy_terms":
            parent = row.get("parent_id")
            values["parent__hsds_id"] = parent if parent in self.term_ids else None
        return kept.keep(
            row.values,
            row_cells(table, values),
            schema_columns(table),
            frozenset(EXPORT_COLUMNS[table]),
        )

    def kept_plan(self, table: str, row: Row) -> tuple[list, list[str]]:
        """For :meth:`kept_cells`, worked out from the first row of a table (all its rows have
        its header's columns): (column, lookup, the field a reference column is held in or
        None) of its modelled columns but the id, and its other columns of the schema."""
        if table not in self.kept_plans:
            plan = [
                (
                    column,
                    lookup,
                    f"{lookup.split('__')[0]}_id" if lookup.endswith("__hsds_id") else None,
                )
                for column, lookup in EXPORT_TABLES[table]
                if column in row.values and column != "id"
            ]
            modelled = set(EXPORT_COLUMNS[table])
            unmodelled = [
                column
                for column in schema_columns(table)
                if column in row.values and column not in modelled
            ]
            self.kept_plans[table] = (plan, unmodelled)
        return self.kept_plans[table]

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

    def cannot_model(self, table: str, row: Row, reason: str) -> None:
        """A row the portal cannot model: skipped if it is a listing's, else kept as given."""
        if table in CORE_TABLES:
            self.report.skip(TABLE_FILES[table], row.line, reason)
        else:
            self.keep_row(table, row, reason)

    def import_rows(self, table: str, model: type, parse) -> None:
        batch: list[tuple[Row, dict]] = []
        pairs = self.pairs.setdefault(model, set()) if model in UNIQUE_PAIRS else None
        for row in self.valid_rows(table):
            try:
                fields = parse(row)
            except KeepAsRecord:
                if not (table == "attributes" and is_made_up(row.values)):
                    self.keep_row(table, row)
                # else an attribute this portal's export made up: it makes it again
                continue
            except RowError as error:
                self.cannot_model(table, row, str(error))
                continue
            error = length_error(model, fields)
            if error:
                self.cannot_model(table, row, error)
                continue
            if pairs is not None:
                pair = tuple(fields[name] for name in UNIQUE_PAIRS[model])
                if pair in pairs:
                    linked = " and ".join(UNIQUE_PAIRS[model])
                    self.keep_row(table, row, f"another row links the same {linked}")
                    continue
                pairs.add(pair)
            if table == "attributes":
                portal = {
                    "link_id": row.get("link_id"),
                    "taxonomy_term_id": row.get("taxonomy_term_id"),
                    "link_type": CATEGORY_LINK_TYPE,
                    "link_entity": "service",
                    "value": "",
                }
                extra = kept.keep(row.values, portal, schema_columns(table), frozenset())
            else:
                extra = self.kept_cells(table, row, fields)
            if table == "organizations" and row.get("parent_organization_id"):
                self.parent_organizations.append((row.line, row.get("parent_organization_id")))
            fields["hsds_extra"] = {table: extra} if extra else {}
            batch.append((row, fields))
            if len(batch) >= BATCH_SIZE:
                self.write(table, model, batch)
                batch = []
        if batch:
            self.write(table, model, batch)
        if table == "organizations":
            known = self.id_map(models.Organization)
            for line, parent in self.parent_organizations:
                if parent not in known:
                    self.report.warn(
                        TABLE_FILES[table],
                        line,
                        f"parent_organization_id {parent} is not in the package: kept as given",
                    )

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
        self.records.forget(table, [row.get("id") for row, _fields in batch])

    def _write(self, table: str, model: type, batch: list[tuple[Row, dict]]) -> None:
        self.pending_log = []  # a batch that failed and is retried row by row starts again
        known = self.stored_ids(model, [row.get("id") for row, _fields in batch])
        existing = {obj.pk: obj for obj in model.objects.filter(pk__in=known.values())}
        has_slug = any(field.name == "slug" for field in model._meta.concrete_fields)
        auto_now = [
            field.attname
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False)
        ]
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
            if obj.hsds_extra and set(obj.hsds_extra) - {table}:
                # A location keeps its address's and accessibility's cells beside its own.
                merged = {name: cells for name, cells in obj.hsds_extra.items() if name != table}
                fields = {**fields, "hsds_extra": {**merged, **fields["hsds_extra"]}}
            diff = [name for name, value in fields.items() if getattr(obj, name) != value]
            if not diff:
                unchanged += 1
                continue
            logged = [name for name in diff if name != "hsds_extra"]
            if model in LOGGED_MODELS and logged:
                self.log_changes(
                    obj, [Change(name, getattr(obj, name), fields[name]) for name in logged]
                )
            for name in diff:
                setattr(obj, name, fields[name])
            changed_fields.update(diff)
            to_update.append(obj)
            for name in auto_now:
                if name not in fields:
                    setattr(obj, name, self.now)
        created = bulk_insert(model, to_create, self.now)
        if to_update:
            for field in model._meta.concrete_fields:
                if getattr(field, "auto_now", False):
                    changed_fields.add(field.name)
            bulk_update(model, to_update, sorted(changed_fields))
            models.Metadata.objects.bulk_create(self.pending_log, batch_size=BATCH_SIZE)
        # Only once the batch is in: record the new ids and the counts.
        if model in self.ids:
            self.ids[model].update(created)
        if model is models.Location:
            self.moved_locations.update(created.values())
            self.moved_locations.update(obj.pk for obj in to_update)
        self.report.created[table] += len(created)
        self.report.updated[table] += len(to_update)
        self.report.unchanged[table] += unchanged
        if created or to_update:
            self.changed_anything = True

    def stored_ids(self, model: type, hsds_ids: list[str]) -> dict[str, int]:
        """HSDS id -> primary key of those of a batch's rows already stored: from the id map
        when another table has needed it, else asked of the database. A table nothing refers
        to (schedules, a service's categories and languages) then holds no map of all its
        ids: at 200,000 services those maps held about 700,000 of them."""
        if model in self.ids:
            ids = self.ids[model]
            return {hsds_id: ids[hsds_id] for hsds_id in hsds_ids if hsds_id in ids}
        if model not in self.held_before:
            self.held_before[model] = model.objects.exclude(hsds_id=None).exists()
        if not self.held_before[model]:
            # The table held no such row when first asked, before this import wrote one:
            # none of the batch can be stored yet, since the reader refuses an id that
            # comes twice in a file. (Asked after, the answer is yes: the database is asked.)
            return {}
        stored = model.objects.filter(hsds_id__in=hsds_ids).values_list("hsds_id", "pk")
        return dict(stored)

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

    def read_taxonomies(self) -> None:
        """Taxonomies are kept as given; their names name the terms that give none. The ids
        of the terms are read first too, so that a term's parent later in the file counts as
        in the package."""
        for row in self.valid_rows("taxonomies"):
            self.taxonomy_names[row.get("id")] = row.get("name")
            if row.get("id") != taxonomy_row(row.get("name"))[0]:
                self.keep_row("taxonomies", row)
            # else one this portal's export made up for the name: it makes it again
        self.term_ids = {
            row.get("id") for row in self.package.rows("taxonomy_terms", ImportReport())
        }

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
                # An optional link: the term is kept at the top level, its parent_id as given.
                self.warn(
                    "taxonomy_terms", row, f"parent_id {parent_id} is not in the package: "
                    "kept as given"
                )  # fmt: skip
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
        """Addresses and accessibility are folded into their location, the first row of
        each for a location; a second one (a postal address beside the physical one, a
        hearing loop beside a ramp) is kept as given, as is one whose location is not in
        the package."""
        seen: set[int] = set()
        batch: dict[int, tuple[Row, dict]] = {}
        for row in self.valid_rows(table):
            pk = self.ref(row, "location_id", models.Location)
            if pk is None or pk in seen:
                self.keep_row(table, row)
                continue
            try:
                fields = parse(row)
            except RowError as error:
                self.keep_row(table, row, str(error))
                continue
            error = length_error(models.Location, fields)
            if error:
                self.keep_row(table, row, error)
                continue
            seen.add(pk)
            fields[id_field] = row.get("id")
            batch[pk] = (row, fields)
            if len(batch) >= BATCH_SIZE:
                self._fold(table, batch, id_field)
                batch = {}
        if batch:
            self._fold(table, batch, id_field)

    def _fold(self, table: str, batch: dict[int, tuple[Row, dict]], id_field: str) -> None:
        changed, changed_fields, unchanged = [], set(), 0
        for location in models.Location.objects.filter(pk__in=batch):
            row, fields = batch[location.pk]
            base = {"hsds_id": location.hsds_id, "location_type": location.location_type}
            extra = self.kept_cells(table, row, {**fields, id_field: row.get("id")}, base)
            merged = {name: cells for name, cells in location.hsds_extra.items() if name != table}
            fields = {**fields, "hsds_extra": {**merged, **({table: extra} if extra else {})}}
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

    def language(self, code: str, name: str) -> tuple[int, str, str]:
        """(primary key, code, name) of the language a row names, made when new."""
        key = (code or name).strip().lower()[:35]
        if key not in self.languages:
            language, _created = models.Language.objects.get_or_create(
                code=key, defaults={"name": (name or code)[:100]}
            )
            self.languages[key] = (language.pk, language.code, language.name)
        return self.languages[key]

    def import_languages(self) -> None:
        """A language row links a service, a location, a phone or several of them to a
        language; one that names no language or links none of them is kept as given."""
        links = (
            ("service_id", models.Service, models.ServiceLanguage),
            ("location_id", models.Location, models.LocationLanguage),
            ("phone_id", models.Phone, models.PhoneLanguage),
        )
        batches: dict[type, list[tuple[Row, dict]]] = {link: [] for _c, _m, link in links}
        pairs: dict[type, set[tuple[int, int]]] = {link: set() for _c, _m, link in links}
        for row in self.valid_rows("languages"):
            owners = {column: self.ref(row, column, model) for column, model, _l in links}
            if not (row.get("code") or row.get("name")):
                self.keep_row("languages", row, "no code or name")
                continue
            if not any(owners.values()):
                self.keep_row("languages", row)
                continue
            language, code, name = self.language(row.get("code"), row.get("name"))
            if any(
                (owners[column], language) in pairs[link]
                for column, _m, link in links
                if owners[column]
            ):
                self.keep_row("languages", row, "another row links the same language")
                continue
            note = row.get("note")[:500]
            portal = {column: row.get(column) if owners[column] else "" for column, _m, _l in links}
            portal.update(name=name, code=code, note=note)
            extra = kept.keep(row.values, portal, schema_columns("languages"), frozenset())
            hsds_extra = {"languages": extra} if extra else {}
            for column, _model, link in links:
                if owners[column] is None:
                    continue
                pairs[link].add((owners[column], language))
                batches[link].append(
                    (
                        row,
                        {
                            column: owners[column],
                            "language_id": language,
                            "note": note,
                            "hsds_extra": hsds_extra,
                        },
                    )
                )
                if len(batches[link]) >= BATCH_SIZE:
                    self.write("languages", link, batches[link])
                    batches[link] = []
        for link, batch in batches.items():
            if batch:
                self.write("languages", link, batch)
