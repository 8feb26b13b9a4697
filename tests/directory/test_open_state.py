"""A listing's open state and when it next changes, on result cards and the listing page."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory import search
from directory.hours import WEEKDAY_CODES, OpenState, is_open_at, open_state
from directory.models import Schedule, ServiceStatus
from tests.compacts.factories import CityFactory

from .factories import (
    LocationFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

SEARCH = "/directory/"
WEEKDAYS = "MO,TU,WE,TH,FR"


def hours(byday=WEEKDAYS, opens=(9, 0), closes=(17, 0), **validity) -> Schedule:
    return Schedule(
        byday=byday, opens_at=datetime.time(*opens), closes_at=datetime.time(*closes), **validity
    )


# 2025-01-08 is a Wednesday.
def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 1, day, hour, minute)


def state(schedules, at, closed=False) -> OpenState:
    return open_state(schedules, at, temporarily_closed=closed)


def test_open_says_when_it_closes_and_closed_when_it_opens():
    weekdays = [hours()]
    assert state(weekdays, local(8, 15, 36)) == OpenState("open", local(8, 17))
    assert state(weekdays, local(8, 7)) == OpenState("closed", local(8, 9))
    # Friday evening: opens on Monday, not today.
    assert state(weekdays, local(10, 18)) == OpenState("closed", local(13, 9), changes_today=False)


def test_periods_that_touch_are_one_and_overnight_hours_close_the_next_morning():
    split = [hours(closes=(12, 0)), hours(opens=(12, 0))]
    assert state(split, local(8, 11)).changes_at == local(8, 17)
    shelter = [hours(byday="", opens=(19, 0), closes=(7, 0))]
    assert state(shelter, local(8, 23)) == OpenState("open", local(9, 7), changes_today=False)
    assert state(shelter, local(9, 6, 59)) == OpenState("open", local(9, 7))
    assert state(shelter, local(9, 7)) == OpenState("closed", local(9, 19))


def test_a_line_open_all_week_never_says_it_closes():
    every_day = [hours(byday="", opens=(0, 0), closes=(0, 0))]
    assert state(every_day, local(8, 3)) == OpenState("open")


def test_no_hours_unknown_and_temporarily_closed_wins():
    assert state([], local(8, 10)) == OpenState("unknown")
    assert state([Schedule(byday=WEEKDAYS)], local(8, 10)) == OpenState("unknown")
    assert state([hours()], local(8, 10), closed=True) == OpenState("temporarily_closed")


def test_hours_that_end_before_they_would_open_again_say_nothing_of_opening():
    ended = [hours(valid_to=datetime.date(2025, 1, 8))]
    assert state(ended, local(8, 18)) == OpenState("closed")


times = st.builds(datetime.time, st.integers(0, 23), st.sampled_from([0, 30]))
schedules = st.lists(
    st.builds(
        lambda days, opens, closes: Schedule(
            byday=",".join(days), opens_at=opens, closes_at=closes
        ),
        st.lists(st.sampled_from(WEEKDAY_CODES), unique=True, max_size=7),
        times,
        times,
    ),
    min_size=1,
    max_size=3,
)
instants = st.builds(
    datetime.datetime, st.just(2025), st.just(1), st.integers(6, 19), st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(schedules, instants)
def test_the_state_agrees_with_the_rule_of_the_open_now_search(rows, at):
    """Open or closed is is_open_at's answer, and the time it changes is right: just
    before it the state is the same, at it the state is the other one."""
    result = state(rows, at)
    is_open = any(is_open_at(row, at) for row in rows)
    assert result.code == ("open" if is_open else "closed")
    if result.changes_at is not None:
        assert result.changes_at > at
        before = result.changes_at - datetime.timedelta(minutes=1)
        assert any(is_open_at(row, before) for row in rows) == is_open
        assert any(is_open_at(row, result.changes_at) for row in rows) != is_open


@pytest.fixture
def chicago_noon(monkeypatch, settings):
    """Wednesday 8 January 2025 at 21:36 UTC: 3:36 p.m. in Chicago, 4:36 p.m. in New York."""
    settings.DIRECTORY_TIME_ZONE = "America/Chicago"
    at = datetime.datetime(2025, 1, 8, 21, 36, tzinfo=datetime.UTC)
    monkeypatch.setattr("directory.views.timezone.now", lambda: at)
    return at


@pytest.mark.django_db
def test_result_cards_show_the_state_in_each_listings_own_time(client, chicago_noon):
    pantry = ServiceFactory(name="Westside pantry")  # no partner city: Chicago time
    ScheduleFactory(service=pantry, closes_at=datetime.time(16, 0))
    eastern = OrganizationFactory(city=CityFactory(time_zone="America/New_York"))
    clinic = ServiceFactory(name="Eastside pantry clinic", organization=eastern)
    ScheduleFactory(service=clinic, closes_at=datetime.time(16, 0))  # closed at 4:36 p.m.
    link = ServiceAtLocationFactory(service=ServiceFactory(name="Pantry at the library"))
    ScheduleFactory(service_at_location=link, byday="SA", opens_at=datetime.time(10, 0))
    ServiceFactory(name="Pantry without hours")
    ServiceFactory(name="Pantry being repaired", status=ServiceStatus.TEMPORARILY_CLOSED)
    summer = ServiceFactory(name="Summer pantry")
    ScheduleFactory(service=summer, valid_to=datetime.date(2024, 9, 1))  # over
    ScheduleFactory(service=summer, valid_from=datetime.date(2025, 1, 10))  # from Friday
    search.refresh_search_vectors()
    html = client.get(SEARCH, {"q": "pantry"}).content.decode()
    cards = {card.split("</a>")[0].rsplit(">", 1)[1]: card for card in html.split("<h3>")[1:]}
    assert "Open now</strong> · closes 4 p.m." in cards["Westside pantry"]
    assert "Closed now</strong> · opens Thu 9 a.m." in cards["Eastside pantry clinic"]
    assert "Closed now</strong> · opens Sat 10 a.m." in cards["Pantry at the library"]
    assert "open-state" not in cards["Pantry without hours"]
    assert "Temporarily closed" in cards["Pantry being repaired"]
    assert "Closed now</strong> · opens Fri 9 a.m." in cards["Summer pantry"]


@pytest.mark.django_db
def test_the_listing_page_says_when_it_closes(client, chicago_noon):
    pantry = ServiceFactory(name="Westside pantry")
    ScheduleFactory(service=pantry)
    html = client.get(pantry.get_absolute_url()).content.decode()
    assert "Open now</strong> · closes 5 p.m." in html
    assert "(at 3:36 p.m. CST, local time)" in html


@pytest.mark.django_db
def test_cards_of_listings_not_checked_for_a_year_say_so(client, chicago_noon):
    today = chicago_noon.date()  # timezone.now() is patched: the site's today
    old = datetime.date(2023, 12, 1)
    ServiceFactory(name="Old pantry", assured_date=old)
    ServiceFactory(name="Fresh pantry", assured_date=today - datetime.timedelta(days=300))
    ServiceFactory(name="Unchecked pantry", assured_date=None)
    search.refresh_search_vectors()
    html = client.get(SEARCH, {"q": "pantry"}).content.decode()
    assert html.count("Last checked") == 1
    assert "Last checked Dec. 1, 2023" in html
    assert html.count("Not checked yet") == 1


@pytest.mark.django_db
def test_location_hours_count_for_the_card(client, chicago_noon):
    """Hours of the service at a location count, not hours of another service there."""
    location = LocationFactory()
    shared = ServiceAtLocationFactory(service=ServiceFactory(name="Pantry A"), location=location)
    ServiceAtLocationFactory(service=ServiceFactory(name="Pantry B"), location=location)
    ScheduleFactory(service_at_location=shared)
    search.refresh_search_vectors()
    html = client.get(SEARCH, {"q": "pantry"}).content.decode()
    card_b = html.split("Pantry B</a>")[1].split("</li>")[0]
    card_a = html.split("Pantry A</a>")[1].split("</li>")[0]
    assert "Open now" in card_a
    assert "open-state" not in card_b


@pytest.mark.django_db
def test_a_card_marks_the_language_its_listing_is_written_in(client):
    ServiceFactory(name="Despensa de comida", content_language="es")
    ServiceFactory(name="Food pantry of the hills")
    search.refresh_search_vectors()
    html = client.get(SEARCH, {"q": "despensa"}).content.decode()
    assert '<h3 lang="es"><a' in html  # an English page; the listing is Spanish
    html = client.get("/es/directory/", {"q": "despensa"}).content.decode()
    assert "<h3><a" in html  # the page is Spanish too
    html = client.get("/es/directory/", {"q": "pantry hills"}).content.decode()
    assert '<h3 lang="en"><a' in html


@pytest.mark.django_db
def test_in_spanish_one_oclock_is_a_la_1_and_other_hours_a_las(client, chicago_noon):
    """Wednesday 3:36 p.m. in Chicago: one pantry closes at 4 p.m., one opens Thursday at 1."""
    closing = ServiceFactory(name="Despensa del este")
    ScheduleFactory(service=closing, closes_at=datetime.time(16, 0))
    opening = ServiceFactory(name="Despensa del oeste")
    ScheduleFactory(service=opening, byday="TH", opens_at=datetime.time(13, 0))
    search.refresh_search_vectors()
    html = client.get("/es/directory/", {"q": "despensa"}).content.decode()
    assert "cierra a las 4 p. m." in html
    assert "abre el jue. a la 1 p. m." in html
    assert "a las 1 " not in html
