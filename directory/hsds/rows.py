"""From a row of each table to the fields of its model, checked: one ``parse_*`` per table.

A parser returns the model's fields (attname -> value), raises :class:`KeepAsRecord` for a
valid row that no model holds (it is kept as given, ``records``), or :class:`RowError` for a
row the portal cannot model: the importer skips it when it is an organization or a service (a
listing cannot be half there) and keeps it as given otherwise. A value the portal cannot use
(a latitude of 100, a web address that is not http) is left out of the model with a warning,
and the cell is kept as given (``kept``), so that the export writes it back. References are
looked up in the rows already imported, so the tables are parsed in an order where what a
row points to is in before it; one that points to no row is kept as given, with a warning.
"""

from __future__ import annotations

import datetime
import functools

from django.db import DatabaseError

from compacts.models import City
from directory import models

from . import cells
from .bulk import BATCH_SIZE
from .cells import (
    CONFIDENTIAL_LINK_TYPE,
    KIND_LINK_TYPES,
    PARTNER_CITY_LINK_TYPE,
    RowError,
    kind_from_text,
)
from .reader import TABLE_FILES, ImportReport, Package, Row


def cell_errors(parse):
    """Any error a row's cells raise, beyond the checks of :mod:`cells`, is that row's skip
    reason (naming the cell last read), never the end of the import. The database's errors
    are left to the importer, which retries a batch row by row."""

    @functools.wraps(parse)
    def guarded(self: RowParser, row: Row) -> dict | None:
        try:
            return parse(self, row)
        except (RowError, KeepAsRecord, DatabaseError):
            raise
        except Exception as error:  # whatever a cell raises, the row is skipped
            value = row.values.get(row.column) or ""
            cell = f"{row.column} {cells.shown(value)}" if row.column else "a cell"
            raise RowError(f"{cell} cannot be read ({type(error).__name__}: {error})") from error

    return guarded


class KeepAsRecord(Exception):
    """A valid row that no model holds: keep it as given (HsdsRecord)."""


# The links of a kept row: its organization, service and location, by the columns naming them.
OWNER_COLUMNS = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
}
# A link_entity (attributes) or resource_type (metadata) -> the table its id is in.
ENTITY_TABLES = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "service_at_location": "service_at_location",
    "phone": "phones",
    "schedule": "schedules",
    "taxonomy_term": "taxonomy_terms",
    "taxonomy": "taxonomies",
    "contact": "contacts",
    "program": "programs",
    "funding": "funding",
    "cost_option": "cost_options",
    "service_area": "service_areas",
    "required_document": "required_documents",
    "organization_identifier": "organization_identifiers",
    "meta_table_description": "meta_table_descriptions",
}
# The modelled tables whose ids a reference is looked up in.
MODELS = {
    "organizations": models.Organization,
    "services": models.Service,
    "locations": models.Location,
    "service_at_location": models.ServiceAtLocation,
    "phones": models.Phone,
    "schedules": models.Schedule,
    "taxonomy_terms": models.Category,
}
# Reference columns and the table they point to (None: given by link_entity/resource_type).
REFERENCES = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "service_at_location_id": "service_at_location",
    "phone_id": "phones",
    "contact_id": "contacts",
    "program_id": "programs",
    "taxonomy_term_id": "taxonomy_terms",
    "taxonomy_id": "taxonomies",
    "link_id": None,
    "resource_id": None,
}


def entity_table(entity: str) -> str | None:
    entity = entity.strip().lower()
    if entity in ENTITY_TABLES.values():
        return entity
    return ENTITY_TABLES.get(entity)


