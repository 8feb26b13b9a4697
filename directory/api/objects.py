"""Services, organizations, service at locations and taxonomy terms as HSDS 3.0 objects.

Each function takes primary keys in the order wanted and gives their objects in that order,
flat or nested (``Shape``), in a number of queries that does not grow with how many there
are: each nested table is one query for all of them. A row deleted between two of those
queries (an admin at work during a long stream) is left out, never an error. A confidential
location loses its address, coordinates and transportation notes here (as in the public
export), so no endpoint can show them.
"""

import dataclasses
import functools
import operator
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db.models import Model, Q, QuerySet

from directory.hsds.cells import CATEGORY_LINK_TYPE
from directory.hsds.exporter import EXPORT_COLUMNS, published_id, taxonomy_row
from directory.models import (
    Category,
    Location,
    LocationLanguage,
    Metadata,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
)

from .parameters import Shape
from .tables import Table, hsds_object, read, table

ORGANIZATIONS = table("organizations")
SERVICES = table("services")
LOCATIONS = table("locations")
ADDRESSES = table("addresses")
ACCESSIBILITY = table("accessibility")
SERVICE_AT_LOCATIONS = table("service_at_location")
PHONES = table("phones")
SCHEDULES = table("schedules")
TAXONOMY_TERMS = table("taxonomy_terms")
METADATA = table("metadata")
# A service's id and when it last changed: what minimal=true lists.
MINIMAL_SERVICES = dataclasses.replace(
    SERVICES,
    columns=tuple(c for c in SERVICES.columns if c[0] in ("id", "last_modified")),
    ids={"id": SERVICES.ids["id"]},
)

# What a confidential location never shows, as in the public export; its address neither.
CONFIDENTIAL_COLUMNS = ("transportation", "latitude", "longitude")
# A location has an address when one of these is filled (the export's rule too).
ADDRESS_COLUMNS = ("address_1", "city", "postal_code")


def services(pks: list[int], shape: Shape) -> list[dict]:
    """Services, each with its organization (flat); nested: with its phones, schedules,
    languages, categories (attributes with their taxonomy terms) and service at locations
    (with their phones, schedules and full locations)."""
    found = _services(pks, shape, with_organization=True)
    return [found[pk] for pk in pks if pk in found]


def _services(pks: Collection[int], shape: Shape, *, with_organization: bool) -> dict[int, dict]:
    if not pks:
        return {}
    rows = Service.objects.filter(pk__in=pks).order_by()
    if shape is Shape.MINIMAL:
        return {pk: row for (row,), (pk,) in read(rows, [MINIMAL_SERVICES], extra=["pk"])}
    found, organization_of = {}, {}
    for (service,), (pk, organization_pk) in read(rows, [SERVICES], extra=["pk", "organization"]):
        found[pk], organization_of[pk] = service, organization_pk
    if with_organization:
        providers = _organizations(set(organization_of.values()), Shape.FLAT)
        for pk, service in found.items():
            if (provider := providers.get(organization_of[pk])) is not None:
                service["organization"] = provider
    if shape is Shape.FULL:
        _nest_in_services(found)
    return found


def _nest_in_services(found: dict[int, dict]) -> None:
    ids = {pk: service["id"] for pk, service in found.items()}
    at_locations, service_of, location_of = {}, {}, {}
    links = ServiceAtLocation.objects.filter(service__in=ids).order_by("pk")
    for (link,), (pk, service_pk, location_pk) in read(
        links, [SERVICE_AT_LOCATIONS], extra=["pk", "service", "location"]
    ):
        at_locations[pk], service_of[pk], location_of[pk] = link, service_pk, location_pk
    places = _locations(Location.objects.filter(pk__in=set(location_of.values())), full=True)
    owners = {"service": ids, "service_at_location": at_locations}
    phones = _owned(PHONES, Phone.objects.all(), owners)
    schedules = _owned(SCHEDULES, Schedule.objects.all(), owners)
    for pk, link in at_locations.items():
        link["phones"] = phones[("service_at_location", pk)]
        link["schedules"] = schedules[("service_at_location", pk)]
        if (place := places.get(location_of[pk])) is not None:
            link["location"] = place
    languages = _languages(ServiceLanguage, "service", ids)
    categories = _categories(ids)
    change_log = defaultdict(list)
    entries = Metadata.objects.filter(service__in=ids).order_by("-last_action_date", "-pk")
    for (entry,), (service_pk,) in read(entries, [METADATA], extra=["service"]):
        change_log[service_pk].append(entry)
    by_service = defaultdict(list)
    for pk, link in at_locations.items():
        by_service[service_of[pk]].append(link)
    for pk, service in found.items():
        service["phones"] = phones[("service", pk)]
        service["schedules"] = schedules[("service", pk)]
        service["service_at_locations"] = by_service[pk]
        service["languages"] = languages[pk]
        service["attributes"] = categories[pk]
        service["metadata"] = change_log[pk]


