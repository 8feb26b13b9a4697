"""Writing the directory as an HSDS 3.0 tabular package: :func:`package_export`.

The package is the same form the importer reads, plus a datapackage.json describing it, so
that importing an export gives back the same directory.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
import zipfile
from collections import Counter
from itertools import chain
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from directory import models

from . import kept
from .bulk import BATCH_SIZE
from .cells import (
    CATEGORY_LINK_TYPE,
    CONFIDENTIAL_LINK_TYPE,
    KIND_LINK_TYPE,
    KIND_LINK_TYPES,
    PARTNER_CITY_LINK_TYPE,
    kind_from_text,
    truthy,
)
from .reader import TABLE_FILES, escape_formula
from .records import RECORD_TABLES
from .validate import schema_columns, schema_properties

# Tables whose kept rows (HsdsRecord) of a confidential location are left out of a package
# for public use, as the location's own address is.
_CONFIDENTIAL_TABLES = ("addresses",)

# A fixed namespace so that the ids export makes up for kind/city/confidential attributes and
# taxonomies are the same at every export (uuid5 of what they describe).
_EXPORT_NAMESPACE = uuid.UUID("6f1c8a52-4d0e-4b8e-9a57-1d2f3c4b5a69")


def published_id(model: type[Model], pk: int, field: str = "hsds_id") -> str:
    """The HSDS id of a row that has none stored (made in the admin or by the demo), the same
    in the API as in an export, which then stores it: this site's UUID for the model and
    field (from SITE_URL, so that two installations do not hand out the same ids) with the
    row's primary key as its last 12 hex digits, so that the API can find the row by it."""
    site_model = uuid.uuid5(_EXPORT_NAMESPACE, f"{settings.SITE_URL} {model._meta.label} {field}")
    return f"{str(site_model)[:24]}{pk:012x}"


def published_pk(model: type[Model], hsds_id: str, field: str = "hsds_id") -> int | None:
    """The primary key that :func:`published_id` made ``hsds_id`` from, or None."""
    digits = hsds_id[24:]
    if len(digits) != 12 or not all(digit in "0123456789abcdef" for digit in digits):
        return None
    pk = int(digits, 16)
    return pk if published_id(model, pk, field) == hsds_id else None


def taxonomy_row(name: str) -> list[str]:
    """The taxonomies.csv row (id, name, description) of the terms whose taxonomy is ``name``."""
    taxonomy_id = str(uuid.uuid5(_EXPORT_NAMESPACE, f"taxonomy:{name}"))
    return [taxonomy_id, name or "Portal categories", name]


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
    # Each listing's change log (directory.changelog): who is a role, never a person's name.
    "metadata": _spec(
        "id=hsds_id resource_id resource_type last_action_date last_action_type field_name "
        "previous_value replacement_value updated_by"
    ),
}
EXPORT_FILES = dict(TABLE_FILES)
EXPORT_COLUMNS = {table: [column for column, _ in spec] for table, spec in EXPORT_TABLES.items()}
# Lookups of EXPORT_TABLES that are worked out by the export, not read from a field.
_WORKED_OUT = {("taxonomy_terms", "taxonomy_id")}


def table_columns(table: str) -> list[str]:
    """A table's header: the columns the portal models (EXPORT_TABLES), then the rest of
    its schema's columns, whose cells are kept as given (``kept``, ``HsdsRecord``)."""
    own = EXPORT_COLUMNS.get(table, [])
    return [*own, *(column for column in schema_columns(table) if column not in own)]


def row_cells(table: str, values: dict[str, object]) -> dict[str, str]:
    """The cells the export writes for a modelled row whose EXPORT_TABLES lookups have
    ``values`` (those missing are left out). The importer calls it too, with a row's parsed
    fields, to know which cells it must keep as given (``kept.keep``)."""
    cells = {
        column: _cell(values[lookup])
        for column, lookup in EXPORT_TABLES[table]
        if lookup in values and (table, column) not in _WORKED_OUT
    }
    if table == "addresses" and "address_type" in cells:
        cells["address_type"] = "physical" if cells["address_type"] == "physical" else "postal"
    if table == "taxonomy_terms" and "taxonomy" in values:
        cells["taxonomy_id"] = taxonomy_row(str(values["taxonomy"]))[0]
    return cells


