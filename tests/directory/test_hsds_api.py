"""The HSDS 3.0 API under /api/hsds/: every endpoint, the envelope and its pages, the
filters, search as the web page searches, ndjson, confidential addresses, the rate limit,
bad input, and the queries a page takes. Every object an endpoint answers with is checked
against the HSDS JSON schemas shipped in directory/hsds/schema/ (with the profile merged in)."""

import datetime
import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.api import objects, schemas, views
from directory.api.parameters import Shape
from directory.hsds import package_export
from directory.hsds.exporter import published_id
from directory.models import (
    Location,
    OrganizationKind,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from directory.search import refresh_search_vectors
from tests.directory.conftest import postgres_only
from tests.directory.factories import (
    CategoryFactory,
    LanguageFactory,
    LocationFactory,
    OrganizationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.directory.searching import found

pytestmark = pytest.mark.django_db
API = "/api/hsds"
ENVELOPE_KEYS = {
    *("total_items", "total_pages", "page_number", "size"),
    *("first_page", "last_page", "empty", "contents"),
}

# What the shelter's confidential location holds; none of it may ever be answered.
SECRET_STREET = "17 Quiet Harbor Lane"
SECRET_ZIP = "78209"
SECRET_BUS = "Take the 12 bus to the end of the line"
SECRET_LATITUDE = Decimal("29.482101")
SECRET_LONGITUDE = Decimal("-98.455401")
SECRETS = (SECRET_STREET, SECRET_ZIP, SECRET_BUS, str(SECRET_LATITUDE), str(SECRET_LONGITUDE))
IMPORTED_SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
IMPORTED_ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
IMPORTED_TERM_ID = "3f7b145d-84af-42d7-8fae-eaca714b02b2"


# --- The schemas ---------------------------------------------------------------------------

_BASE = "https://schemas.portal.test/hsds/"


def _registry() -> Registry:
    return Registry().with_resources(
        (
            f"{_BASE}{name}.json",
            Resource.from_contents(schemas.profile_schema(name), default_specification=DRAFT202012),
        )
        for name in schemas.OBJECT_SCHEMAS
    )


REGISTRY = _registry()


def assert_valid(schema: str, item: dict) -> None:
    """``item`` is a valid ``schema`` object (the profile's, formats such as uuid and email
    checked); the errors say where it is not."""
    validator = Draft202012Validator(
        {"$ref": f"{_BASE}{schema}.json"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(item)]
    assert not errors, f"{schema}: {errors}"


def assert_valid_service(item: dict) -> None:
    assert_valid("service", item)
    datetime.datetime.fromisoformat(item["last_modified"])  # date-time, which jsonschema
    # checks only with an optional package


def assert_page(body: dict) -> None:
    """The HSDS Page envelope: every property, of the OpenAPI file's types."""
    page_schema = schemas.hsds_schema("openapi")["components"]["schemas"]["Page"]
    Draft202012Validator(page_schema).validate(body)
    assert set(body) == ENVELOPE_KEYS
    assert body["size"] == len(body["contents"])


def get_json(client: Client, path: str, status: int = 200, **headers) -> dict:
    response = client.get(f"{API}{path}", **headers)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def get_lines(client: Client, path: str) -> list[dict]:
    response = client.get(f"{API}{path}")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def names(body: dict) -> list[str]:
    return [item["name"] for item in body["contents"]]


# --- A directory ---------------------------------------------------------------------------


@pytest.fixture
def directory():
    """Food and housing services of three organizations, one imported with HSDS ids (as a
    package keeps them) and the others made in the admin (none stored); a shelter at a
    confidential location; services nobody may see; places around ZIP code 78201."""
    food = CategoryFactory(name="Food pantry", slug="food-pantry", hsds_id=IMPORTED_TERM_ID)
    housing = CategoryFactory(name="Housing", slug="housing", taxonomy="Portal needs")
    shelters = CategoryFactory(
        name="Shelters", slug="shelters", parent=housing, taxonomy="Portal needs"
    )
    spanish = LanguageFactory(code="es", name="Spanish")
    bank = OrganizationFactory(
        name="Riverbend Food Bank",
        hsds_id=IMPORTED_ORGANIZATION_ID,
        kind=OrganizationKind.NONPROFIT,
        email="help@foodbank.example",
        website="https://foodbank.example/",
        year_incorporated=1987,
    )
    church = OrganizationFactory(name="Grace Church", kind=OrganizationKind.FAITH)
    refuge = OrganizationFactory(name="Safe Harbor Refuge", kind=OrganizationKind.NONPROFIT)
    hidden_only = OrganizationFactory(name="Closed Down Mission")
    s = {
        "pantry": ServiceFactory(
            name="Eastside Food Pantry",
            hsds_id=IMPORTED_SERVICE_ID,
            organization=bank,
            categories=[food],
            languages=[spanish],
            minimum_age=18,
            url="https://foodbank.example/eastside",
        ),
        "market": ServiceFactory(
            name="Mobile Food Market", organization=bank, description="Fresh food weekly."
        ),
        "meals": ServiceFactory(
            name="Community Meals",
            organization=church,
            description="Hot food every evening.",
            categories=[food],
        ),
        "closed": ServiceFactory(
            name="Westside Food Pantry",
            organization=church,
            status=ServiceStatus.TEMPORARILY_CLOSED,
            categories=[food],
        ),
        "shelter": ServiceFactory(
            name="Emergency Shelter", organization=refuge, categories=[shelters]
        ),
        "rent": ServiceFactory(name="Rent help", organization=church, categories=[housing]),
        "inactive": ServiceFactory(
            name="Old Food Pantry", organization=bank, status=ServiceStatus.INACTIVE
        ),
        "defunct": ServiceFactory(
            name="Gone Food Pantry", organization=hidden_only, status=ServiceStatus.DEFUNCT
        ),
    }
    # Around ZIP code 78201 (its centre 29.4711, -98.5356): on it, about 2 km north, and
    # about 20 km away; the shelter sits at 78209, confidential.
    here = LocationFactory(
        organization=bank,
        name="Food bank warehouse",
        postal_code="78201",
        latitude=Decimal("29.4711"),
        longitude=Decimal("-98.5356"),
        transportation="Bus 5 stops at the door",
        accessibility="Step-free entrance",
    )
    north = LocationFactory(
        organization=church,
        name="Church hall",
        postal_code="78201",
        latitude=Decimal("29.4891"),
        longitude=Decimal("-98.5356"),
    )
    far = LocationFactory(
        organization=church,
        name="Retreat centre",
        postal_code="78023",
        latitude=Decimal("29.6511"),
        longitude=Decimal("-98.5356"),
    )
    secret = LocationFactory(
        organization=refuge,
        name="Shelter",
        address_1=SECRET_STREET,
        postal_code=SECRET_ZIP,
        latitude=SECRET_LATITUDE,
        longitude=SECRET_LONGITUDE,
        transportation=SECRET_BUS,
        is_confidential=True,
    )
    secret.languages.add(spanish)
    links = {
        "pantry_here": ServiceAtLocationFactory(service=s["pantry"], location=here),
        "market_here": ServiceAtLocationFactory(service=s["market"], location=here),
        "meals_north": ServiceAtLocationFactory(service=s["meals"], location=north),
        "rent_far": ServiceAtLocationFactory(service=s["rent"], location=far),
        "shelter_secret": ServiceAtLocationFactory(service=s["shelter"], location=secret),
        "inactive_here": ServiceAtLocationFactory(service=s["inactive"], location=here),
    }
    PhoneFactory(service=s["pantry"], number="(210) 555-0100", extension="12")
    PhoneFactory(location=here, number="(210) 555-0101", description="Warehouse desk")
    PhoneFactory(organization=bank, number="(210) 555-0102")
    PhoneFactory(service=s["shelter"], number="(210) 555-0911")
    PhoneFactory(location=secret, number="(210) 555-0912")
    ScheduleFactory(service=s["pantry"])
    ScheduleFactory(service_at_location=links["meals_north"], byday="SA")
    ScheduleFactory(location=here, byday="MO")
    refresh_search_vectors()
    return {
        "services": s,
        "links": links,
        "locations": {"here": here, "north": north, "far": far, "secret": secret},
        "organizations": {"bank": bank, "church": church, "refuge": refuge},
        "categories": {"food": food, "housing": housing, "shelters": shelters},
    }


def service_id(service: Service) -> str:
    return service.hsds_id or published_id(Service, service.pk)


def link_id(link: ServiceAtLocation) -> str:
    return link.hsds_id or published_id(ServiceAtLocation, link.pk)


PUBLIC_NAMES = sorted(
    [
        "Community Meals",
        "Eastside Food Pantry",
        "Emergency Shelter",
        "Mobile Food Market",
        "Rent help",
        "Westside Food Pantry",
    ]
)


# --- The root, the OpenAPI file and the profile --------------------------------------------


def test_root_says_version_profile_and_openapi_url(client, directory):
    body = get_json(client, "/")
    root_schema = schemas.hsds_schema("openapi")["paths"]["/"]["get"]["responses"]["200"]
    Draft202012Validator(root_schema["content"]["application/json"]["schema"]).validate(body)
    assert body == {
        "version": "3.0",
        "profile": f"{settings.SITE_URL}/api/hsds/profile/",
        "openapi_url": f"{settings.SITE_URL}/api/hsds/openapi.json",
    }
    for url in (body["profile"], body["openapi_url"]):
        assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_every_path_of_the_openapi_file_answers(client, directory):
    """The OpenAPI file the root points to is HSDS's with the profile's title, and every
    endpoint it lists (the required ones and the optional ones) answers here."""
    document = get_json(client, "/openapi.json")
    assert document["info"]["title"].startswith("Compassion Portal")
    assert "license" not in document["info"]  # the template's placeholder is removed
    assert document["servers"] == [{"url": f"{settings.SITE_URL}/api/hsds"}]
    ids = {
        "services": IMPORTED_SERVICE_ID,
        "organizations": IMPORTED_ORGANIZATION_ID,
        "taxonomy_terms": IMPORTED_TERM_ID,
        "taxonomies": get_json(client, "/taxonomies")["contents"][0]["id"],
        "service_at_locations": link_id(directory["links"]["pantry_here"]),
    }
    assert len(document["paths"]) == 11
    for path in document["paths"]:
        collection = path.split("/")[1]
        response = client.get(f"{API}{path.replace('{id}', ids.get(collection, ''))}")
        assert response.status_code == 200, path


def test_the_profile_adds_the_organization_kind(client):
    profile = get_json(client, "/profile/")
    assert profile["hsds_version"] == "3.0"
    assert set(profile["changes"]) == {"organization.json", "openapi.json"}
    change = get_json(client, "/profile/organization.json")
    assert set(change["properties"]) == {"kind"}
    assert change["properties"]["kind"]["enum"] == list(OrganizationKind.values)
    merged = get_json(client, "/schema/organization.json")
    # A profile's merge must give a valid JSON Schema (draft 2020-12), HSDS's fields intact.
    Draft202012Validator.check_schema(merged)
    assert set(merged["properties"]) == {
        *schemas.hsds_schema("organization")["properties"],
        "kind",
    }
    assert get_json(client, "/schema/service.json") == schemas.hsds_schema("service")
    for url in [*profile["changes"].values(), *profile["schemas"].values()]:
        assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200
    assert get_json(client, "/profile/service.json", 404)["status"] == 404
    assert get_json(client, "/schema/nothing.json", 404)["status"] == 404


def test_merge_patch_follows_rfc_7386():
    target = {"a": "b", "c": {"d": "e", "f": "g"}}
    patch = {"a": "z", "c": {"f": None}, "h": [1]}
    assert schemas.merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "h": [1]}
    assert schemas.merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert schemas.merge_patch({"a": "b"}, ["c"]) == ["c"]
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}}  # unchanged