def organizations(pks: list[int], shape: Shape, *, full_services: bool = False) -> list[dict]:
    """Organizations, each with its kind (the portal's profile); nested: with their own
    phones, their locations (full) and their public services (flat, or full with
    ``full_services``)."""
    found = _organizations(pks, shape, full_services=full_services)
    return [found[pk] for pk in pks if pk in found]


def _organizations(
    pks: Collection[int], shape: Shape, *, full_services: bool = False
) -> dict[int, dict]:
    if not pks:
        return {}
    rows = Organization.objects.filter(pk__in=pks).order_by()
    found = {}
    for (organization,), (pk, kind) in read(rows, [ORGANIZATIONS], extra=["pk", "kind"]):
        organization["kind"] = kind
        found[pk] = organization
    if shape is not Shape.FULL:
        return found
    # The organization's own numbers: those of its services and locations are shown there.
    own_phones = Phone.objects.filter(service=None, location=None, service_at_location=None)
    phones = _owned(PHONES, own_phones, {"organization": found})
    sites = list(
        Location.objects.filter(organization__in=found)
        .order_by("name", "pk")
        .values_list("pk", "organization")
    )
    places = _locations(Location.objects.filter(pk__in=[pk for pk, _ in sites]), full=True)
    offered = list(
        Service.objects.public()
        .filter(organization__in=found)
        .order_by("name", "pk")
        .values_list("pk", "organization")
    )
    listed = _services(
        [pk for pk, _ in offered],
        Shape.FULL if full_services else Shape.FLAT,
        with_organization=False,
    )
    for pk, organization in found.items():
        organization["phones"] = phones[("organization", pk)]
        organization["locations"] = [
            places[site] for site, owner in sites if owner == pk and site in places
        ]
        organization["services"] = [
            listed[service] for service, owner in offered if owner == pk and service in listed
        ]
    return found


def service_at_locations(pks: list[int], shape: Shape) -> list[dict]:
    """Service at locations, each with its service (flat) and location (with its address);
    nested: with their own phones and schedules, and the location in full."""
    links = ServiceAtLocation.objects.filter(pk__in=pks).order_by()
    found, service_of, location_of = {}, {}, {}
    for (link,), (pk, service_pk, location_pk) in read(
        links, [SERVICE_AT_LOCATIONS], extra=["pk", "service", "location"]
    ):
        found[pk], service_of[pk], location_of[pk] = link, service_pk, location_pk
    full = shape is Shape.FULL
    places = _locations(Location.objects.filter(pk__in=set(location_of.values())), full=full)
    offered = _services(set(service_of.values()), Shape.FLAT, with_organization=True)
    if full:
        phones = _owned(PHONES, Phone.objects.all(), {"service_at_location": found})
        schedules = _owned(SCHEDULES, Schedule.objects.all(), {"service_at_location": found})
    for pk, link in found.items():
        if (service := offered.get(service_of[pk])) is not None:
            link["service"] = service
        if (place := places.get(location_of[pk])) is not None:
            link["location"] = place
        if full:
            link["phones"] = phones[("service_at_location", pk)]
            link["schedules"] = schedules[("service_at_location", pk)]
    return [found[pk] for pk in pks if pk in found]


def _locations(queryset: QuerySet, *, full: bool) -> dict[int, dict]:
    """Locations with their address; in full also with accessibility, languages, phones
    and schedules. A confidential one has no address, coordinates or transportation."""
    found = {}
    for (location, address, access), (pk, confidential) in read(
        queryset.order_by(), [LOCATIONS, ADDRESSES, ACCESSIBILITY], extra=["pk", "is_confidential"]
    ):
        if confidential:
            for column in CONFIDENTIAL_COLUMNS:
                location.pop(column, None)
        shown = not confidential and any(address.get(column) for column in ADDRESS_COLUMNS)
        location["addresses"] = [address] if shown else []
        if full:
            location["accessibility"] = [access] if access.get("description") else []
        found[pk] = location
    if full and found:
        ids = {pk: location["id"] for pk, location in found.items()}
        languages = _languages(LocationLanguage, "location", ids)
        phones = _owned(PHONES, Phone.objects.all(), {"location": ids})
        schedules = _owned(SCHEDULES, Schedule.objects.all(), {"location": ids})
        for pk, location in found.items():
            location["languages"] = languages[pk]
            location["phones"] = phones[("location", pk)]
            location["schedules"] = schedules[("location", pk)]
    return found


