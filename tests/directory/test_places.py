"""Where a listing is: the time zone its hours are read in (partner city, else its location's
ZIP code or state, else DIRECTORY_TIME_ZONE) and the position distances are measured from."""

import datetime

import pytest

from directory import places, search
from directory.hsds import package_import
from directory.models import Location, Service
from tests.compacts.factories import CityFactory

from .factories import LocationFactory, ScheduleFactory, ServiceAtLocationFactory, ServiceFactory
from .fixtures.hsds_package import GOOD_PACKAGE, write_package

SEARCH = "/directory/"


def test_a_zip_code_gives_its_time_zone_and_centre():
    san_antonio = places.zip_place("78201-1234")
    assert san_antonio.time_zone == "America/Chicago"
    assert (round(float(san_antonio.latitude)), round(float(san_antonio.longitude))) == (29, -99)
    assert places.time_zone_of("79901", "TX") == "America/Denver"  # El Paso keeps Mountain time
    assert places.time_zone_of("", "tx") == "America/Chicago"  # the state's main zone
    assert places.time_zone_of("ABC 1234", "MyState") == ""
    assert places.zip_place("00000") is None


def test_miles_between_two_points():
    assert places.miles_between(30.0, -98.0, 31.0, -98.0) == pytest.approx(69.1, abs=0.1)
    assert places.miles_between(29.47, -98.54, 29.47, -98.54) == 0


@pytest.mark.django_db
def test_a_location_knows_its_place_and_whether_its_position_is_approximate():
    given = LocationFactory(postal_code="78201", latitude=29.5, longitude=-98.4)
    assert (given.position_latitude, given.position_longitude) == (29.5, -98.4)
    assert not given.position_is_approximate
    assert given.time_zone == "America/Chicago"
    centred = LocationFactory(postal_code="79901", state_province="TX")
    assert centred.position_is_approximate
    assert centred.time_zone == "America/Denver"
    assert centred.latitude is None  # what HSDS gave stays as given
    nowhere = LocationFactory(postal_code="", state_province="")
    assert (nowhere.position_latitude, nowhere.time_zone) == (None, "")
    centred.postal_code = "10001"
    centred.save(update_fields=["postal_code"])
    centred.refresh_from_db()
    assert centred.time_zone == "America/New_York"


@pytest.mark.django_db
def test_an_import_gives_each_location_its_place(tmp_path):
    locations = GOOD_PACKAGE["locations.csv"].replace("40.2,-83.1", ",")
    assert package_import(write_package(tmp_path / "pkg", locations_csv=locations)).ok
    exact = Location.objects.get(hsds_id="l-1")
    assert (exact.time_zone, exact.position_is_approximate) == ("America/New_York", False)
    centred = Location.objects.get(hsds_id="l-2")  # no coordinates: ZIP 43002's centre
    assert centred.position_is_approximate
    assert centred.latitude is None
    assert Service.objects.get(hsds_id="s-1").time_zone == "America/New_York"


@pytest.mark.django_db
def test_a_listing_reads_its_hours_in_its_own_time_zone():
    chicago = CityFactory(time_zone="America/Chicago")
    in_city = ServiceFactory(organization__city=chicago)
    ServiceAtLocationFactory(service=in_city, location__postal_code="79901")
    el_paso = ServiceFactory()  # no partner city: its location's ZIP decides
    ServiceAtLocationFactory(service=el_paso, location__postal_code="79901")
    nowhere = ServiceFactory()
    search.refresh_search_vectors()
    zones = dict(Service.objects.values_list("pk", "time_zone"))
    assert zones == {in_city.pk: "America/Chicago", el_paso.pk: "America/Denver", nowhere.pk: ""}


