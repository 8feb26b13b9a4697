"""The public pages: search, service, organization. Query counts over 50+ rows."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from directory import changelog
from directory.models import ChangeSource, Phone, Schedule, ServiceStatus
from directory.search import refresh_search_vectors
from tests.compacts.factories import CityFactory
from tests.directory.conftest import postgres_only
from tests.directory.factories import (
    CategoryFactory,
    LanguageFactory,
    OrganizationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    SynonymFactory,
)

pytestmark = pytest.mark.django_db
SEARCH = reverse("directory:search")
SECRET_STREET = "77 Hidden Lane"


@pytest.fixture
def directory():
    """60 services over 3 categories, each with a location, phones and hours."""
    city = CityFactory(slug="riverbend-tx", name="Riverbend")
    categories = [
        CategoryFactory(name=name, slug=name.lower()) for name in ("Food", "Housing", "Health")
    ]
    spanish = LanguageFactory()
    organizations = [OrganizationFactory(city=city) for _ in range(6)]
    services = []
    for n in range(60):
        service = ServiceFactory(
            name=f"Community pantry {n}",
            organization=organizations[n % 6],
            categories=[categories[n % 3]],
            languages=[spanish] if n % 2 else [],
        )
        link = ServiceAtLocationFactory(service=service, location__postal_code=f"7820{n % 5}")
        PhoneFactory(service=service)
        PhoneFactory(location=link.location, number="(555) 010-9999")
        ScheduleFactory(service_at_location=link)
        services.append(service)
    refresh_search_vectors()
    # As the database has them now, search columns included (a stale copy saved by a test
    # would blank them, as no admin form does).
    for service in services:
        service.refresh_from_db()
    return services


@pytest.fixture
def safe_house():
    service = ServiceFactory(name="Harbor safe house", description="Emergency shelter.")
    link = ServiceAtLocationFactory(
        service=service,
        location__name="Harbor house on Hidden Lane",
        location__address_1=SECRET_STREET,
        location__postal_code="78209",
        location__latitude="29.400001",
        location__longitude="-98.500001",
        location__transportation="Bus 12 to Hidden Lane",
        location__is_confidential=True,
    )
    PhoneFactory(service=service, number="(555) 010-1111")
    ScheduleFactory(service_at_location=link)
    refresh_search_vectors()
    return service


def assert_secret_absent(html: str) -> None:
    for secret in (SECRET_STREET, "Hidden Lane", "29.400001", "-98.500001", "Bus 12"):
        assert secret not in html


# --- search page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "pantry"},
        {"q": "pantri fod"},
        {"q": "pantry", "page": "2"},
        {
            "q": "community pantry",
            "category": "food",
            "kind": "nonprofit",
            "language": "es",
            "city": "riverbend-tx",
            "zip": "78201",
            "open_now": "on",
            "page": "1",
        },
        {"category": "health", "open_now": "on"},
    ],
)
def test_search_page_query_count(client, directory, django_assert_max_num_queries, params):
    client.get(SEARCH)  # the reference data and the browse counts are now in the cache
    # With words on Postgres: the spelling look-up ("pantri fod"); then the page with its
    # count, and the opening hours of its listings.
    with django_assert_max_num_queries(3 if connection.vendor == "postgresql" else 2):
        response = client.get(SEARCH, params)
    assert response.status_code == 200


def test_the_reference_data_comes_from_the_cache(client, directory, django_assert_num_queries):
    # Categories, languages, cities with listings, synonyms, listings' time zones; then the
    # spelling look-up (Postgres) and the page, its listings' opening hours included.
    words = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(5 + words + 1):
        client.get(SEARCH, {"q": "pantry"})
    with django_assert_num_queries(words + 1):
        response = client.get(SEARCH, {"q": "pantry", "page": "2"})
    assert response.status_code == 200


def test_a_new_synonym_is_used_at_once(client, directory):
    client.get(SEARCH, {"q": "larder"})  # the reference data is now in the cache
    assert "No listing matches" in client.get(SEARCH, {"q": "larder"}).content.decode()
    SynonymFactory(term="larder", expands_to="pantry")
    assert 'class="card result"' in client.get(SEARCH, {"q": "larder"}).content.decode()


def test_search_shows_twenty_results_and_pages(client, directory):
    html = client.get(SEARCH, {"q": "pantry"}).content.decode()
    assert html.count('class="card result"') == 20
    assert "60 results." in html
    assert "Page 1 of 3" in html
    assert "page=2" in html
    page3 = client.get(SEARCH, {"q": "pantry", "page": 3}).content.decode()
    assert page3.count('class="card result"') == 20
    assert 'rel="next"' not in page3


def test_search_without_criteria_browses_categories_and_kinds(client, directory):
    html = client.get(SEARCH).content.decode()
    assert 'href="?category=food"' in html
    assert "20 listings" in html
    assert 'href="?kind=nonprofit"' in html
    assert "60 listings" in html
    assert html.count("<h1") == 1


def test_browse_counts_are_cached_for_a_few_minutes(client, directory, django_assert_num_queries):
    client.get(SEARCH)
    ServiceFactory(name="One more pantry", categories=[CategoryFactory(name="Food", slug="x")])
    # The reference data again (the new category made it stale: five queries); the counts
    # come from the cache.
    with django_assert_num_queries(5):
        html = client.get(SEARCH).content.decode()
    assert "20 listings" in html
    assert "60 listings" in html  # the new listing is counted when the cache expires


def test_filter_selects_keep_the_choice_and_mark_errors(client, directory):
    html = client.get(SEARCH, {"category": "housing", "kind": "<b>"}).content.decode()
    assert '<option value="housing" selected>Housing</option>' in html
    assert '<option value="food">Food</option>' in html
    assert '<option value="" selected>Any language</option>' in html
    kind = re.search(r'<select name="kind"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in kind
    assert 'aria-describedby="id_kind_error"' in kind
    assert '<option value="">Any kind</option>' in html  # an unknown value selects nothing
    assert "<b>" not in html


def test_no_results_offers_help(client, directory):
    html = client.get(SEARCH, {"q": "xylophone repair"}).content.decode()
    assert "No listing matches your search." in html
    assert "Check the spelling" in html
    assert "Remove a filter" in html
    assert "Browse all categories" in html
    for number in ("911", "988", "211"):  # a tap calls them on a phone
        assert f'<a href="tel:{number}">{number}</a>' in html


def test_inactive_and_defunct_never_shown_closed_has_badge(client, directory):
    directory[0].status = ServiceStatus.INACTIVE
    directory[0].save()
    directory[1].status = ServiceStatus.DEFUNCT
    directory[1].save()
    directory[2].status = ServiceStatus.TEMPORARILY_CLOSED
    directory[2].save()
    html = client.get(SEARCH, {"q": "pantry", "category": "food"}).content.decode()
    assert "Community pantry 0<" not in html
    assert "Temporarily closed" not in html  # pantry 2 is in Health (n % 3 == 2)
    html = client.get(SEARCH, {"category": "health"}).content.decode()
    assert "Community pantry 2<" in html
    assert "Temporarily closed" in html
    assert "Community pantry 1<" not in client.get(SEARCH, {"q": "pantry 1"}).content.decode()
    detail = reverse("directory:service_detail", args=[directory[0].slug])
    assert client.get(detail).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 5000}, "We ignored"),
        ({"q": "food\x00pantry"}, "We ignored"),
        ({"category": "no-such-thing"}, "We ignored"),
        ({"kind": "spaceship"}, "We ignored"),
        ({"language": "klingon"}, "We ignored"),
        ({"city": "atlantis"}, "We ignored"),
        ({"zip": "abcde"}, "ZIP code"),
        ({"q": "pantry", "page": "99999"}, "here is the last one"),
        ({"q": "pantry", "page": "abc"}, "is not a page number"),
        ({"q": "pantry", "page": "-3"}, "Pages start at 1"),
    ],
)
def test_bad_input_gets_a_page_with_a_message(client, directory, params, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_empty_query_is_the_browse_page(client, directory):
    html = client.get(SEARCH, {"q": "   "}).content.decode()
    assert "Browse by category" in html


@hypothesis_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.text(max_size=300),
    page=st.one_of(st.none(), st.text(max_size=8), st.integers().map(str)),
    extra=st.dictionaries(
        st.sampled_from(["category", "kind", "language", "city", "zip", "open_now"]),
        st.text(max_size=20),
        max_size=3,
    ),
)
def test_any_query_string_is_answered_without_error(client, safe_house, q, page, extra):
    params = {"q": q, **extra}
    if page is not None:
        params["page"] = page
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert_secret_absent(response.content.decode())


def test_search_results_never_show_a_confidential_address(client, safe_house):
    html = client.get(SEARCH, {"q": "harbor safe house"}).content.decode()
    assert "Harbor safe house" in html
    assert "78209" not in html
    assert_secret_absent(html)


def test_search_is_safe_methods_only(client):
    assert client.post(SEARCH).status_code == 405


# --- service page ------------------------------------------------------------------------


def test_service_page_query_count(client, directory, django_assert_max_num_queries):
    service = directory[5]
    for n in range(5):
        Phone.objects.create(service=service, number=f"(555) 010-30{n}0")
        Schedule.objects.create(service=service, byday="SA", opens_at="10:00", closes_at="12:00")
    with django_assert_max_num_queries(7):
        response = client.get(service.get_absolute_url())
    assert response.status_code == 200


def test_service_page_shows_what_residents_need(client, directory):
    service = directory[1]
    service.eligibility_description = "Adults living in Riverbend."
    service.fees_description = "Free."
    service.application_process = "Walk in with an ID."
    service.save()
    html = client.get(service.get_absolute_url()).content.decode()
    for text in (
        "Adults living in Riverbend.",
        "Free.",
        "Walk in with an ID.",
        'href="tel:5550102000"',
        "Spanish",
        "<caption>Opening hours</caption>",
        '<th scope="row">Monday</th>',
        "openstreetmap.org/search?query=",
        f"?service={service.slug}",
        "Last verified",
    ):
        assert text in html, text
    assert html.count("<h1") == 1
    assert 'src="http' not in html  # the map is a link, never loaded


def test_stale_listing_gets_a_notice(client, directory):
    service = directory[3]
    service.assured_date = datetime.date.today() - datetime.timedelta(days=400)
    service.save()
    assert "more than a year ago" in client.get(service.get_absolute_url()).content.decode()
    service.assured_date = datetime.date.today() - datetime.timedelta(days=30)
    service.save()
    assert "more than a year ago" not in client.get(service.get_absolute_url()).content.decode()


def test_overnight_and_all_day_hours_are_written_out(client):
    service = ServiceFactory()
    ScheduleFactory(service=service, byday="MO", opens_at="19:00", closes_at="07:00")
    ScheduleFactory(service=service, byday="SU", opens_at="00:00", closes_at="00:00")
    html = client.get(service.get_absolute_url()).content.decode()
    assert "7 p.m. – 7 a.m. (next day)" in html
    assert "Open 24 hours" in html


def _json_ld(html: str) -> dict:
    match = re.search(
        r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html, re.S
    )
    assert match, "no JSON-LD with a nonce"
    return json.loads(match.group(1))


def test_json_ld_describes_the_service(client, directory):
    service = directory[4]
    data = _json_ld(client.get(service.get_absolute_url()).content.decode())
    assert data["@type"] == "Service"
    assert data["name"] == service.name
    assert data["provider"]["name"] == service.organization.name
    place = data["availableChannel"]["serviceLocation"][0]
    assert place["address"]["postalCode"].startswith("7820")
    assert data["hoursAvailable"][0]["opens"] == "09:00"


def test_json_ld_cannot_break_out_of_its_script_tag(client):
    service = ServiceFactory(name="Tricky </script><script>alert(1)</script> & co")
    html = client.get(service.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    assert "</script><script>alert(1)" not in head
    assert _json_ld(html)["name"] == service.name


def test_confidential_location_is_hidden_on_the_service_page(client, safe_house):
    html = client.get(safe_house.get_absolute_url()).content.decode()
    assert "Confidential location" in html
    assert 'href="tel:5550101111"' in html  # how to get help instead
    assert "openstreetmap" not in html
    assert "78209" not in html
    assert_secret_absent(html)
    assert "serviceLocation" not in json.dumps(_json_ld(html))


def test_unknown_service_is_404(client):
    assert client.get(reverse("directory:service_detail", args=["nope"])).status_code == 404


# --- organization page -------------------------------------------------------------------


def test_organization_page_query_count(client, directory, django_assert_max_num_queries):
    organization = directory[0].organization  # has 10 services, 10 locations
    PhoneFactory(organization=organization)
    with django_assert_max_num_queries(4):
        response = client.get(organization.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card"') == 10
    assert "Riverbend" in html


def test_an_organization_with_many_services_is_shown_a_page_at_a_time(
    client, django_assert_max_num_queries
):
    organization = OrganizationFactory()
    for number in range(120):
        ServiceFactory(organization=organization, name=f"Service {number:03}")
    url = organization.get_absolute_url()
    with django_assert_max_num_queries(4):
        html = client.get(url).content.decode()
    assert html.count('class="card"') == 50
    assert "120 services; showing 1–50." in html
    assert "Service 000<" in html
    assert "Page 1 of 3" in html
    last = client.get(url, {"page": "3"}).content.decode()
    assert last.count('class="card"') == 20
    assert "Service 119<" in last
    # A page that is not a number, or past the end, is the first or the last: never an error.
    assert "Page 1 of 3" in client.get(url, {"page": "x²"}).content.decode()
    assert "Page 3 of 3" in client.get(url, {"page": "99"}).content.decode()


def test_organization_page_hides_confidential_addresses(client, safe_house):
    html = client.get(safe_house.organization.get_absolute_url()).content.decode()
    assert "Confidential location" in html
    assert_secret_absent(html)


def test_organization_without_public_services_is_404(client):
    organization = OrganizationFactory()
    ServiceFactory(organization=organization, status=ServiceStatus.DEFUNCT)
    assert client.get(organization.get_absolute_url()).status_code == 404


def test_a_result_card_names_the_first_public_place(client):
    """Town and ZIP of the first location that is not confidential; the town alone when
    there is no ZIP; nothing without a town."""
    both = ServiceFactory(name="Quillwort clinic one")
    hidden = ServiceAtLocationFactory(
        service=both, location__city="Secretville", location__is_confidential=True
    )
    ServiceAtLocationFactory(
        service=both, location__city="Riverbend", location__postal_code="78201"
    )
    ServiceAtLocationFactory(service=both, location__city="Lakeside", location__postal_code="78299")
    town = ServiceFactory(name="Quillwort clinic two")
    ServiceAtLocationFactory(service=town, location__city="Oakdale", location__postal_code="")
    nowhere = ServiceFactory(name="Quillwort clinic three")
    ServiceAtLocationFactory(service=nowhere, location__city="", location__postal_code="78203")
    refresh_search_vectors()
    # The confidential location comes first, so the card must pass over it.
    assert hidden.location_id == min(link.location_id for link in both.service_at_locations.all())

    html = client.get(reverse("directory:search"), {"q": "quillwort"}).content.decode()
    cards = {
        name: meta.split("·", 1)[1].strip() if "·" in meta else ""
        for name, meta in re.findall(
            r'<h3><a href="[^"]+">([^<]+)</a></h3>\s*<p class="meta">\s*([^<\n]*)', html
        )
    }
    assert cards == {
        "Quillwort clinic one": "Riverbend 78201",
        "Quillwort clinic two": "Oakdale",
        "Quillwort clinic three": "",
    }
    assert "Secretville" not in html


def test_a_category_count_is_what_its_link_finds(client):
    """A category's count takes in the categories below it, as its link's search does."""
    housing = CategoryFactory(name="Housing", slug="housing")
    shelters = CategoryFactory(name="Shelters", slug="shelters", parent=housing)
    ServiceFactory(name="Night shelter", categories=[shelters])
    ServiceFactory(name="Both", categories=[housing, shelters])  # counted once
    ServiceFactory(name="Rent help", categories=[housing])
    refresh_search_vectors()
    html = client.get(SEARCH).content.decode()
    assert re.search(
        r'href="\?category=housing">Housing</a> <span class="meta">\(3 listings\)', html
    )
    assert re.search(
        r'href="\?category=shelters">Shelters</a> <span class="meta">\(2 listings', html
    )
    assert "3 results." in client.get(SEARCH, {"category": "housing"}).content.decode()


def test_back_from_a_listing_returns_to_the_search_results(client, directory):
    html = client.get(SEARCH, {"q": "pantry", "kind": "nonprofit", "page": "2"}).content.decode()
    link = re.search(r'<h3><a href="([^"]+)">', html).group(1).replace("&amp;", "&")
    assert "?back=" in link
    listing = client.get(link).content.decode()
    back = re.search(r'<a href="([^"]*)">Back to your search results</a>', listing).group(1)
    assert back == f"{SEARCH}?q=pantry&amp;kind=nonprofit&amp;page=2"
    assert "Page 2 of 3" in client.get(back.replace("&amp;", "&")).content.decode()
    assert 'rel="canonical" href="http://testserver/directory/services/' in listing
    assert "?back" not in re.search(r'rel="canonical" href="([^"]*)"', listing).group(1)


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("", None),
        ("evil=1&next=//evil.example", None),
        ("q=<script>&zip=78201", "q=%3Cscript%3E&amp;zip=78201"),
        ("zip=78201&q=" + "x" * 5000, "q=" + "x" * 200 + "&amp;zip=78201"),
    ],
)
def test_back_keeps_only_the_search_parameters(client, directory, back, expected):
    html = client.get(directory[0].get_absolute_url(), {"back": back}).content.decode()
    assert "<script>" not in html
    assert "evil" not in html
    if expected is None:
        assert f'<a href="{SEARCH}">Back to the directory</a>' in html
    else:
        assert f'<a href="{SEARCH}?{expected}">Back to your search results</a>' in html


def test_a_result_card_has_a_number_to_call(client):
    """The service's own number, else one at its locations, else its provider's; never a fax."""
    own = ServiceFactory(name="Sorrel pantry one")
    PhoneFactory(service=own, number="(555) 010-0001", type="fax")
    PhoneFactory(service=own, number="(555) 010-0002")
    PhoneFactory(organization=own.organization, number="(555) 010-0009")
    at_location = ServiceFactory(name="Sorrel pantry two")
    link = ServiceAtLocationFactory(service=at_location)
    PhoneFactory(location=link.location, number="+1 555 010 0003")
    provider = ServiceFactory(name="Sorrel pantry three")
    PhoneFactory(organization=provider.organization, number="555-010-0004")
    ServiceFactory(name="Sorrel pantry four")
    refresh_search_vectors()

    html = client.get(SEARCH, {"q": "sorrel"}).content.decode()
    calls = dict(
        re.findall(
            r'>(Sorrel pantry \w+)</a></h3>\s*<p class="meta">\s*[^\n]*?href="(tel:[^"]+)"', html
        )
    )
    assert calls == {
        "Sorrel pantry one": "tel:5550100002",
        "Sorrel pantry two": "tel:+15550100003",
        "Sorrel pantry three": "tel:5550100004",
    }


def test_a_sensitive_listing_offers_a_quick_exit(client, django_assert_max_num_queries):
    violence = CategoryFactory(name="Family violence", slug="family-violence", is_sensitive=True)
    hotline = CategoryFactory(name="Hotlines", slug="hotlines", parent=violence)
    sensitive = ServiceFactory(name="Safe line", categories=[hotline])  # below a sensitive one
    ordinary = ServiceFactory(name="Food pantry", categories=[CategoryFactory(slug="food")])
    with django_assert_max_num_queries(4):
        html = client.get(sensitive.get_absolute_url()).content.decode()
    assert 'href="https://www.weather.gov/" rel="noreferrer" data-quick-exit' in html
    assert "js/quick-exit" in html
    html = client.get(ordinary.get_absolute_url()).content.decode()
    assert "data-quick-exit" not in html
    assert "js/quick-exit" not in html


def test_a_listing_page_reads_all_it_shows_in_four_queries(client, django_assert_max_num_queries):
    """Categories (in name order), languages, two locations, phones at every level, hours and
    the latest changes: the service and its locations, phones, hours (four queries)."""
    service = ServiceFactory(
        name="Eastside pantry",
        categories=[CategoryFactory(name="Pantries"), CategoryFactory(name="clothing")],
        languages=[LanguageFactory(code="vi", name="Vietnamese"), LanguageFactory()],
    )
    links = [ServiceAtLocationFactory(service=service) for _ in range(2)]
    PhoneFactory(service=service, number="(555) 010-1111")
    PhoneFactory(service_at_location=links[0], number="(555) 010-2222")
    PhoneFactory(location=links[1].location, number="(555) 010-3333")
    ScheduleFactory(service=service, byday="SA", opens_at=datetime.time(8, 15))
    ScheduleFactory(service_at_location=links[1], byday="SU", opens_at=datetime.time(13, 45))
    changelog.record(
        service=service,
        resource=service,
        changes=[changelog.Change("fees_description", "", "Free")],
        source=ChangeSource.PROVIDER,
    )
    with django_assert_max_num_queries(4):
        html = client.get(service.get_absolute_url()).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert re.search(r"Categories clothing , Pantries ", text)
    assert re.search(r'<span lang="es">Español</span>, <span lang="vi">Tiếng Việt</span>', html)
    shown = ("010-1111", "010-2222", "010-3333", "8:15", "1:45", "Cost changed by the provider")
    assert [part in text for part in shown] == [True] * len(shown)
    assert [link.location.address_1 in text for link in links] == [True, True]
    assert "data-quick-exit" not in html
    data = json.loads(re.search(r'ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert (data["category"], data["availableLanguage"]) == (
        ["clothing", "Pantries"],
        ["Spanish", "Vietnamese"],
    )


def test_a_listing_without_categories_languages_or_changes_says_so_plainly(client):
    service = ServiceFactory(name="Quiet pantry")
    html = client.get(service.get_absolute_url()).content.decode()
    assert "Quiet pantry" in html
    assert "Categories" not in html
    assert "Languages" not in html
    assert "Recent changes" not in html


def test_a_listing_page_reads_its_hours_in_local_time(client, monkeypatch, settings):
    """A pantry without a partner city, seen at 21:36 UTC (3:36 p.m. in Chicago)."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    pantry = ServiceFactory(name="Westside pantry")
    ScheduleFactory(service=pantry)  # MO-FR 9-17
    wednesday = datetime.datetime(2025, 1, 8, 21, 36, tzinfo=datetime.UTC)
    monkeypatch.setattr("directory.views.timezone.now", lambda: wednesday)
    html = client.get(pantry.get_absolute_url()).content.decode()
    assert "Open now" in html
    assert "(at 3:36 p.m. CST, local time)" in html  # not 9:36 p.m. UTC


