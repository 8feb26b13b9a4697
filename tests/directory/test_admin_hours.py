"""Hours that make sense to edit: days by name, times as times, clear messages, and one panel
showing every hour that applies to a listing and where it comes from; the public page shows
exactly that week."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
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


def weekday_pantry(place: str = "Eastside Hall", **service_fields):
    """A service open Mon-Fri 9-5 at its one location ``place`` (the hours kept on the service
    at location); returns the service and that link."""
    service = ServiceFactory(**{"name": "Eastside Pantry", **service_fields})
    location = Location.objects.create(name=place, organization=service.organization)
    link = ServiceAtLocation.objects.create(service=service, location=location)
    Schedule.objects.create(
        service_at_location=link,
        byday="MO,TU,WE,TH,FR",
        opens_at=datetime.time(9),
        closes_at=datetime.time(17),
    )
    return service, link


def _days(html: str, after: str = "Opening hours") -> dict[str, str]:
    """Day -> hours as the public page's table shows them (the table whose caption is
    ``after``, or the first when there is none)."""
    table = html.split(after, 1)[-1].split("</table>", 1)[0]
    rows = re.findall(r"<th scope=\"row\">\s*(\w+)\s*</th>\s*<td>(.*?)</td>", table, re.S)
    return {day: " ".join(re.sub(r"<[^>]+>", " ", hours).split()) for day, hours in rows}


def test_the_admin_panel_shows_every_hour_that_applies_and_where_it_comes_from(client):
    service, link = weekday_pantry()
    client.force_login(AdminFactory())
    html = client.get(reverse("admin:directory_service_change", args=[service.pk])).content
    html = html.decode()
    assert "The week as residents see it" in html
    assert "At Eastside Hall (this service at that location)" in html
    assert reverse("admin:directory_serviceatlocation_change", args=[link.pk]) in html
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in html


def test_moving_hours_to_saturdays_at_the_location_leaves_no_weekday_hours(client):
    """The resident's "moved to Saturdays" report, acted on where the hours are kept."""
    service, link = weekday_pantry()
    admin = AdminFactory()
    client.force_login(admin)
    schedule = link.schedules.get()
    url = reverse("admin:directory_serviceatlocation_change", args=[link.pk])
    response = client.post(url, _saturday_form(link, schedule))
    assert response.status_code == 302, response.content.decode()[:3000]
    public = _days(client.get(service.get_absolute_url()).content.decode())
    assert public["Saturday"] == "10 a.m. – 1 p.m."
    assert all(public[day] == "Closed" for day in ("Monday", "Tuesday", "Friday"))
    entry = Metadata.objects.get(service=service, field_name="byday")
    assert (entry.previous_value, entry.replacement_value) == ("MO,TU,WE,TH,FR", "SA")
    # The admin's panel shows the very same week.
    panel = client.get(reverse("admin:directory_service_change", args=[service.pk])).content
    assert _days(panel.decode(), after="The week as residents see it") == public


def _saturday_form(link, schedule, **changes) -> dict:
    """The service at location's change form, its one row of hours moved to Saturday."""
    return {
        "service": link.service_id,
        "location": link.location_id,
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "1",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
        "schedules-0-id": schedule.pk,
        "schedules-0-service_at_location": link.pk,
        "schedules-0-days": ["SA"],
        "schedules-0-opens_at": "10:00",
        "schedules-0-closes_at": "13:00",
        **changes,
    }


def _preview_url(link) -> str:
    return reverse("admin:directory_serviceatlocation_hours_preview", args=[link.pk])


def test_the_preview_shows_the_week_as_typed_with_the_listings_other_hours_and_saves_nothing(
    client,
):
    service, link = weekday_pantry()
    Schedule.objects.create(
        service=service, byday="SU", opens_at=datetime.time(14), closes_at=datetime.time(16)
    )
    schedule = link.schedules.get()
    client.force_login(AdminFactory())
    response = client.post(
        _preview_url(link), _saturday_form(link, schedule), headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200
    week = _days(response.content.decode(), after="Preview:")
    assert week["Saturday"] == "10 a.m. – 1 p.m."
    assert week["Sunday"] == "2 p.m. – 4 p.m.", "the service's own hours are kept in the preview"
    assert week["Monday"] == "Closed"
    assert "<html" not in response.content.decode(), "the page's script asked for a fragment"
    schedule.refresh_from_db()
    assert schedule.byday == "MO,TU,WE,TH,FR"
    assert not Metadata.objects.filter(service=service).exists()


def test_without_the_script_the_preview_is_a_whole_admin_page(client):
    _service, link = weekday_pantry()
    client.force_login(AdminFactory())
    response = client.post(_preview_url(link), _saturday_form(link, link.schedules.get()))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "still in the form in the other tab" in html
    assert _days(html, after="Preview:")["Saturday"] == "10 a.m. – 1 p.m."


def test_a_deleted_row_is_left_out_of_the_preview(client):
    _service, link = weekday_pantry()
    client.force_login(AdminFactory())
    data = _saturday_form(link, link.schedules.get(), **{"schedules-0-DELETE": "on"})
    response = client.post(_preview_url(link), data, headers={"X-Requested-With": "fetch"})
    assert "No opening hours would be listed" in response.content.decode()


def test_the_preview_of_hours_that_cannot_be_saved_names_the_row_and_field(client):
    _service, link = weekday_pantry()
    client.force_login(AdminFactory())
    data = _saturday_form(link, link.schedules.get(), **{"schedules-0-opens_at": "9am"})
    response = client.post(_preview_url(link), data, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400
    assert "Hours row 1, Opens at: Pick a time" in response.content.decode()


def test_the_service_page_previews_its_own_hours_beside_those_kept_at_its_locations(client):
    service, _link = weekday_pantry()
    client.force_login(AdminFactory())
    url = reverse("admin:directory_service_change", args=[service.pk])
    page = client.get(url).content.decode()
    preview_url = reverse("admin:directory_service_hours_preview", args=[service.pk])
    assert f'formaction="{preview_url}"' in page
    data = {
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
        "schedules-0-days": ["SA"],
        "schedules-0-opens_at": "08:00",
        "schedules-0-closes_at": "12:00",
    }
    response = client.post(preview_url, data, headers={"X-Requested-With": "fetch"})
    week = _days(response.content.decode(), after="Preview:")
    assert (week["Monday"], week["Saturday"]) == ("9 a.m. – 5 p.m.", "8 a.m. – noon")
    assert not Schedule.objects.filter(service=service).exists()


def test_the_preview_is_only_for_a_post_by_someone_who_may_change_the_listing(client):
    _service, link = weekday_pantry()
    data = _saturday_form(link, link.schedules.get())
    viewer = AdminFactory(is_superuser=False)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_serviceatlocation"),
        Permission.objects.get(codename="view_schedule"),
    )
    client.force_login(viewer)
    assert client.post(_preview_url(link), data).status_code == 403
    client.force_login(AdminFactory())
    assert client.get(_preview_url(link)).status_code == 405
    missing = reverse("admin:directory_serviceatlocation_hours_preview", args=[link.pk + 99])
    assert client.post(missing, data).status_code == 404