class RowParser:
    """The parsers, and what they look up: HSDS id -> primary key per model, the taxonomies'
    names, and what attributes say about organizations and locations (read before those)."""

    def __init__(self, package: Package, report: ImportReport) -> None:
        self.package = package
        self.report = report
        self.ids: dict[type, dict[str, int]] = {}
        self.city_pks: dict[str, int | None] = {}
        self.taxonomy_names: dict[str, str] = {}
        self.org_kinds: dict[str, str] = {}
        self.org_cities: dict[str, str] = {}
        self.confidential: dict[str, bool] = {}

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
        if pk is None and required:
            raise RowError(f"dangling reference: {column} {value} is not in the package")
        return pk

    def soft(self, table: str, row: Row, check, default=None, unused: str = "not used here"):
        """A value the portal cannot use is left out with a warning (its cell is kept)."""
        try:
            return check()
        except RowError as error:
            self.warn(table, row, f"{error}: kept as given, {unused}")
            return default

    def warn(self, table: str, row: Row, reason: str) -> None:
        self.report.warn(TABLE_FILES[table], row.line, reason)

    # -- what other rows say, read first -----------------------------------------------------

    def scan_attributes(self) -> None:
        """Read what organizations and locations need from attributes before creating them."""
        terms = self.id_map(models.Category)
        term_text = {}
        if self.package.has("attributes"):
            term_pks = set(terms.values())
            term_text = {
                pk: f"{code} {name}"
                for pk, code, name in models.Category.objects.filter(pk__in=term_pks).values_list(
                    "pk", "code", "name"
                )
            }
        for row in self.package.rows("attributes", ImportReport()):
            entity, link_type = cells.attribute_target(row)
            if entity == "organization" and link_type in KIND_LINK_TYPES:
                kind = kind_from_text(row.get("value"))
                if kind is None and row.get("taxonomy_term_id") in terms:
                    kind = kind_from_text(term_text.get(terms[row.get("taxonomy_term_id")], ""))
                if kind:
                    self.org_kinds[row.get("link_id")] = kind
            elif entity == "organization" and link_type == PARTNER_CITY_LINK_TYPE:
                self.org_cities[row.get("link_id")] = row.get("value")
            elif entity == "location" and link_type == CONFIDENTIAL_LINK_TYPE:
                self.confidential[row.get("link_id")] = cells.truthy(row.get("value"))

    # -- taxonomy terms and attributes -------------------------------------------------------

    @cell_errors
    def parse_term(self, row: Row) -> dict:
        name = cells.required(row, "name")
        taxonomy = row.get("taxonomy") or self.taxonomy_names.get(row.get("taxonomy_id"), "")
        return {
            "name": name,
            "code": row.get("code"),
            "description": row.get("description"),
            "taxonomy": taxonomy,
        }

    @cell_errors
    def parse_attribute(self, row: Row) -> dict:
        """A service filed under a taxonomy term is a ServiceCategory; every other attribute
        (the kind, partner city and confidentiality the portal reads first, and those it
        does not read) is kept as given."""
        entity, _link_type = cells.attribute_target(row)
        if entity != "service" or not row.get("taxonomy_term_id"):
            raise KeepAsRecord
        service = self.ref(row, "link_id", models.Service)
        category = self.ref(row, "taxonomy_term_id", models.Category)
        if service is None or category is None:
            raise KeepAsRecord
        return {"service_id": service, "category_id": category}

    # -- organizations and services ----------------------------------------------------------

    @cell_errors
    def parse_organization(self, row: Row) -> dict:
        fields = {
            "name": cells.required(row, "name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description"),
            "email": cells.email(row, "email"),
            "website": self.soft("organizations", row, lambda: cells.url(row, "website"), ""),
            "legal_status": row.get("legal_status"),
            "year_incorporated": self.soft(
                "organizations", row, lambda: cells.integer(row, "year_incorporated", 1600, 2200)
            ),
        }
        # Import never forgets what an admin set: the kind and city change only when the
        # package says something about them.
        kind = self.org_kinds.get(row.get("id")) or kind_from_text(row.get("legal_status"))
        if kind:
            fields["kind"] = kind
        elif row.get("id") not in self.id_map(models.Organization):
            fields["kind"] = models.OrganizationKind.UNKNOWN
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

    @cell_errors
    def parse_service(self, row: Row) -> dict:
        status = cells.required(row, "status").lower()
        if status not in models.ServiceStatus.values:
            raise RowError(
                f"status {status!r} is not one of {', '.join(models.ServiceStatus.values)}"
            )
        minimum_age = self.soft("services", row, lambda: cells.integer(row, "minimum_age", 0, 150))
        maximum_age = self.soft("services", row, lambda: cells.integer(row, "maximum_age", 0, 150))
        if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
            self.warn(
                "services",
                row,
                f"minimum_age {minimum_age} is above maximum_age {maximum_age}: "
                "kept as given, not used here",
            )
            minimum_age = maximum_age = None
        fields = {
            "organization_id": self.ref(row, "organization_id", models.Organization, required=True),
            "name": cells.required(row, "name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description"),
            "url": self.soft("services", row, lambda: cells.url(row, "url"), ""),
            "email": cells.email(row, "email"),
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
            fields["assured_date"] = self.soft(
                "services", row, lambda: cells.date(row, "assured_date")
            )
        # When the source last changed the service: kept as the package says.
        if row.get("last_modified"):
            fields["last_modified"] = last_modified(row.get("last_modified"))
        return fields

    # -- locations ---------------------------------------------------------------------------

    @cell_errors
    def parse_location(self, row: Row) -> dict:
        location_type = (row.get("location_type") or "physical").lower()
        if location_type not in models.LocationType.values:
            raise RowError(f"location_type {location_type!r} is not physical, postal or virtual")
        on_maps = "not used for maps or distances"
        latitude = self.soft(
            "locations", row, lambda: cells.decimal(row, "latitude", 90), unused=on_maps
        )
        longitude = self.soft(
            "locations", row, lambda: cells.decimal(row, "longitude", 180), unused=on_maps
        )
        if (latitude is None) != (longitude is None):
            # A position needs both: one alone is kept as given, not used for maps.
            if row.get("latitude") and row.get("longitude"):
                pass  # the bad one was reported above
            else:
                self.warn(
                    "locations",
                    row,
                    "latitude and longitude are not given together: kept as given, "
                    "not used for maps or distances",
                )
            latitude = longitude = None
        organization = self.ref(row, "organization_id", models.Organization)
        fields = {
            "organization_id": organization,
            "name": row.get("name"),
            "alternate_name": row.get("alternate_name"),
            "description": row.get("description"),
            "location_type": location_type,
            "url": self.soft("locations", row, lambda: cells.url(row, "url"), ""),
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

    @cell_errors
    def parse_address(self, row: Row) -> dict:
        country = row.get("country").upper()
        if len(country) > 2:
            # The portal holds a two-letter code; the cell is kept as given.
            country = ""
        return {
            "address_1": row.get("address_1"),
            "address_2": row.get("address_2"),
            "city": row.get("city"),
            "region": row.get("region"),
            "state_province": row.get("state_province"),
            "postal_code": row.get("postal_code"),
            "country": country,
        }

    @cell_errors
    def parse_accessibility(self, row: Row) -> dict:
        text = "\n\n".join(part for part in (row.get("description"), row.get("details")) if part)
        return {"accessibility": text}

    # -- links, phones, schedules ------------------------------------------------------------

    @cell_errors
    def parse_service_at_location(self, row: Row) -> dict:
        return {
            "service_id": self.ref(row, "service_id", models.Service, required=True),
            "location_id": self.ref(row, "location_id", models.Location, required=True),
            "description": row.get("description"),
        }

    def _owners(self, row: Row, columns: dict[str, type]) -> dict:
        owners = {
            f"{column[:-3]}_id": self.ref(row, column, model) for column, model in columns.items()
        }
        if not any(owners.values()):
            raise RowError(f"linked to none of {', '.join(columns)} in the package")
        return owners

    @cell_errors
    def parse_phone(self, row: Row) -> dict:
        phone_type = (row.get("type") or "voice").lower()
        if phone_type not in models.PhoneType.values:
            raise RowError(
                f"phone type {phone_type!r} is not one of {', '.join(models.PhoneType.values)}"
            )
        owners = self._owners(
            row,
            {
                "organization_id": models.Organization,
                "service_id": models.Service,
                "location_id": models.Location,
                "service_at_location_id": models.ServiceAtLocation,
            },
        )
        return {
            **owners,
            "number": cells.required(row, "number").strip("\"' "),
            "extension": row.get("extension"),
            "type": phone_type,
            "description": row.get("description"),
        }

    @cell_errors
    def parse_schedule(self, row: Row) -> dict:
        freq = (row.get("freq") or "WEEKLY").upper()
        if freq != "WEEKLY":
            raise RowError(f"freq {freq} is not supported: the portal keeps weekly hours only")
        days = cells.weekdays(row, "byday")
        opens_at = cells.time(row, "opens_at")
        closes_at = cells.time(row, "closes_at")
        if (opens_at is None) != (closes_at is None):
            raise RowError("opens_at and closes_at must be given together")
        valid_from = cells.date(row, "valid_from")
        valid_to = cells.date(row, "valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            raise RowError("valid_to is before valid_from")
        return {
            **self._owners(
                row,
                {
                    "service_id": models.Service,
                    "location_id": models.Location,
                    "service_at_location_id": models.ServiceAtLocation,
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


def last_modified(value: str) -> datetime.datetime:
    """A services.last_modified cell (checked by the schema's date-time format) in UTC; one
    without an offset is read as UTC."""
    moment = datetime.datetime.fromisoformat(value.replace("z", "Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)
