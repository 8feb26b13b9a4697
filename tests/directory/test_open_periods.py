"""Open periods: the weekdays and times the "open now" search reads, kept current with the
schedules, equal to the listing page's rule, and found through their indexes on Postgres."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from directory import search
from directory.hours import WEEKDAY_CODES, daily_periods, is_open_at
from directory.models import OpenPeriod, Schedule, Service, service_time_zones
from directory.search.conditions import open_at
from tests.compacts.factories import CityFactory
from tests.directory.conftest import postgres_only
from tests.directory.factories import (
    LocationFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
HOUR = 3600
DAY = 24 * HOUR


def periods(schedule: Schedule) -> list[tuple[int, int, int]]:
    return daily_periods(schedule.byday, schedule.opens_at, schedule.closes_at)


def stored(service: Service) -> list[tuple[int, int, int]]:
    return list(
        OpenPeriod.objects.filter(service=service)
        .order_by("weekday", "opens")
        .values_list("weekday", "opens", "closes")
    )


def test_periods_of_plain_overnight_and_all_day_hours():
    nine_to_five = Schedule(byday="MO,WE", opens_at=datetime.time(9), closes_at=datetime.time(17))
    assert periods(nine_to_five) == [(0, 9 * HOUR, 17 * HOUR), (2, 9 * HOUR, 17 * HOUR)]
    # Sunday 19:00 to Monday 07:00: the evening of Sunday (6) and the morning of Monday (0).
    sunday_night = Schedule(byday="SU", opens_at=datetime.time(19), closes_at=datetime.time(7))
    assert periods(sunday_night) == [(0, 0, 7 * HOUR), (6, 19 * HOUR, DAY)]
    # Every night 19-07: each day's morning and evening stay two periods (they do not touch).
    nightly = Schedule(byday="", opens_at=datetime.time(19), closes_at=datetime.time(7))
    assert len(periods(nightly)) == 14
    # Around the clock is each whole day; 10:00-10:00 runs to 10:00 the next day.
    always = Schedule(byday="", opens_at=datetime.time(0), closes_at=datetime.time(0))
    assert periods(always) == [(day, 0, DAY) for day in range(7)]
    from_ten = Schedule(byday="TU", opens_at=datetime.time(10), closes_at=datetime.time(10))
    assert periods(from_ten) == [(1, 10 * HOUR, DAY), (2, 0, 10 * HOUR)]
    # Rows that touch on one day are one period.
    assert daily_periods("MO", datetime.time(9), datetime.time(9, 0, 1)) == [
        (0, 9 * HOUR, 9 * HOUR + 1)
    ]
    assert periods(Schedule(byday="MO")) == []


times = st.builds(
    datetime.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]), st.sampled_from([0, 30])
)
rows = st.builds(
    lambda days, opens, closes: Schedule(byday=",".join(days), opens_at=opens, closes_at=closes),
    st.lists(st.sampled_from(WEEKDAY_CODES), max_size=7),
    times,
    times,
)
# A fortnight from Monday 6 January 2025, to the second.
instants = st.builds(
    lambda offset: datetime.datetime(2025, 1, 6) + datetime.timedelta(seconds=offset),
    st.integers(0, 14 * DAY - 1),
)


@settings(max_examples=500, deadline=None)
@given(rows, instants)
def test_a_period_covers_an_instant_exactly_when_the_hours_are_open(row, at):
    second = at.hour * HOUR + at.minute * 60 + at.second
    covered = any(
        day == at.weekday() and opens <= second < closes for day, opens, closes in periods(row)
    )
    assert covered == is_open_at(row, at)


@pytest.mark.django_db
class TestKeptCurrent:
    def test_saving_hours_writes_their_periods_and_deleting_removes_them(self):
        service = ServiceFactory()
        schedule = ScheduleFactory(service=service, byday="MO")  # 9-17
        assert stored(service) == [(0, 9 * HOUR, 17 * HOUR)]
        schedule.byday = "TU"
        schedule.closes_at = datetime.time(12)
        schedule.save()
        assert stored(service) == [(1, 9 * HOUR, 12 * HOUR)]
        schedule.delete()
        assert stored(service) == []

    def test_hours_at_a_location_count_for_the_service_and_a_locations_own_do_not(self):
        service = ServiceFactory()
        link = ServiceAtLocationFactory(service=service)
        ScheduleFactory(service_at_location=link, byday="FR")
        ScheduleFactory(location=LocationFactory(), byday="SA")
        assert stored(service) == [(4, 9 * HOUR, 17 * HOUR)]
        assert OpenPeriod.objects.count() == 1

    def test_a_refresh_rewrites_what_a_bulk_change_left_behind(self):
        moved, kept = ServiceFactory(), ServiceFactory()
        schedule = ScheduleFactory(service=moved, byday="MO")
        ScheduleFactory(service=kept, byday="SU")
        # Bulk changes send no signals: the periods still say Monday, of the old service.
        Schedule.objects.filter(pk=schedule.pk).update(service=kept, byday="WE")
        assert stored(moved) == [(0, 9 * HOUR, 17 * HOUR)]
        search.refresh_search_vectors([kept.pk])
        assert stored(moved) == []
        assert stored(kept) == [(2, 9 * HOUR, 17 * HOUR), (6, 9 * HOUR, 17 * HOUR)]
        # A full refresh writes every period again, and only once.
        OpenPeriod.objects.all().delete()
        search.refresh_search_vectors()
        assert len(stored(kept)) == 2
        assert OpenPeriod.objects.count() == 2

    def test_a_refresh_reads_the_schedules_in_chunks_and_writes_every_one(self, monkeypatch):
        # Five schedules in chunks of two: three reads, the last one short. A chunk that
        # started again at the beginning, or skipped the row after each chunk's last one,
        # would write some periods twice or not at all.
        monkeypatch.setattr(search.index, "PERIOD_CHUNK", 2)
        services = ServiceFactory.create_batch(5)
        for service, day in zip(services, ("MO", "TU", "WE", "TH", "FR"), strict=True):
            ScheduleFactory(service=service, byday=day)
        OpenPeriod.objects.all().delete()
        search.refresh_search_vectors()
        assert [stored(service) for service in services] == [
            [(weekday, 9 * HOUR, 17 * HOUR)] for weekday in range(5)
        ]


@pytest.mark.django_db
def test_open_now_follows_daylight_saving_time(settings):
    """9-17 in Chicago: 14:30 UTC is 8:30 a.m. in January (CST, UTC-6) and 9:30 a.m. in
    March after the clocks changed (CDT, UTC-5). A fixed offset gets one of them wrong."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    office = ServiceFactory(name="Office")
    ScheduleFactory(service=office)  # MO-FR 9-17
    winter = datetime.datetime(2025, 3, 7, 14, 30, tzinfo=datetime.UTC)  # Friday, CST
    summer = datetime.datetime(2025, 3, 10, 14, 30, tzinfo=datetime.UTC)  # Monday, CDT
    assert list(Service.objects.open_now(winter)) == []
    assert list(Service.objects.open_now(summer)) == [office]