def _owned(
    rows_of: Table, queryset: QuerySet, owners: dict[str, Iterable[int]]
) -> defaultdict[tuple[str, int], list[dict]]:
    """The phones or schedules of ``queryset`` that belong to the owners named (a foreign
    key -> the primary keys wanted), in one query, each listed under every wanted owner it
    has: ``found[("service", 12)]``."""
    wanted = {field: set(pks) for field, pks in owners.items()}
    found: defaultdict[tuple[str, int], list[dict]] = defaultdict(list)
    conditions = [Q(**{f"{field}__in": pks}) for field, pks in wanted.items() if pks]
    if not conditions:
        return found
    fields = list(wanted)
    rows = queryset.filter(functools.reduce(operator.or_, conditions)).order_by("pk")
    for (row,), links in read(rows, [rows_of], extra=fields):
        for field, link in zip(fields, links, strict=True):
            if link in wanted[field]:
                found[(field, link)].append(row)
    return found


def _languages(model: type[Model], owner: str, ids: dict[int, str]) -> defaultdict[int, list]:
    """The languages of services or locations (``ids``: primary key -> HSDS id), read as
    the export reads them (hsds_id, language name and code, note), one query."""
    found: defaultdict[int, list] = defaultdict(list)
    rows = model.objects.filter(**{f"{owner}__in": ids}).order_by("pk")
    lookups = ("pk", "hsds_id", owner, "language__name", "language__code", "note")
    for pk, hsds_id, owner_pk, name, code, note in rows.values_list(*lookups):
        values = {
            "id": hsds_id or published_id(model, pk),
            f"{owner}_id": ids[owner_pk],
            "name": name,
            "code": code,
            "note": note,
        }
        found[owner_pk].append(hsds_object("language", values))
    return found


def _categories(ids: dict[int, str]) -> defaultdict[int, list]:
    """The categories of services (``ids``: primary key -> HSDS id) as the export writes
    them, attributes linking a taxonomy term, each with the term itself; one query."""
    found: defaultdict[int, list] = defaultdict(list)
    links = ServiceCategory.objects.filter(service__in=ids).order_by("pk")
    for (term,), (pk, hsds_id, service_pk, taxonomy) in read(
        links,
        [TAXONOMY_TERMS],
        extra=["pk", "hsds_id", "service", "category__taxonomy"],
        prefix="category__",
    ):
        term = _with_taxonomy(term, taxonomy)
        values = {
            "id": hsds_id or published_id(ServiceCategory, pk),
            "link_id": ids[service_pk],
            "taxonomy_term_id": term["id"],
            "link_type": CATEGORY_LINK_TYPE,
            "link_entity": "service",
        }
        found[service_pk].append({**hsds_object("attribute", values), "taxonomy_term": term})
    return found


def taxonomy_terms(pks: list[int]) -> list[dict]:
    """Taxonomy terms, each with its taxonomy (``taxonomy_detail``)."""
    rows = Category.objects.filter(pk__in=pks).order_by()
    found = {
        pk: _with_taxonomy(term, taxonomy)
        for (term,), (pk, taxonomy) in read(rows, [TAXONOMY_TERMS], extra=["pk", "taxonomy"])
    }
    return [found[pk] for pk in pks if pk in found]


def taxonomies(names: list[str]) -> list[dict]:
    """The taxonomies of these names (a term's ``taxonomy``), as the export writes them."""
    return [taxonomy(name) for name in names]


def taxonomy(name: str) -> dict:
    return hsds_object(
        "taxonomy", dict(zip(EXPORT_COLUMNS["taxonomies"], taxonomy_row(name), strict=True))
    )


def _with_taxonomy(term: dict, name: str) -> dict:
    detail = taxonomy(name)
    return {**term, "taxonomy_id": detail["id"], "taxonomy_detail": detail}
