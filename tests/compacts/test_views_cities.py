import datetime

import pytest
from django.urls import reverse

from compacts.models import AuditEvent, CharterStatus, CityStaff, StaffStatus
from tests.factories import UserFactory

from .factories import CityFactory, CityStaffFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db

CITY_LIST = "/cities/"


def _names(response) -> list[str]:
    return [city.name for city in response.context["page_obj"]]


@pytest.fixture
def registry(compact):
    partner = CityFactory(
        name="Alder", state="TX", partner_since=datetime.date(2023, 5, 1),
        charter_status=CharterStatus.AFFIRMED, charter_affirmed_on=datetime.date(2022, 1, 1),
    )  # fmt: skip
    initiative = CityFactory(name="Birch", state="OH", charter_status=CharterStatus.INITIATIVE)
    withdrawn = CityFactory(name="Cedar", state="TX")
    SignatureFactory(compact=compact, city=partner)
    SignatureFactory(
        compact=compact, city=withdrawn, withdrawn_on="2024-01-01", withdrawal_reason="x"
    )
    return partner, initiative, withdrawn


def test_city_list_url_is_the_public_contract():
    assert reverse("compacts:city_list") == CITY_LIST


def test_city_list_shows_every_city(client, registry):
    response = client.get(CITY_LIST)
    assert response.status_code == 200
    assert _names(response) == ["Alder", "Birch", "Cedar"]
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "bir"}, ["Birch"]),
        ({"state": "TX"}, ["Alder", "Cedar"]),
        ({"partner": "yes"}, ["Alder"]),
        ({"partner": "no"}, ["Birch", "Cedar"]),
        ({"charter": "initiative"}, ["Birch"]),
        ({"charter": "affirmed", "state": "TX"}, ["Alder"]),
        ({"compact": "combat-hate"}, ["Alder"]),  # Cedar withdrew
    ],
)
def test_city_list_filters(client, registry, query, expected):
    assert _names(client.get(CITY_LIST, query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"state": "ZZ"},
        {"partner": "maybe"},
        {"charter": "x"},
        {"compact": "no-such"},
        {"page": "x"},
    ],
)
def test_city_list_unknown_filter_values_never_fail(client, registry, query):
    response = client.get(CITY_LIST, query)
    assert response.status_code == 200
    assert _names(response) == ["Alder", "Birch", "Cedar"]
    if "page" not in query:
        assert "were not understood" in response.content.decode()


def test_city_list_counts_active_signatures(client, registry):
    counts = {
        city.name: city.active_signature_count for city in client.get(CITY_LIST).context["page_obj"]
    }
    assert counts == {"Alder": 1, "Birch": 0, "Cedar": 0}


def test_city_list_with_100_cities_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    compacts = CompactFactory.create_batch(2)
    for index in range(100):
        city = CityFactory(state=["TX", "OH", "CA", "NY"][index % 4])
        for compact in compacts[: index % 3]:
            SignatureFactory(compact=compact, city=city)
    # count, one page of cities with their signature counts, the compacts for the filter.
    with django_assert_num_queries(3):
        response = client.get(CITY_LIST)
    assert len(response.context["page_obj"]) == 25
    # + looking up the chosen compact to validate the filter.
    with django_assert_num_queries(4):
        response = client.get(CITY_LIST, {"compact": compacts[0].slug, "page": 2})
    assert response.context["page_obj"].paginator.count == 66


def test_city_list_wrong_method(client):
    assert client.post(CITY_LIST).status_code == 405


# /cities/<slug>/ -------------------------------------------------------------------------


def test_city_detail_shows_profile_and_compacts(client, registry, compact):
    partner = registry[0]
    response = client.get(partner.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert partner.mayor_name in html
    assert "Affirmed" in html
    assert compact.title.replace("'", "&#x27;") in html
    assert reverse("compacts:staff_request", args=[partner.slug]) in html
    assert "team_progress" in response.context


def test_city_detail_lists_withdrawn_signatures_as_withdrawn(client, registry):
    html = client.get(registry[2].get_absolute_url()).content.decode()
    assert "Withdrawn on" in html


def test_city_detail_queries(client, city, django_assert_max_num_queries):
    for compact in CompactFactory.create_batch(20):
        SignatureFactory(compact=compact, city=city)
    # City, signatures, mayors' terms, plan items, the signed commitments, peer cities, and
    # the team progress (courses with the staff count; no completions are read without staff).
    with django_assert_max_num_queries(7):
        response = client.get(city.get_absolute_url())
    assert len(response.context["signature_rows"]) == 20


def test_city_detail_unknown_slug_is_404(client):
    assert client.get("/cities/atlantis-xx/").status_code == 404


def test_city_detail_wrong_method(client, city):
    assert client.post(city.get_absolute_url()).status_code == 405


# /cities/<slug>/request-access/ ----------------------------------------------------------


def _request_url(city) -> str:
    return reverse("compacts:staff_request", args=[city.slug])


REQUEST = {"role": "chief_of_staff", "job_title": "Chief of staff", "work_phone": "512-555-0199"}


def test_staff_request_happy_path(user_client, user, city):
    assert user_client.get(_request_url(city)).status_code == 200
    response = user_client.post(_request_url(city), REQUEST, follow=True)
    assert response.redirect_chain[-1][0] == city.get_absolute_url()
    assert "An administrator will check your request" in response.content.decode()
    staff = CityStaff.objects.get()
    assert (staff.user, staff.city, staff.status, staff.role) == (
        user, city, StaffStatus.PENDING, "chief_of_staff",
    )  # fmt: skip
    assert AuditEvent.objects.get().action == "request"


def test_staff_request_form_errors(user_client, city):
    response = user_client.post(_request_url(city), {"role": "king", "job_title": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"role", "job_title", "work_phone"}
    assert not CityStaff.objects.exists()


def test_staff_request_twice_is_refused_with_the_requests_status(user_client, user, city):
    CityStaffFactory(user=user, city=city, status=StaffStatus.PENDING)
    response = user_client.post(_request_url(city), REQUEST)
    assert response.status_code == 409
    assert "is pending" in response.content.decode()
    assert CityStaff.objects.count() == 1


def test_staff_request_anonymous(client, city):
    response = client.get(_request_url(city))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_staff_request_unverified_email(client, city):
    client.force_login(UserFactory(verified=False))
    response = client.post(_request_url(city), REQUEST)
    assert response.status_code == 403
    assert "verify your email" in response.content.decode()
    assert not CityStaff.objects.exists()


def test_staff_request_wrong_method_and_unknown_city(user_client, city):
    assert user_client.put(_request_url(city)).status_code == 405
    assert user_client.get("/cities/atlantis-xx/request-access/").status_code == 404


def test_staff_request_is_rate_limited(user_client, city, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "compacts.staff_request": (1, 60)}
    assert user_client.post(_request_url(city), {}).status_code == 400
    assert user_client.post(_request_url(city), REQUEST).status_code == 429
    assert not CityStaff.objects.exists()