def search_open(at: datetime.datetime) -> list[str]:
    """The names the search finds open at ``at`` (on Postgres through the hours' facets)."""
    criteria = search.Criteria(open_at=at)
    found = search.services_matching(criteria, search.load_reference())
    return sorted(Service.objects.filter(pk__in=found.values("pk")).values_list("name", flat=True))


@postgres_only
@pytest.mark.django_db
def test_few_open_listings_are_found_through_the_names_index(settings):
    """At 23:30 few listings are open. The search narrows them to those open this hour with
    the hour's facet, which the names' GIN index answers (with the words or a category),
    instead of reading every listing in name order or every period. (A table this small is
    cheaper to read whole, so sequential scans are turned off to see that the index can
    answer the condition; the bench measures the plans at 200,000 listings.)"""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    for number in range(20):  # MO-FR 9-17
        ScheduleFactory(service=ServiceFactory(name=f"Clinic {number:03}"))
    for number in range(3):
        ScheduleFactory(
            service=ServiceFactory(name=f"Shelter {number}"),
            byday="",
            opens_at=datetime.time(19),
            closes_at=datetime.time(7),
        )
    at = datetime.datetime(2025, 1, 8, 23, 30, tzinfo=CHICAGO)  # Wednesday: hour 2 * 24 + 23
    found = search.services_matching(search.Criteria(open_at=at), search.load_reference())
    sql, params = found.query.sql_with_params()
    assert "'open:71' | 'day:2'" in params, (sql, params)
    this_hour = Service.objects.filter(open_at(at, ["America/Chicago"])).order_by().values("pk")
    sql, params = this_hour.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "directory_service_vectors_gin" in plan, plan
    assert search_open(at) == [f"Shelter {n}" for n in range(3)]


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        (datetime.datetime(2025, 1, 6, 9, 29, 59), False),  # Monday, before 9:30
        (datetime.datetime(2025, 1, 6, 9, 30), True),
        (datetime.datetime(2025, 1, 6, 10, 14, 59), True),
        (datetime.datetime(2025, 1, 6, 10, 15), False),  # the hour of 10 has the facet
        (datetime.datetime(2025, 1, 6, 10, 40), False),
        (datetime.datetime(2025, 1, 7, 9, 45), False),  # Tuesday
    ],
)
def test_open_for_part_of_the_hour_is_checked_to_the_second(settings, local, is_open):
    """9:30-10:15 on Mondays is open for part of the hours 9 and 10: at 10:40 the facet of
    the hour matches and the check of the periods says closed."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    ScheduleFactory(
        service=ServiceFactory(name="Clinic"),
        byday="MO",
        opens_at=datetime.time(9, 30),
        closes_at=datetime.time(10, 15),
    )
    assert search_open(local.replace(tzinfo=CHICAGO)) == (["Clinic"] if is_open else [])


def hours_facets(service: Service) -> set[str]:
    """The opening-hours facets of a service's names vector ("open:81", "day:2" ...)."""
    vector = Service.objects.filter(pk=service.pk).values_list("name_vector", flat=True)[0]
    return set(re.findall(r"'((?:open|part|day):\d+)'", vector))