def package_export(
    path: str | Path, *, include_confidential: bool = False, raw: bool = False
) -> Counter[str]:
    """Write the directory as an HSDS 3.0 tabular package: a folder, or a .zip if ``path``
    ends in .zip. Returns the number of rows written per table.

    By default the package is for public use: a confidential location is written without its
    address, map position or transportation notes (only with an attribute saying it is
    confidential). ``include_confidential`` writes everything, for an admin's full backup.

    By default the package is also safe to open in a spreadsheet: a text cell that a
    spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage
    return) is written with an apostrophe before it, and datapackage.json says so
    (``"formulas_escaped": true``), so that importing the package takes the apostrophe off
    again. ``raw`` writes every cell as stored, for another system to read.

    Rows that have no HSDS id yet (made in the admin or by the demo) get one, saved, so that
    importing the export again updates them instead of making copies.
    """
    path = Path(path)
    with transaction.atomic():
        _assign_missing_ids()
        if path.suffix.lower() == ".zip":
            path.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                return _export(lambda name: _zip_text(archive, name), include_confidential, raw)
        path.mkdir(parents=True, exist_ok=True)
        return _export(
            lambda name: (path / name).open("w", newline="", encoding="utf-8"),
            include_confidential,
            raw,
        )


def _zip_text(archive: zipfile.ZipFile, name: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")


def _assign_missing_ids() -> None:
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
        models.PhoneLanguage,
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
    return ~Q(address_1="") | ~Q(city="") | ~Q(postal_code="")


def _fill_ids(model: type, queryset, field_name: str) -> None:
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH_SIZE):
        rows = [model(pk=pk) for pk in pks[start : start + BATCH_SIZE]]
        for row in rows:
            setattr(row, field_name, published_id(model, row.pk, field_name))
        model.objects.bulk_update(rows, [field_name])


def _cell(value: object) -> str:
    if value.__class__ is str:
        return value  # type: ignore[return-value]
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return str(value)


# The one way a stored value is written as a cell (the importer compares cells with it).
cell_text = _cell


def _spreadsheet_cell(value: object) -> str:
    """A cell that no spreadsheet runs: stored text that starts like a formula gets an
    apostrophe first. Numbers, dates and times are written by the export, never escaped
    (a latitude of -83.0 stays a number; the writer leaves the schema's number columns
    alone, as their cells are text by then)."""
    return escape_formula(value) if isinstance(value, str) else _cell(value)