# --- Services -----------------------------------------------------------------------------


def test_services_lists_public_services_by_name_with_their_organization(client, directory):
    body = get_json(client, "/services")
    assert_page(body)
    assert names(body) == PUBLIC_NAMES  # neither inactive nor defunct ones
    for item in body["contents"]:
        assert_valid_service(item)
        assert "phones" not in item  # the list's objects are flat
    pantry = next(item for item in body["contents"] if item["name"] == "Eastside Food Pantry")
    assert pantry["id"] == IMPORTED_SERVICE_ID
    assert pantry["minimum_age"] == 18
    assert pantry["organization"] == {
        "id": IMPORTED_ORGANIZATION_ID,
        "name": "Riverbend Food Bank",
        "description": "A community organization.",
        "email": "help@foodbank.example",
        "website": "https://foodbank.example/",
        "year_incorporated": 1987,
        "kind": "nonprofit",
    }
    closed = next(item for item in body["contents"] if item["name"] == "Westside Food Pantry")
    assert closed["status"] == "temporarily closed"


def test_a_service_in_full(client, directory):
    """/services/{id}: the service with its organization, phones, schedules, languages,
    categories (attributes with their terms) and locations, as HSDS nests them."""
    pantry = get_json(client, f"/services/{IMPORTED_SERVICE_ID}")
    assert_valid_service(pantry)
    assert [phone["number"] for phone in pantry["phones"]] == ["(210) 555-0100"]
    assert pantry["phones"][0]["extension"] == 12  # a number, as phone.json says
    assert pantry["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    assert pantry["schedules"][0]["opens_at"] == "09:00:00"
    assert [language["code"] for language in pantry["languages"]] == ["es"]
    assert pantry["languages"][0]["service_id"] == IMPORTED_SERVICE_ID
    (attribute,) = pantry["attributes"]
    assert attribute["taxonomy_term_id"] == IMPORTED_TERM_ID
    assert attribute["link_id"] == IMPORTED_SERVICE_ID
    assert attribute["taxonomy_term"]["name"] == "Food pantry"
    assert attribute["taxonomy_term"]["taxonomy_detail"]["name"] == "Portal categories"
    (link,) = pantry["service_at_locations"]
    location = link["location"]
    assert location["name"] == "Food bank warehouse"
    assert location["latitude"] == 29.4711
    assert location["transportation"] == "Bus 5 stops at the door"
    assert location["addresses"][0]["postal_code"] == "78201"
    assert location["accessibility"][0]["description"] == "Step-free entrance"
    assert [phone["number"] for phone in location["phones"]] == ["(210) 555-0101"]
    assert [schedule["byday"] for schedule in location["schedules"]] == ["MO"]


def test_full_and_minimal_lists(client, directory):
    full = get_json(client, "/services?full=true")
    assert names(full) == PUBLIC_NAMES
    for item in full["contents"]:
        assert_valid_service(item)
        assert {"phones", "schedules", "service_at_locations", "attributes"} <= set(item)
    assert full["contents"][1] == get_json(client, f"/services/{IMPORTED_SERVICE_ID}")
    minimal = get_json(client, "/services?minimal=true&per_page=100")
    for item in minimal["contents"]:
        assert set(item) == {"id", "last_modified"}
        assert_valid_service({**item, "name": "x", "status": "active"})
    assert [item["id"] for item in minimal["contents"]] == [item["id"] for item in full["contents"]]


def test_an_admin_made_service_keeps_its_published_id_through_an_export(
    client, directory, tmp_path
):
    """A row without a stored HSDS id is published under one made from its primary key;
    the export stores that same id, so the API's id does not change."""
    market = directory["services"]["market"]
    assert market.hsds_id is None
    published = published_id(Service, market.pk)
    assert uuid.UUID(published).version == 5
    assert get_json(client, f"/services/{published}")["name"] == "Mobile Food Market"
    package_export(tmp_path / "package")
    market.refresh_from_db()
    assert market.hsds_id == published
    assert get_json(client, f"/services/{published}")["id"] == published


def test_unknown_and_hidden_services_are_404(client, directory):
    inactive = directory["services"]["inactive"]
    for wrong in (
        str(uuid.uuid4()),
        published_id(Service, inactive.pk),  # exists, but is not public
        published_id(Service, 999_999),
        "not-an-id",
        "%00",
        "x" * 300,
    ):
        body = get_json(client, f"/services/{wrong}", 404)
        assert body["status"] == 404
        assert body["detail"] == "No public service has this id."


# --- Pages ---------------------------------------------------------------------------------


def test_pages_of_a_list(client, directory):
    first = get_json(client, "/services?per_page=4")
    assert (first["total_items"], first["total_pages"], first["size"]) == (6, 2, 4)
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)
    second = get_json(client, "/services?per_page=4&page=2")
    assert (second["page_number"], second["size"]) == (2, 2)
    assert (second["first_page"], second["last_page"]) == (False, True)
    assert names(first) + names(second) == PUBLIC_NAMES
    past = get_json(client, "/services?per_page=4&page=3")
    assert_page(past)
    assert (past["total_items"], past["size"], past["empty"], past["last_page"]) == (
        6,
        0,
        True,
        True,
    )
    assert get_json(client, "/services?per_page=1000")["size"] == 6  # served as 100 a page
    assert get_json(client, "/services?page=&per_page=")["page_number"] == 1