@postgres_only
@pytest.mark.django_db
def test_a_weekday_open_all_day_is_one_facet_and_still_found_open(settings):
    """A weekday whose 24 hours are all open on any date is one "day" facet, not 24 "open"
    ones (a line open day and night had 168, a vector too large to stay in its row): from one
    row of hours or from two that meet at noon. Open all day only from a date on, it keeps
    its hours as "part" facets, checked against the dates."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    always = ServiceFactory(name="Crisis line")
    ScheduleFactory(service=always, byday="", opens_at=datetime.time(0), closes_at=datetime.time(0))
    halves = ServiceFactory(name="Shelter in two shifts")
    for opens, closes in ((0, 12), (12, 0)):
        ScheduleFactory(
            service=halves,
            byday="WE",
            opens_at=datetime.time(opens),
            closes_at=datetime.time(closes),
        )
    ScheduleFactory(
        service=halves, byday="TH", opens_at=datetime.time(9), closes_at=datetime.time(11)
    )
    dated = ServiceFactory(name="Winter shelter")
    ScheduleFactory(
        service=dated,
        byday="WE",
        opens_at=datetime.time(0),
        closes_at=datetime.time(0),
        valid_from=datetime.date(2025, 1, 8),
    )
    assert hours_facets(always) == {f"day:{day}" for day in range(7)}
    assert hours_facets(halves) == {"day:2", "open:81", "open:82"}  # Thursday 9-11
    assert hours_facets(dated) == {f"part:{hour}" for hour in range(48, 72)}
    wednesday_night = datetime.datetime(2025, 1, 8, 23, 30, tzinfo=CHICAGO)
    assert search_open(wednesday_night) == [
        "Crisis line",
        "Shelter in two shifts",
        "Winter shelter",
    ]
    tuesday_night = datetime.datetime(2025, 1, 7, 23, 30, tzinfo=CHICAGO)
    assert search_open(tuesday_night) == ["Crisis line"]


@postgres_only
@pytest.mark.django_db
def test_saved_hours_are_found_at_once_and_changed_hours_no_longer(settings):
    """Saving a schedule row refreshes its service's facets (no import, no manual refresh):
    a row added at 19:00-23:00 is found at 21:36 Chicago time, which is 03:36 UTC the next
    day; moved to the morning, it is not."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    service = ServiceFactory(name="Evening pantry")
    at = datetime.datetime(2025, 1, 9, 3, 36, tzinfo=datetime.UTC)  # Wed 21:36 in Chicago
    assert search_open(at) == []
    schedule = ScheduleFactory(
        service=service, byday="WE", opens_at=datetime.time(19), closes_at=datetime.time(23)
    )
    assert search_open(at) == ["Evening pantry"]
    schedule.opens_at, schedule.closes_at = datetime.time(8), datetime.time(12)
    schedule.save()
    assert search_open(at) == []