@pytest.fixture
def two_zones(settings):
    """A directory across two time zones: a pantry in New York and one in El Paso
    (Mountain time), both open weekdays 9 to 5; DIRECTORY_TIME_ZONE is Chicago."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    listings = {}
    for name, zip_code in (("New York pantry", "10001"), ("El Paso pantry", "79901")):
        service = ServiceFactory(name=name)
        link = ServiceAtLocationFactory(service=service, location__postal_code=zip_code)
        ScheduleFactory(service_at_location=link)
        listings[name] = service
    search.refresh_search_vectors()
    return listings


def open_at(at: datetime.datetime) -> set[str]:
    return {service.name for service in Service.objects.open_now(at)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 15:30 UTC: 10:30 in New York, 8:30 in El Paso.
        (datetime.datetime(2025, 1, 8, 15, 30), {"New York pantry"}),
        # 23:30 UTC: 18:30 in New York, 16:30 in El Paso (17:30 in Chicago: closed there).
        (datetime.datetime(2025, 1, 8, 23, 30), {"El Paso pantry"}),
        # 21:36 UTC: 16:36 in New York, 14:36 in El Paso.
        (datetime.datetime(2025, 1, 8, 21, 36), {"New York pantry", "El Paso pantry"}),
    ],
)
def test_open_now_asks_each_zone_for_its_own_time(two_zones, utc, expected):
    assert open_at(utc.replace(tzinfo=datetime.UTC)) == expected


@pytest.mark.django_db
def test_open_now_follows_daylight_saving_time(two_zones):
    """13:30 UTC is 8:30 in New York in winter (closed) and 9:30 once the clocks have gone
    forward on Sunday 9 March 2025 (open); a fixed UTC-5 would say closed both times."""
    friday_before = datetime.datetime(2025, 3, 7, 13, 30, tzinfo=datetime.UTC)
    monday_after = datetime.datetime(2025, 3, 10, 13, 30, tzinfo=datetime.UTC)
    assert "New York pantry" not in open_at(friday_before)
    assert "New York pantry" in open_at(monday_after)
    # And back in November: 13:30 UTC is 8:30 again after Sunday 2 November 2025.
    assert "New York pantry" in open_at(
        datetime.datetime(2025, 10, 31, 13, 30, tzinfo=datetime.UTC)
    )
    assert "New York pantry" not in open_at(
        datetime.datetime(2025, 11, 3, 13, 30, tzinfo=datetime.UTC)
    )


@pytest.mark.django_db
def test_cards_and_listing_pages_use_the_listings_own_time(client, monkeypatch, two_zones):
    at = datetime.datetime(2025, 1, 8, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr("directory.views.timezone.now", lambda: at)
    html = client.get(SEARCH, {"q": "pantry"}).content.decode()
    el_paso = html.split("El Paso pantry</a>")[1].split("</li>")[0]
    new_york = html.split("New York pantry</a>")[1].split("</li>")[0]
    assert "Open now</strong> · closes 5 p.m." in el_paso
    assert "Closed now</strong> · opens Thu 9 a.m." in new_york
    page = client.get(two_zones["El Paso pantry"].get_absolute_url()).content.decode()
    assert "(at 4:30 p.m. MST, local time)" in page


@pytest.mark.django_db
def test_a_new_time_zone_for_a_partner_city_reaches_its_listings():
    city = CityFactory(time_zone="America/Chicago")
    service = ServiceFactory(organization__city=city)
    search.refresh_search_vectors()
    city.time_zone = "America/Denver"
    city.save()
    service.refresh_from_db()
    assert service.time_zone == "America/Denver"


@pytest.mark.django_db
def test_near_a_zip_code_a_confidential_location_never_counts(client):
    shelter = ServiceFactory(name="Safe shelter")
    ServiceAtLocationFactory(
        service=shelter, location__postal_code="78203", location__is_confidential=True
    )
    pantry = ServiceFactory(name="Open pantry")
    ServiceAtLocationFactory(service=pantry, location__postal_code="78203")
    search.refresh_search_vectors()
    html = client.get(SEARCH, {"zip": "78203"}).content.decode()
    assert "Open pantry" in html
    assert "Safe shelter" not in html  # a distance would tell where it is


@pytest.mark.django_db
def test_a_zip_code_search_sorted_by_distance_runs_three_queries(
    client, django_assert_max_num_queries
):
    for number, zip_code in enumerate(["78201", "78202", "78203", "78204"] * 5):
        service = ServiceFactory(name=f"Pantry {number}")
        link = ServiceAtLocationFactory(service=service, location__postal_code=zip_code)
        ScheduleFactory(service_at_location=link)
    search.refresh_search_vectors()
    client.get(SEARCH)  # the reference data is now in the cache
    # The spelling look-up, the page with its count and distances, the page's hours.
    with django_assert_max_num_queries(3):
        html = client.get(SEARCH, {"q": "pantry", "zip": "78203"}).content.decode()
    assert "20 results." in html
    assert html.index("0.0 miles away") < html.index("0.9 miles away")