def test_per_page_is_capped(client, directory):
    ServiceFactory.create_batch(101)
    body = get_json(client, "/services?per_page=500")
    assert (body["size"], body["total_items"], body["total_pages"]) == (100, 107, 2)


def test_an_empty_list(client, db):
    body = get_json(client, "/services")
    assert_page(body)
    assert body["contents"] == []
    assert (body["total_items"], body["total_pages"], body["empty"]) == (0, 0, True)
    assert (body["first_page"], body["last_page"]) == (True, True)


# --- Filters -------------------------------------------------------------------------------


def test_taxonomy_term_filter(client, directory):
    categories = directory["categories"]
    assert names(get_json(client, f"/services?taxonomy_term_id={IMPORTED_TERM_ID}")) == [
        "Community Meals",
        "Eastside Food Pantry",
        "Westside Food Pantry",
    ]
    # A term made in the admin, by its published id: the term itself, not those below it.
    housing = published_id(type(categories["housing"]), categories["housing"].pk)
    assert names(get_json(client, f"/services?taxonomy_term_id={housing}")) == ["Rent help"]
    assert get_json(client, f"/services?taxonomy_term_id={uuid.uuid4()}")["contents"] == []


def test_taxonomy_filter(client, directory):
    taxonomies = {item["name"]: item["id"] for item in get_json(client, "/taxonomies")["contents"]}
    assert names(get_json(client, f"/services?taxonomy_id={taxonomies['Portal needs']}")) == [
        "Emergency Shelter",
        "Rent help",
    ]
    assert get_json(client, "/services?taxonomy_id=nothing")["total_items"] == 0