@postgres_only
@pytest.mark.django_db
def test_each_listing_is_read_in_its_own_time_zone(settings):
    """The directory is in Chicago; a listing in New York is open 9-17 New York time. At
    14:30 UTC it is 9:30 in New York (open) and 8:30 in Chicago (the Chicago listing is
    closed); at 22:30 UTC the New York one has closed and the Chicago one (16:30) is open."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    for name, zone in (("Chicago office", ""), ("New York office", "America/New_York")):
        city = CityFactory(time_zone=zone)
        service = ServiceFactory(name=name, organization=OrganizationFactory(city=city))
        ScheduleFactory(service=service)  # MO-FR 9-17
    morning = datetime.datetime(2025, 1, 8, 14, 30, tzinfo=datetime.UTC)
    evening = datetime.datetime(2025, 1, 8, 22, 30, tzinfo=datetime.UTC)
    assert search_open(morning) == ["New York office"]
    assert search_open(evening) == ["Chicago office"]


# A week of hours in two time zones: plain, part of an hour, overnight, all day, with dates.
WEEK_OF_HOURS = [
    ("Chicago 9-17", "America/Chicago", "MO,TU,WE,TH,FR", "09:00", "17:00", None, None),
    ("Chicago 8:45-12:20", "America/Chicago", "MO,SA", "08:45", "12:20", None, None),
    ("Chicago nights", "America/Chicago", "FR,SA", "19:00", "02:30", None, None),
    ("Chicago always", "America/Chicago", "", "00:00", "00:00", None, None),
    ("Chicago from the 9th", "America/Chicago", "", "10:00", "14:00", "2025-01-09", None),
    ("Chicago until the 8th", "America/Chicago", "", "10:00", "14:00", None, "2025-01-08"),
    ("Directory's own zone", "", "TU,SU", "11:15", "13:00", None, None),
    ("New York 9-17", "America/New_York", "MO,TU,WE,TH,FR", "09:00", "17:00", None, None),
    ("New York nights", "America/New_York", "SU", "22:00", "06:00", None, None),
]


@postgres_only
@pytest.mark.django_db
def test_the_search_finds_open_exactly_the_listings_whose_pages_say_open(settings):
    """Every 20 minutes of a week, in a directory that spans two time zones, the search's
    "open now" (the hours facets, and the periods of those open for part of an hour) finds
    exactly the listings that the listing page's rule (hours.is_open_at, in each one's own
    time) says are open."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    rows = {}
    for name, zone, byday, opens, closes, valid_from, valid_to in WEEK_OF_HOURS:
        organization = OrganizationFactory(city=CityFactory(time_zone=zone) if zone else None)
        rows[name] = ScheduleFactory(
            service=ServiceFactory(name=name, organization=organization),
            byday=byday,
            opens_at=datetime.time.fromisoformat(opens),
            closes_at=datetime.time.fromisoformat(closes),
            valid_from=valid_from and datetime.date.fromisoformat(valid_from),
            valid_to=valid_to and datetime.date.fromisoformat(valid_to),
        )
    zones = {name: zoneinfo.ZoneInfo(zone or "America/Chicago") for name, zone, *_ in WEEK_OF_HOURS}
    start = datetime.datetime(2025, 1, 6, 0, 10, tzinfo=datetime.UTC)  # a Monday
    for step in range(7 * 24 * 3):
        at = start + datetime.timedelta(minutes=20 * step)
        expected = sorted(
            name for name, row in rows.items() if is_open_at(row, at.astimezone(zones[name]))
        )
        assert search_open(at) == expected, at


@pytest.mark.django_db
def test_the_time_zones_of_listings_are_each_zone_once():
    """What "open now" asks each zone about: every zone a listing is in, "" (the directory's
    own) included, each once, and none that no listing is in."""
    assert service_time_zones() == set()
    for zone in ("America/New_York", "", "America/Chicago", "America/New_York", ""):
        city = CityFactory(time_zone=zone) if zone else None
        ServiceFactory(organization=OrganizationFactory(city=city))
    search.refresh_search_vectors()
    assert service_time_zones() == {"", "America/Chicago", "America/New_York"}
    Service.objects.filter(time_zone="America/Chicago").delete()
    assert service_time_zones() == {"", "America/New_York"}
