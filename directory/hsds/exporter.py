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
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from directory import models

from .bulk import BATCH_SIZE
from .cells import (
    CATEGORY_LINK_TYPE,
    CONFIDENTIAL_LINK_TYPE,
    KIND_LINK_TYPE,
    PARTNER_CITY_LINK_TYPE,
)
from .reader import TABLE_FILES, escape_formula

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
# The export's files: the importer's, and the change log, which the importer does not read.
EXPORT_FILES = {**TABLE_FILES, "metadata": "metadata.csv"}
EXPORT_COLUMNS = {table: [column for column, _ in spec] for table, spec in EXPORT_TABLES.items()}


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
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return str(value)


def _spreadsheet_cell(value: object) -> str:
    """A cell that no spreadsheet runs: stored text that starts like a formula gets an
    apostrophe first. Numbers, dates and times are written by the export, never escaped
    (a latitude of -83.0 stays a number)."""
    return escape_formula(value) if isinstance(value, str) else _cell(value)


def _export(open_text, include_confidential: bool, raw: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    cell = _cell if raw else _spreadsheet_cell

    def write(table: str, rows) -> None:
        with open_text(EXPORT_FILES[table]) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            # The csv module quotes a cell with a line break only if the break is in its
            # lineterminator: a row with a lone \r in a cell is written with every cell quoted.
            quoting = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writerow(EXPORT_COLUMNS[table])
            for row in rows:
                cells = [cell(value) for value in row]
                (quoting if any("\r" in text for text in cells) else writer).writerow(cells)
                counts[table] += 1

    def stream(queryset, *lookups: str):
        return queryset.order_by("pk").values_list(*lookups).iterator(chunk_size=BATCH_SIZE)

    def table_rows(table: str, queryset, *extra: str):
        """The table's lookups (and ``extra`` ones after them) for every row of queryset."""
        return stream(queryset, *(lookup for _, lookup in EXPORT_TABLES[table]), *extra)

    names = sorted(set(models.Category.objects.values_list("taxonomy", flat=True)))
    taxonomy_ids = {name: taxonomy_row(name)[0] for name in names}
    write("taxonomies", (taxonomy_row(name) for name in names))
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
    write("metadata", table_rows("metadata", models.Metadata.objects))
    with open_text("datapackage.json") as handle:
        handle.write(json.dumps(_datapackage(include_confidential, raw), indent=2) + "\n")
    return counts


def _attribute_rows(stream):
    """Categories, and what HSDS 3.0 has no column for, as attribute rows."""

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
                    "fields": [{"name": column, "type": "string"} for column in columns],
                    "primaryKey": "id",
                },
            }
            for table, columns in EXPORT_COLUMNS.items()
        ],
    }