def test_organization_filter_and_filters_add_up(client, directory):
    church = directory["organizations"]["church"]
    church_id = published_id(type(church), church.pk)
    assert names(get_json(client, f"/services?organization_id={church_id}")) == [
        "Community Meals",
        "Rent help",
        "Westside Food Pantry",
    ]
    both = get_json(
        client, f"/services?organization_id={church_id}&taxonomy_term_id={IMPORTED_TERM_ID}"
    )
    assert names(both) == ["Community Meals", "Westside Food Pantry"]
    bank = get_json(client, f"/services?organization_id={IMPORTED_ORGANIZATION_ID}")
    assert names(bank) == ["Eastside Food Pantry", "Mobile Food Market"]


def test_modified_after(client, directory):
    long_ago = timezone.make_aware(datetime.datetime(2020, 1, 1, 12))
    Service.objects.exclude(name="Rent help").update(last_modified=long_ago)
    assert names(get_json(client, "/services?modified_after=2024-06-01")) == ["Rent help"]
    assert len(names(get_json(client, "/services?modified_after=2020-01-01T12:00:00Z"))) == 6
    assert names(get_json(client, "/services?modified_after=2020-01-01T12:00:01%2B00:00")) == [
        "Rent help"
    ]
    # The same instant written in another offset.
    assert len(names(get_json(client, "/services?modified_after=2020-01-01T06:00-06:00"))) == 6


# --- Search, as the web page searches -------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    ["food", "food pantry", "pantry", "shelter", "meals", pytest.param("fod", marks=postgres_only)],
)
def test_search_finds_what_the_search_page_finds_in_its_order(client, directory, words):
    expected = found(words)
    assert expected  # the words find something on the page
    body = get_json(client, f"/services?search={words}&per_page=2")
    assert body["total_items"] == len(expected)
    assert names(body) == expected[:2]
    rest = [
        name
        for page in range(2, body["total_pages"] + 1)
        for name in names(get_json(client, f"/services?search={words}&per_page=2&page={page}"))
    ]
    assert names(body) + rest == expected
    assert [
        line["name"] for line in get_lines(client, f"/services?search={words}&format=ndjson")
    ] == (expected)