@postgres_only
def test_a_misspelt_search_offers_the_words_the_directory_uses(client, directory):
    html = client.get(SEARCH, {"q": "comunity pantri", "kind": "nonprofit"}).content.decode()
    assert 'class="card result"' in html
    suggestion = re.search(r'Did you mean <a href="([^"]*)">“([^”]*)”</a>\?', html)
    assert suggestion is not None
    assert suggestion.group(2) == "community pantry"
    assert suggestion.group(1) == "?q=community+pantry&amp;kind=nonprofit"
    assert "Did you mean" not in client.get(SEARCH, {"q": "community pantry"}).content.decode()


def test_when_no_listing_has_every_word_the_page_says_these_have_some(client, directory):
    html = client.get(SEARCH, {"q": "pantry unicorns"}).content.decode()
    assert "No listing has all of your words." in html
    assert html.count('class="card result"') == 20
    html = client.get(SEARCH, {"q": "pantry"}).content.decode()
    assert "No listing has all of your words." not in html


def test_a_zip_code_typed_with_the_words_finds_listings_nearest_first(client, directory):
    """One listing in five is at each of 78200 (not a real ZIP code: no position) to 78204;
    78202 is 0.9 miles from 78203's centre, 78204 2.9, 78201 6.0."""
    html = client.get(SEARCH, {"q": "pantry 78203"}).content.decode()
    assert "48 results." in html
    distances = re.findall(r"([\d.]+) miles away", html)
    assert distances == ["0.0"] * 12 + ["0.9"] * 8  # the first page of 20
    assert "12 results." not in html
    within_a_mile = client.get(SEARCH, {"q": "pantry", "zip": "78203", "radius": "1"})
    assert "24 results." in within_a_mile.content.decode()
    best_first = client.get(SEARCH, {"q": "pantry 78203", "sort": "best"}).content.decode()
    assert "48 results." in best_first
    assert re.findall(r"([\d.]+) miles away", best_first)[:12] != ["0.0"] * 12
    # A part of a ZIP code is no place: listings whose ZIP code starts with it.
    assert "60 results." in client.get(SEARCH, {"zip": "782"}).content.decode()