def _export(open_text, include_confidential: bool, raw: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    cell = _cell if raw else _spreadsheet_cell

    def write(table: str, rows) -> None:
        """Write a table: ``rows`` yields each row's cells by column (dicts)."""
        columns = table_columns(table)
        # A number is never a formula ("-33.5"): only text is escaped.
        numbers = {
            column
            for column, spec in schema_properties(table).items()
            if spec.get("type") in ("number", "integer")
        }
        with open_text(EXPORT_FILES[table]) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            # The csv module quotes a cell with a line break only if the break is in its
            # lineterminator: a row with a lone \r in a cell is written with every cell quoted.
            quoting = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writerow(columns)
            for row in rows:
                cells = [
                    (_cell if column in numbers else cell)(row.get(column, ""))
                    for column in columns
                ]
                (quoting if any("\r" in text for text in cells) else writer).writerow(cells)
                counts[table] += 1

    def stream(queryset, *lookups: str):
        return queryset.order_by("pk").values_list(*lookups).iterator(chunk_size=BATCH_SIZE)

    def modelled(table: str, queryset, *extra: str, kept_as: str | None = None):
        """Each row of ``queryset`` as ``table``'s cells, its kept cells written back, and
        the values of the ``extra`` lookups after it: (cells, extra values)."""
        lookups = [
            lookup for column, lookup in EXPORT_TABLES[table] if (table, column) not in _WORKED_OUT
        ]
        for row in stream(queryset, *lookups, "hsds_extra", *extra):
            values = dict(zip(lookups, row, strict=False))
            extra_cells = row[len(lookups)] or {}
            cells = kept.apply(row_cells(table, values), extra_cells.get(kept_as or table))
            yield cells, row[len(lookups) + 1 :]

    def records(table: str, skip_ids: set[str] | frozenset[str] = frozenset()):
        rows = models.HsdsRecord.objects.filter(table=table)
        for hsds_id, data, confidential in stream(
            rows, "hsds_id", "data", "location__is_confidential"
        ):
            if hsds_id in skip_ids:
                continue
            if confidential and not include_confidential and table in _CONFIDENTIAL_TABLES:
                continue
            yield data

    # Taxonomy terms, and the taxonomies: those of the package as given, and one made up
    # for each taxonomy name that a term made here (or without a taxonomy_id) uses.
    terms = [cells for cells, _ in modelled("taxonomy_terms", models.Category.objects)]
    made_up = {}
    for term in terms:
        derived = taxonomy_row(term.get("taxonomy", ""))
        if term.get("taxonomy_id") == derived[0]:
            made_up[derived[0]] = dict(zip(EXPORT_COLUMNS["taxonomies"], derived, strict=True))
    write("taxonomies", chain(records("taxonomies", set(made_up)), made_up.values()))
    write("taxonomy_terms", chain(terms, records("taxonomy_terms")))
    write(
        "organizations",
        chain(
            (cells for cells, _ in modelled("organizations", models.Organization.objects)),
            records("organizations"),
        ),
    )
    write(
        "services",
        chain(
            (cells for cells, _ in modelled("services", models.Service.objects)),
            records("services"),
        ),
    )

    def locations():
        for cells, (confidential,) in modelled(
            "locations", models.Location.objects, "is_confidential"
        ):
            if confidential and not include_confidential:
                cells.update(transportation="", latitude="", longitude="")
            yield cells

    write("locations", chain(locations(), records("locations")))
    shown = models.Location.objects.filter(_has_address_q())
    if not include_confidential:
        shown = shown.filter(is_confidential=False)
    write(
        "addresses",
        chain(
            (cells for cells, _ in modelled("addresses", shown)),
            records("addresses"),
        ),
    )
    write(
        "accessibility",
        chain(
            (
                cells
                for cells, _ in modelled(
                    "accessibility", models.Location.objects.exclude(accessibility="")
                )
            ),
            records("accessibility"),
        ),
    )
    for table, model in (
        ("service_at_location", models.ServiceAtLocation),
        ("phones", models.Phone),
        ("schedules", models.Schedule),
    ):
        write(
            table,
            chain((cells for cells, _ in modelled(table, model.objects)), records(table)),
        )
    write("languages", chain(_language_rows(stream), records("languages")))
    write("attributes", _attribute_rows(stream, records))
    write(
        "metadata",
        chain(
            (cells for cells, _ in _metadata_rows(stream)),
            records("metadata"),
        ),
    )
    for table in RECORD_TABLES:
        write(table, records(table))
    with open_text("datapackage.json") as handle:
        handle.write(json.dumps(_datapackage(include_confidential, raw), indent=2) + "\n")
    return counts


def _metadata_rows(stream):
    lookups = [lookup for _, lookup in EXPORT_TABLES["metadata"]]
    for row in stream(models.Metadata.objects, *lookups):
        yield row_cells("metadata", dict(zip(lookups, row, strict=True))), ()


def _language_rows(stream):
    """A language row of the package can name a service, a location and a phone at once;
    each link then carries its id (and its kept cells), and they are written back as that
    one row. The links of locations and phones are held by id while those of services
    stream past (there are far fewer of them)."""

    def links(model, lookup):
        return stream(
            model.objects, "hsds_id", lookup, "language__name", "language__code", "note",
            "hsds_extra",
        )  # fmt: skip

    held = {
        column: {hsds_id: rest for hsds_id, *rest in links(model, lookup)}
        for column, model, lookup in (
            ("location_id", models.LocationLanguage, "location__hsds_id"),
            ("phone_id", models.PhoneLanguage, "phone__hsds_id"),
        )
    }

    def row(hsds_id, found: dict[str, list]) -> dict[str, str]:
        _owner, name, code, note, extra = next(iter(found.values()))
        cells = {"id": hsds_id, "name": name, "code": code, "note": note}
        for column in ("service_id", "location_id", "phone_id"):
            cells[column] = found[column][0] if column in found else ""
        return kept.apply(cells, (extra or {}).get("languages"))

    for hsds_id, *rest in links(models.ServiceLanguage, "service__hsds_id"):
        found = {"service_id": rest}
        for column, by_id in held.items():
            if hsds_id in by_id:
                found[column] = by_id.pop(hsds_id)
        yield row(hsds_id, found)
    location_links, phone_links = held["location_id"], held["phone_id"]
    for hsds_id, rest in location_links.items():
        found = {"location_id": rest}
        if hsds_id in phone_links:
            found["phone_id"] = phone_links.pop(hsds_id)
        yield row(hsds_id, found)
    for hsds_id, rest in phone_links.items():
        yield row(hsds_id, {"phone_id": rest})


def made_up_id(what: str, hsds_id: str) -> str:
    """The id of an attribute the export makes up (an organization's kind, its partner
    city, a confidential location), the same at every export."""
    return str(uuid.uuid5(_EXPORT_NAMESPACE, f"{what}:{hsds_id}"))


def _attribute_rows(stream, records):
    """Categories; the package's other attributes, as given; and what HSDS 3.0 has no
    column for, as attributes the export makes up, unless the package's own attributes (or
    the legal status, for the kind) already say it, so that a package comes back as it
    went in. An attribute this export made up before and that came back in a package is
    made up afresh (it may say something old), never written as kept."""
    for cells, _ in _modelled_attributes(stream):
        yield cells
    said: set[tuple[str, str, str]] = set()
    made_up: list[dict[str, str]] = []
    for data in (
        models.HsdsRecord.objects.filter(table="attributes")
        .values_list("data", flat=True)
        .iterator(chunk_size=BATCH_SIZE)
    ):
        link_id = (data.get("link_id") or "").strip()
        link_type = (data.get("link_type") or "").strip().lower()
        if is_made_up(data):
            continue
        value = (data.get("value") or "").strip()
        if link_type in KIND_LINK_TYPES:
            said.add(("kind", link_id, kind_from_text(value) or ""))
        elif link_type == PARTNER_CITY_LINK_TYPE:
            said.add(("city", link_id, value))
        elif link_type == CONFIDENTIAL_LINK_TYPE and truthy(value):
            said.add(("confidential", link_id, "true"))
    for org, kind, city, legal_status in stream(
        models.Organization.objects, "hsds_id", "kind", "city__slug", "legal_status"
    ):
        if kind != models.OrganizationKind.UNKNOWN and kind != kind_from_text(legal_status):
            made_up.append(_made_up("kind", org, KIND_LINK_TYPE, "organization", kind, said))
        if city:
            made_up.append(
                _made_up("city", org, PARTNER_CITY_LINK_TYPE, "organization", city, said)
            )
    for (location,) in stream(models.Location.objects.filter(is_confidential=True), "hsds_id"):
        made_up.append(
            _made_up("confidential", location, CONFIDENTIAL_LINK_TYPE, "location", "true", said)
        )
    made_up_ids = set()
    for row in made_up:
        if row:
            made_up_ids.add(row["id"])
    for data in records("attributes"):
        if data.get("id") not in made_up_ids and not is_made_up(data):
            yield data
    yield from (row for row in made_up if row)


_MADE_UP = ("kind", "city", "confidential")


def is_made_up(data: dict) -> bool:
    """Whether an attribute row is one this export makes up (by its id)."""
    link_id = (data.get("link_id") or "").strip()
    return data.get("id") in {made_up_id(what, link_id) for what in _MADE_UP}


def _made_up(what, link_id, link_type, entity, value, said) -> dict[str, str] | None:
    key = (what, link_id, (kind_from_text(value) or "") if what == "kind" else value)
    if key in said:
        return None
    return {
        "id": made_up_id(what, link_id),
        "link_id": link_id,
        "taxonomy_term_id": "",
        "link_type": link_type,
        "link_entity": entity,
        "value": value,
    }


def _modelled_attributes(stream):
    lookups = ("hsds_id", "service__hsds_id", "category__hsds_id", "hsds_extra")
    for hsds_id, service, term, extra in stream(models.ServiceCategory.objects, *lookups):
        cells = {
            "id": hsds_id,
            "link_id": service,
            "taxonomy_term_id": term,
            "link_type": CATEGORY_LINK_TYPE,
            "link_entity": "service",
            "value": "",
        }
        yield kept.apply(cells, (extra or {}).get("attributes")), ()


def _datapackage(include_confidential: bool, raw: bool = False) -> dict:
    return {
        "name": "compassion-portal-directory",
        "title": "Community resource directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "created": timezone.now().isoformat(),
        "description": (
            "Full backup: includes the addresses of confidential locations. Do not publish."
            if include_confidential
            else "For public use: confidential locations have no address or map position."
        )
        + (
            ""
            if raw
            else " Text cells that a spreadsheet would run as a formula (starting with =, +, "
            "-, @, a tab or a carriage return) have an apostrophe (') put before them."
        ),
        # Read back by the importer (reader.Package.formulas_escaped), which then takes the
        # apostrophe off again.
        "formulas_escaped": not raw,
        "resources": [
            {
                "name": table,
                "path": EXPORT_FILES[table],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": column, "type": _field_type(table, column)}
                        for column in table_columns(table)
                    ],
                    "primaryKey": "id",
                },
            }
            for table in EXPORT_FILES
        ],
    }


def _field_type(table: str, column: str) -> str:
    """A column's type in datapackage.json (Frictionless table schema): the JSON schema's."""
    kind = schema_properties(table).get(column, {}).get("type")
    return "number" if kind in ("number", "integer") else "string"