def web_page_names(client: Client, words: str) -> list[str]:
    """The names of the result cards /directory/ shows for ``words``."""
    page = client.get(reverse("directory:search"), {"q": words})
    assert page.status_code == 200
    return [card.name for card in page.context["results"].services]


@pytest.mark.parametrize("words", ["food", "food pantry", "shelter"])
def test_search_gives_the_first_results_of_the_web_page(client, directory, words):
    """The same words on /directory/ and on the API: the same first results."""
    assert names(get_json(client, f"/services?search={words}")) == web_page_names(client, words)


def test_search_with_a_zip_code_among_the_words(client, directory):
    """As on the web page, a ZIP code typed with the words is where: within 10 miles of
    78201, nearest first (the church hall, 2 km away, after the warehouse)."""
    expected = web_page_names(client, "food 78201")
    assert expected == ["Eastside Food Pantry", "Mobile Food Market", "Community Meals"]
    assert names(get_json(client, "/services?search=food 78201")) == expected


def test_search_with_filters_keeps_the_search_order(client, directory):
    church = directory["organizations"]["church"]
    church_id = published_id(type(church), church.pk)
    expected = [
        name for name in found("food") if name in ("Community Meals", "Westside Food Pantry")
    ]
    body = get_json(client, f"/services?search=food&organization_id={church_id}")
    assert names(body) == expected
    assert body["total_items"] == 2


def test_search_finds_nothing(client, directory):
    body = get_json(client, "/services?search=zzzqqqxx")
    assert (body["total_items"], body["contents"], body["empty"]) == (0, [], True)
    assert get_json(client, "/services?search=%20%20")["total_items"] == 6  # no words at all


def test_search_pages_past_the_end_are_empty(client, directory):
    total = len(found("food"))
    body = get_json(client, f"/services?search=food&per_page=1&page={total + 1}")
    assert (body["total_items"], body["size"], body["last_page"]) == (total, 0, True)


# --- ndjson --------------------------------------------------------------------------------


def test_ndjson_streams_every_result_without_pages(client, directory, monkeypatch):
    monkeypatch.setitem(views.STREAM_CHUNK, views.Shape.FLAT, 2)  # several chunks
    monkeypatch.setitem(views.STREAM_CHUNK, views.Shape.FULL, 4)
    lines = get_lines(client, "/services?format=ndjson&per_page=1&page=2")
    assert sorted(line["name"] for line in lines) == PUBLIC_NAMES
    assert len({line["id"] for line in lines}) == 6
    for line in get_lines(client, "/services?format=ndjson&full=true"):
        assert_valid_service(line)
        assert "service_at_locations" in line
    bank = get_lines(client, f"/services?format=ndjson&organization_id={IMPORTED_ORGANIZATION_ID}")
    assert sorted(line["name"] for line in bank) == ["Eastside Food Pantry", "Mobile Food Market"]
    assert len(get_lines(client, "/service_at_locations?format=ndjson")) == 5
    assert len(get_lines(client, "/organizations?format=ndjson&full=true")) == 3
    assert len(get_lines(client, "/taxonomy_terms?format=ndjson")) == 3
    assert len(get_lines(client, "/taxonomies?format=ndjson")) == 2
    assert get_lines(client, "/services?format=ndjson&search=zzzqqqxx") == []


# --- Confidential addresses ----------------------------------------------------------------


def _shows_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def _assert_hidden(location: dict) -> None:
    assert location["name"] == "Shelter"
    assert location["addresses"] == []
    for field in ("latitude", "longitude", "transportation"):
        assert field not in location


def test_confidential_addresses_never_appear(client, directory):
    """Every endpoint that can show a location, in every shape: the shelter is there (with
    its phone and languages), its address, coordinates and directions are not."""
    shelter_id = service_id(directory["services"]["shelter"])
    refuge = directory["organizations"]["refuge"]
    refuge_id = published_id(type(refuge), refuge.pk)
    secret_link = link_id(directory["links"]["shelter_secret"])
    paths = [
        f"/services/{shelter_id}",
        "/services?full=true",
        "/services?search=shelter&full=true",
        f"/organizations/{refuge_id}",
        f"/organizations/{refuge_id}?full_service=true",
        "/organizations?full=true",
        "/organizations?full_service=true",
        "/service_at_locations",
        "/service_at_locations?full=true",
        f"/service_at_locations/{secret_link}",
        "/service_at_locations?search=shelter&full=true",
    ]
    for path in paths:
        response = client.get(f"{API}{path}")
        assert response.status_code == 200, path
        _shows_no_secret(response.content.decode())
    for path in ("/services?format=ndjson&full=true", "/service_at_locations?format=ndjson"):
        response = client.get(f"{API}{path}")
        _shows_no_secret(b"".join(response.streaming_content).decode())
    shelter = get_json(client, f"/services/{shelter_id}")
    location = shelter["service_at_locations"][0]["location"]
    _assert_hidden(location)
    assert [phone["number"] for phone in location["phones"]] == ["(210) 555-0912"]
    assert [language["code"] for language in location["languages"]] == ["es"]
    _assert_hidden(get_json(client, f"/service_at_locations/{secret_link}")["location"])
    _assert_hidden(get_json(client, f"/organizations/{refuge_id}")["locations"][0])
    assert_valid_service(shelter)


