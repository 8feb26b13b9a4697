"""Hours that make sense to edit: days by name, times as times, clear messages, and one panel
showing every hour that applies to a listing and where it comes from; the public page shows
exactly that week."""

import datetime
import re

import pytest
from django.urls import reverse

from directory.admin_hours import ScheduleForm
from directory.models import Location, Metadata, Schedule, ServiceAtLocation
from tests.factories import AdminFactory

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _form(**data) -> ScheduleForm:
    return ScheduleForm(data={"opens_at": "09:00", "closes_at": "17:00", **data})


def test_days_are_ticked_by_name_and_stored_as_hsds_codes():
    form = _form(days=["SA", "MO"])
    assert form.is_valid(), form.errors
    assert form.save(commit=False).byday == "MO,SA"
    shown = str(form["days"])
    assert "Saturday" in shown
    assert 'type="checkbox"' in shown
    assert 'type="time"' in str(form["opens_at"])


def test_an_existing_row_opens_with_its_days_ticked():
    schedule = Schedule(byday="TU,TH", opens_at=datetime.time(9), closes_at=datetime.time(12))
    schedule.service = ServiceFactory()
    schedule.save()
    form = ScheduleForm(instance=schedule)
    assert form.initial["days"] == ["TU", "TH"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days": []}, "Tick the days these hours are for."),
        ({"days": ["SA"], "opens_at": "9am"}, "Pick a time, for example 09:00"),
        ({"days": ["SA"], "closes_at": ""}, "Give both the opening and the closing time."),
        (
            {"days": ["SA"], "valid_from": "2026-05-01", "valid_to": "2026-04-01"},
            "This date is before the first date.",
        ),
        ({"days": ["Saturday"]}, "Select a valid choice."),
    ],
)
def test_clear_messages_for_bad_hours(data, message):
    form = _form(**data)
    assert not form.is_valid()
    assert message in str(form.errors)


def _pantry():
    """A service open Mon-Fri 9-5 at its location (kept on the service at location)."""
    service = ServiceFactory(name="Eastside Pantry")
    location = Location.objects.create(name="Eastside Hall", organization=service.organization)
    link = ServiceAtLocation.objects.create(service=service, location=location)
    Schedule.objects.create(
        service_at_location=link,
        byday="MO,TU,WE,TH,FR",
        opens_at=datetime.time(9),
        closes_at=datetime.time(17),
    )
    return service, link


def _days(html: str) -> dict[str, str]:
    """Day -> hours as the public page's table shows them."""
    table = html.split("Opening hours", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<th scope=\"row\">\s*(\w+)\s*</th>\s*<td>(.*?)</td>", table, re.S)
    return {day: " ".join(re.sub(r"<[^>]+>", " ", hours).split()) for day, hours in rows}


def test_the_admin_panel_shows_every_hour_that_applies_and_where_it_comes_from(client):
    service, link = _pantry()
    client.force_login(AdminFactory())
    html = client.get(reverse("admin:directory_service_change", args=[service.pk])).content
    html = html.decode()
    assert "The week as residents see it" in html
    assert "At Eastside Hall (this service at that location)" in html
    assert reverse("admin:directory_serviceatlocation_change", args=[link.pk]) in html
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in html


def test_moving_hours_to_saturdays_at_the_location_leaves_no_weekday_hours(client):
    """The resident's "moved to Saturdays" report, acted on where the hours are kept."""
    service, link = _pantry()
    admin = AdminFactory()
    client.force_login(admin)
    schedule = link.schedules.get()
    url = reverse("admin:directory_serviceatlocation_change", args=[link.pk])
    response = client.post(
        url,
        {
            "service": service.pk,
            "location": link.location_id,
            "description": "",
            "schedules-TOTAL_FORMS": "1",
            "schedules-INITIAL_FORMS": "1",
            "schedules-MIN_NUM_FORMS": "0",
            "schedules-MAX_NUM_FORMS": "1000",
            "schedules-0-id": schedule.pk,
            "schedules-0-service_at_location": link.pk,
            "schedules-0-days": ["SA"],
            "schedules-0-opens_at": "10:00",
            "schedules-0-closes_at": "13:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    public = _days(client.get(service.get_absolute_url()).content.decode())
    assert public["Saturday"] == "10 a.m. – 1 p.m."
    assert all(public[day] == "Closed" for day in ("Monday", "Tuesday", "Friday"))
    entry = Metadata.objects.get(service=service, field_name="byday")
    assert (entry.previous_value, entry.replacement_value) == ("MO,TU,WE,TH,FR", "SA")
    # The admin's panel shows the very same week.
    panel = client.get(reverse("admin:directory_service_change", args=[service.pk])).content
    assert "Saturday</th><td>10:00–13:00" in panel.decode()