def test_a_confidential_location_is_never_found_by_where_it_is(client, directory):
    for path in (
        f"/service_at_locations?postcode={SECRET_ZIP}",
        f"/service_at_locations?postcode={SECRET_ZIP}&proximity=100",
        f"/service_at_locations?postcode={SECRET_ZIP}&proximity=100000",
        f"/services?search=shelter {SECRET_ZIP}",
    ):
        body = get_json(client, path)
        assert "Emergency Shelter" not in json.dumps(body), path


# --- Service at locations ------------------------------------------------------------------


def test_service_at_locations(client, directory):
    body = get_json(client, "/service_at_locations")
    assert_page(body)
    assert body["total_items"] == 5  # not the inactive service's
    for item in body["contents"]:
        assert_valid("service_at_location", item)
        assert_valid_service(item["service"])
        assert "phones" not in item["location"]
    full = get_json(client, "/service_at_locations?full=true")
    meals = next(item for item in full["contents"] if item["service"]["name"] == "Community Meals")
    assert_valid("service_at_location", meals)
    assert [schedule["byday"] for schedule in meals["schedules"]] == ["SA"]
    assert meals["location"]["addresses"][0]["postal_code"] == "78201"


def test_postcode_keeps_the_locations_with_that_zip_code(client, directory):
    body = get_json(client, "/service_at_locations?postcode=78201")
    assert sorted(item["service"]["name"] for item in body["contents"]) == [
        "Community Meals",
        "Eastside Food Pantry",
        "Mobile Food Market",
    ]
    assert get_json(client, "/service_at_locations?postcode=78201-1234")["total_items"] == 3


def test_proximity_in_meters_nearest_first(client, directory):
    """The warehouse is on 78201's centre, the church hall about 2 km north, the retreat
    about 20 km north."""
    near = get_json(client, "/service_at_locations?postcode=78201&proximity=1000")
    assert sorted(item["service"]["name"] for item in near["contents"]) == [
        "Eastside Food Pantry",
        "Mobile Food Market",
    ]
    wider = get_json(client, "/service_at_locations?postcode=78201&proximity=3000")
    assert [item["service"]["name"] for item in wider["contents"]][-1] == "Community Meals"
    widest = get_json(client, "/service_at_locations?postcode=78201&proximity=25000&per_page=2")
    assert widest["total_items"] == 4
    last = get_json(
        client, "/service_at_locations?postcode=78201&proximity=25000&per_page=2&page=2"
    )
    assert [item["service"]["name"] for item in last["contents"]] == [
        "Community Meals",
        "Rent help",
    ]
    searched = get_json(client, "/service_at_locations?postcode=78201&proximity=25000&search=rent")
    assert [item["service"]["name"] for item in searched["contents"]] == ["Rent help"]


def test_service_at_locations_follow_the_search_order_and_filters(client, directory):
    body = get_json(client, "/service_at_locations?search=food")
    expected = [name for name in found("food") if name != "Westside Food Pantry"]  # no location
    assert [item["service"]["name"] for item in body["contents"]] == expected
    church = directory["organizations"]["church"]
    church_id = published_id(type(church), church.pk)
    filtered = get_json(client, f"/service_at_locations?organization_id={church_id}")
    assert sorted(item["service"]["name"] for item in filtered["contents"]) == [
        "Community Meals",
        "Rent help",
    ]
    Service.objects.update(last_modified=timezone.make_aware(datetime.datetime(2020, 1, 1)))
    Location.objects.update(modified_at=timezone.make_aware(datetime.datetime(2020, 1, 1)))
    assert get_json(client, "/service_at_locations?modified_after=2021-01-01")["contents"] == []
    directory["locations"]["north"].save()  # the location changed: so did its service there
    changed = get_json(client, "/service_at_locations?modified_after=2021-01-01")
    assert [item["service"]["name"] for item in changed["contents"]] == ["Community Meals"]


# --- Organizations -------------------------------------------------------------------------


def test_organizations(client, directory):
    body = get_json(client, "/organizations")
    assert_page(body)
    assert names(body) == ["Grace Church", "Riverbend Food Bank", "Safe Harbor Refuge"]
    for item in body["contents"]:
        assert_valid("organization", item)
        assert "services" not in item
    assert [item["kind"] for item in body["contents"]] == ["faith", "nonprofit", "nonprofit"]
    bank = get_json(client, f"/organizations/{IMPORTED_ORGANIZATION_ID}")
    assert_valid("organization", bank)
    assert [phone["number"] for phone in bank["phones"]] == ["(210) 555-0102"]
    assert [location["name"] for location in bank["locations"]] == ["Food bank warehouse"]
    assert [service["name"] for service in bank["services"]] == [
        "Eastside Food Pantry",
        "Mobile Food Market",
    ]
    for service in bank["services"]:
        assert_valid_service(service)
        assert "service_at_locations" not in service
    nested = get_json(client, f"/organizations/{IMPORTED_ORGANIZATION_ID}?full_service=true")
    for service in nested["services"]:
        assert_valid_service(service)
        assert "service_at_locations" in service
    listed = get_json(client, "/organizations?full_service=true")
    assert listed["contents"][1] == nested


def test_organizations_found_by_search(client, directory):
    expected = list(
        dict.fromkeys(
            Service.objects.get(name=name).organization.name for name in found("food pantry")
        )
    )
    assert names(get_json(client, "/organizations?search=food pantry")) == expected


def test_an_organization_without_public_services_is_not_listed(client, directory):
    hidden = directory["services"]["defunct"].organization
    get_json(client, f"/organizations/{published_id(type(hidden), hidden.pk)}", 404)
    assert "Closed Down Mission" not in names(get_json(client, "/organizations"))


# --- Taxonomies and terms ------------------------------------------------------------------


def test_taxonomies_and_terms(client, directory):
    taxonomies = get_json(client, "/taxonomies")
    assert_page(taxonomies)
    assert names(taxonomies) == ["Portal categories", "Portal needs"]
    for item in taxonomies["contents"]:
        assert_valid("taxonomy", item)
        assert get_json(client, f"/taxonomies/{item['id']}") == item
    get_json(client, f"/taxonomies/{uuid.uuid4()}", 404)
    terms = get_json(client, "/taxonomy_terms")
    assert names(terms) == ["Food pantry", "Housing", "Shelters"]
    for item in terms["contents"]:
        assert_valid("taxonomy_term", item)
        assert get_json(client, f"/taxonomy_terms/{item['id']}") == item
    housing, shelters = terms["contents"][1:]
    assert shelters["parent_id"] == housing["id"]
    needs = taxonomies["contents"][1]["id"]
    assert names(get_json(client, f"/taxonomy_terms?taxonomy_id={needs}")) == [
        "Housing",
        "Shelters",
    ]
    assert names(get_json(client, f"/taxonomy_terms?parent_id={housing['id']}")) == ["Shelters"]
    assert names(get_json(client, "/taxonomy_terms?top_only=true")) == ["Food pantry", "Housing"]
    assert names(get_json(client, "/taxonomy_terms?search=shel")) == ["Shelters"]
    assert names(get_json(client, "/taxonomies?search=needs")) == ["Portal needs"]
    get_json(client, f"/taxonomy_terms/{uuid.uuid4()}", 404)


# --- Bad input, methods, headers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/services?page=abc", "page"),
        ("/services?page=0", "page"),
        ("/services?page=-1", "page"),
        ("/services?page=1.5", "page"),
        ("/services?page=99999999999999999999999", "page"),
        ("/services?per_page=-1", "per_page"),
        ("/services?per_page=0", "per_page"),
        ("/services?per_page=ten", "per_page"),
        ("/services?modified_after=garbage", "modified_after"),
        ("/services?modified_after=2025-02-30", "modified_after"),
        ("/services?modified_after=2025-01-01T10:00:00+02:00", "modified_after"),  # + is " "
        ("/services?modified_after=0001-01-01T00:00:00%2B05:00", "modified_after"),
        ("/services?full=maybe", "full"),
        ("/services?full=true&minimal=true", "minimal"),
        ("/services?format=xml", "format"),
        (f"/services?search={'x' * 300}", "search"),
        ("/organizations?full_service=sure", "full_service"),
        ("/service_at_locations?postcode=abc", "postcode"),
        ("/service_at_locations?postcode=7820", "postcode"),
        ("/service_at_locations?proximity=1000", "proximity"),
        ("/service_at_locations?postcode=78201&proximity=-5", "proximity"),
        ("/service_at_locations?postcode=78201&proximity=0", "proximity"),
        ("/service_at_locations?postcode=78201&proximity=1e9", "proximity"),
        ("/service_at_locations?postcode=78201&proximity=100001", "proximity"),
        ("/service_at_locations?postcode=00000&proximity=1000", "postcode"),
        ("/taxonomy_terms?top_only=perhaps", "top_only"),
        ("/taxonomies?page=x", "page"),
    ],
)
def test_bad_parameters_are_a_400_with_the_reason(client, directory, path, parameter):
    body = get_json(client, path, 400)
    assert body["status"] == 400
    assert body["parameter"] == parameter
    assert body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/services/00000000-0000-0000-0000-000000000000",
        "/organizations/nope",
        "/service_at_locations/nope",
        "/taxonomy_terms/nope",
        "/taxonomies/nope",
        "/nothing/here",
        "/services/",
    ],
)
def test_unknown_addresses_are_a_json_404(client, directory, path):
    assert get_json(client, path, 404)["status"] == 404


def test_filters_with_odd_ids_match_nothing(client, directory):
    for parameter in ("taxonomy_term_id", "organization_id", "taxonomy_id"):
        for odd in ("%00", "x" * 300, "'; drop table", published_id(Service, 1)):
            assert get_json(client, f"/services?{parameter}={odd}")["total_items"] == 0


def test_read_only_and_open_to_any_origin(client, directory):
    response = client.get(f"{API}/services")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert not response.cookies
    error = client.get(f"{API}/services?page=x")
    assert error["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in error["Cache-Control"]
    posted = client.post(f"{API}/services", {"name": "new"})
    assert posted.status_code == 405
    assert posted["Allow"] == "GET, HEAD, OPTIONS"
    assert posted.json()["status"] == 405
    assert client.delete(f"{API}/services/{IMPORTED_SERVICE_ID}").status_code == 405
    preflight = client.options(f"{API}/services", HTTP_ORIGIN="https://other.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert client.head(f"{API}/services").status_code == 200
    assert Service.objects.count() == 8


def test_the_api_has_no_language_prefix(client, directory):
    """A Spanish-speaking browser is not sent to /es/: the API is the same in every
    language, and there is none under /es/."""
    body = get_json(client, "/services", HTTP_ACCEPT_LANGUAGE="es")
    assert names(body) == PUBLIC_NAMES
    assert client.get("/es/api/hsds/services").status_code == 404


# --- The rate limit ------------------------------------------------------------------------


def test_rate_limit_per_ip_address(settings, directory):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "directory.api": (3, 3600)}
    one, same_address = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.7")
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert [one.get(f"{API}/services").status_code for _ in range(2)] == [200, 200]
    assert same_address.get(f"{API}/").status_code == 200  # the third from that address
    refused = same_address.get(f"{API}/services")
    assert refused.status_code == 429
    assert refused.json()["status"] == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in refused["Cache-Control"]
    assert one.get(f"{API}/services").status_code == 429
    assert other.get(f"{API}/services").status_code == 200  # another address counts apart


@pytest.mark.parametrize(("value", "limit"), [(None, "600"), ("7", "7")])
def test_the_rate_limit_is_set_by_rate_limit_api_per_hour(value, limit):
    environment = {k: v for k, v in os.environ.items() if k != "RATE_LIMIT_API_PER_HOUR"}
    if value is not None:
        environment["RATE_LIMIT_API_PER_HOUR"] = value
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(*settings.PORTAL_RATE_LIMITS['directory.api'])"
    )
    result = subprocess.run(  # noqa: S603 - our own settings, fixed code
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "compassion_portal.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [limit, "3600"]


def test_a_row_deleted_while_objects_are_built_is_left_out(directory, monkeypatch):
    """Objects are read table by table: a location or organization deleted between two of
    those queries (an admin at work during a long stream) is missing, not an error."""
    monkeypatch.setattr(objects, "_locations", lambda queryset, full: {})
    monkeypatch.setattr(objects, "_organizations", lambda pks, shape, full_services=False: {})
    (pantry,) = objects.services([directory["services"]["pantry"].pk], Shape.FULL)
    assert "organization" not in pantry
    assert "location" not in pantry["service_at_locations"][0]
    assert_valid_service(pantry)
    (link,) = objects.service_at_locations([directory["links"]["pantry_here"].pk], Shape.FULL)
    assert "location" not in link
    assert link["service"]["name"] == "Eastside Food Pantry"


# --- Queries -------------------------------------------------------------------------------


@pytest.fixture
def many_services():
    """25 services, each at two locations (one confidential), with phones, schedules,
    languages and two categories: enough that a query per service would show."""
    spanish, english = LanguageFactory(code="es"), LanguageFactory(code="en", name="English")
    food = CategoryFactory()
    for number in range(25):
        link = ServiceAtLocationFactory(service__name=f"Pantry {number:02}")
        service = link.service
        service.categories.add(food, CategoryFactory(parent=food))
        service.languages.add(spanish, english)
        hidden = LocationFactory(organization=service.organization, is_confidential=True)
        hidden.languages.add(spanish)
        other = ServiceAtLocation.objects.create(service=service, location=hidden)
        for owner in ({"service": service}, {"location": link.location}):
            Phone.objects.create(number="(210) 555-0100", **owner)
            Schedule.objects.create(byday="MO", **owner)
        Phone.objects.create(number="(210) 555-0199", service_at_location=other)
        Phone.objects.create(number="(210) 555-0198", organization=service.organization)
    refresh_search_vectors()


# Measured on PostgreSQL and SQLite alike (the rate limit and the search's reference data
# live in the cache, not in these counts): a flat page 4 queries (count, the page's keys,
# services, organizations), a full page 13.
@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/services?per_page=25", 4),
        ("/services?per_page=25&minimal=true", 3),
        ("/services?per_page=25&full=true", 14),  # with each service's change log
        ("/organizations?per_page=25&full=true", 13),
        ("/organizations?per_page=25&full_service=true", 21),
        ("/service_at_locations?per_page=50", 6),
        ("/service_at_locations?per_page=50&full=true", 11),
        ("/taxonomy_terms?per_page=25", 3),
    ],
)
def test_a_page_takes_the_same_queries_for_any_number_of_objects(
    client, many_services, django_assert_max_num_queries, path, most
):
    client.get(f"{API}/")  # the rate limit's first count (in the cache)
    with django_assert_max_num_queries(most):
        body = get_json(client, path)
    assert body["size"] >= 25
    if "full" in path:
        for item in body["contents"]:
            for address in json.dumps(item).split('"addresses": ')[1:]:
                assert address.startswith(("[]", '[{"id"'))


def test_a_search_page_takes_a_few_queries(client, many_services, django_assert_max_num_queries):
    get_json(client, "/services?search=pantry")  # the reference data, now in the cache
    with django_assert_max_num_queries(4):  # spelling, the page of results, services, orgs
        body = get_json(client, "/services?search=pantry&per_page=25")
    assert body["size"] == 25


def test_ndjson_reads_a_chunk_at_a_time(
    client, many_services, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setitem(views.STREAM_CHUNK, views.Shape.FULL, 10)
    # Each chunk: its keys, then 12 queries to build it; and the look that finds no more.
    with django_assert_max_num_queries(3 * 13 + 1):
        lines = get_lines(client, "/services?format=ndjson&full=true")
    assert len(lines) == 25
