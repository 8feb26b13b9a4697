"""A listing's change log (HSDS metadata): every admin edit, import update and check writes
it; the export and the API carry it; the public page shows a short history without names."""

import csv
import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone

from directory import changelog
from directory.hsds import package_export, package_import
from directory.models import ChangeSource, Metadata, Phone, Schedule, Service
from tests.factories import AdminFactory

from .factories import ServiceFactory
from .fixtures.hsds_package import GOOD_PACKAGE, write_package

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would send for the admin's change form, as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "button"):
            if attributes.get("type") in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.data.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select].append(attributes.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data


def _admin_form(client, url: str) -> dict[str, list[str]]:
    page = client.get(url).content.decode()
    form = page.split('id="service_form"', 1)[1].split("</form>", 1)[0]
    parser = _FormFields()
    parser.feed(form)
    return {name: values for name, values in parser.data.items() if values}


@pytest.fixture
def admin_client(client):
    admin = AdminFactory()
    client.force_login(admin)
    client.admin = admin
    return client


def test_an_admin_edit_logs_each_field_with_its_reason_but_publishes_no_name(admin_client):
    service = ServiceFactory(name="Eastside Pantry", email="old@east.example")
    phone = Phone.objects.create(service=service, number="(555) 010-0100")
    Schedule.objects.create(service=service, byday="MO", opens_at="09:00", closes_at="17:00")
    url = reverse("admin:directory_service_change", args=[service.pk])
    data = _admin_form(admin_client, url)
    data["email"] = ["new@east.example"]
    data["change_reason"] = ["The provider phoned."]
    phone_field = next(name for name in data if re.fullmatch(r"phones-\d+-number", name))
    data[phone_field] = ["(555) 010-0199"]
    days = next(name for name in data if name.endswith("-days"))
    data[days] = ["SA"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rows = {(m.resource_type, m.field_name): m for m in Metadata.objects.filter(service=service)}
    email = rows[("service", "email")]
    assert (email.previous_value, email.replacement_value) == (
        "old@east.example",
        "new@east.example",
    )
    assert (email.updated_by, email.actor, email.reason) == (
        ChangeSource.ADMIN,
        admin_client.admin,
        "The provider phoned.",
    )
    assert rows[("phone", "number")].replacement_value == "(555) 010-0199"
    assert rows[("phone", "number")].resource_id == (phone.hsds_id or str(phone.pk))
    assert rows[("schedule", "byday")].replacement_value == "SA"
    assert ("service", "name") not in rows  # unchanged fields are not logged
    # The public page: a short history, no name.
    html = admin_client.get(service.get_absolute_url()).content.decode()
    assert "Hours changed today" in html
    assert "Phone changed today" in html
    assert "Contact details changed today" in html
    assert admin_client.admin.email not in html
    assert "The provider phoned." not in html


def test_marking_verified_logs_a_check_with_the_previous_date(admin_client):
    service = ServiceFactory(assured_date=datetime.date(2024, 2, 1))
    admin_client.post(
        reverse("admin:directory_service_changelist"),
        {"action": "mark_verified_today", "_selected_action": [service.pk]},
    )
    (entry,) = Metadata.objects.filter(service=service)
    assert (entry.last_action_type, entry.field_name, entry.previous_value) == (
        "verify",
        "assured_date",
        "2024-02-01",
    )
    assert entry.replacement_value == timezone.localdate().isoformat()
    html = admin_client.get(service.get_absolute_url()).content.decode()
    assert "Checked today" in html


def test_a_provider_check_says_so_on_the_page():
    service = ServiceFactory()
    changelog.record_verified(service, source=ChangeSource.PROVIDER, previous=None)
    lines = changelog.history(service)
    assert [(line.is_check, line.by_provider) for line in lines] == [(True, True)]


def _changes_on_eight_days(service, start: datetime.datetime, fields: tuple[str, ...]) -> None:
    """An import changing each of ``fields`` of the service on each of eight days."""
    for day in range(8):
        for field in fields:
            changelog.record(
                service=service,
                resource=service,
                changes=[changelog.Change(field, "a", "b")],
                source=ChangeSource.IMPORT,
                at=start + datetime.timedelta(days=day),
            )


def test_history_is_one_line_per_day_and_topic_at_most_five(django_assert_num_queries):
    service = ServiceFactory()
    start = timezone.now() - datetime.timedelta(days=10)
    _changes_on_eight_days(service, start, ("byday", "opens_at"))
    with django_assert_num_queries(1):
        lines = changelog.history(service)
    assert len(lines) == 5
    assert [line.on for line in lines] == sorted({line.on for line in lines}, reverse=True)


def test_an_import_update_logs_what_changed_and_a_same_import_logs_nothing(tmp_path):
    package_import(write_package(tmp_path / "first"))
    assert not Metadata.objects.exists()  # a first import creates; it changes nothing
    changed = GOOD_PACKAGE["services.csv"].replace(
        "Free groceries every week", "Free groceries on Saturdays"
    )
    phones = GOOD_PACKAGE["phones.csv"].replace("555-0100", "555-0111")
    package_import(
        write_package(tmp_path / "second", **{"services.csv": changed, "phones.csv": phones})
    )
    pantry = Service.objects.get(hsds_id="s-1")
    rows = {(m.resource_type, m.field_name): m for m in Metadata.objects.filter(service=pantry)}
    description = rows[("service", "description")]
    assert (description.previous_value, description.replacement_value) == (
        "Free groceries every week",
        "Free groceries on Saturdays",
    )
    assert description.updated_by == ChangeSource.IMPORT
    assert description.resource_id == "s-1"
    assert rows[("phone", "number")].resource_id == "p-1"
    count = Metadata.objects.count()
    package_import(
        write_package(tmp_path / "third", **{"services.csv": changed, "phones.csv": phones})
    )
    assert Metadata.objects.count() == count


def test_the_export_and_the_api_carry_the_change_log(client, tmp_path):
    package_import(write_package(tmp_path / "first"))
    changed = GOOD_PACKAGE["services.csv"].replace("Beds for the night", "Beds and a meal")
    package_import(write_package(tmp_path / "second", **{"services.csv": changed}))
    package_export(tmp_path / "out")
    with open(tmp_path / "out" / "metadata.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["resource_id"], r["field_name"], r["updated_by"]) for r in rows] == [
        ("s-2", "description", "import")
    ]
    assert rows[0]["previous_value"] == "Beds for the night"
    assert set(rows[0]) == {
        "id",
        "resource_id",
        "resource_type",
        "last_action_date",
        "last_action_type",
        "field_name",
        "previous_value",
        "replacement_value",
        "updated_by",
    }
    body = client.get("/api/hsds/services/s-2").json()
    (entry,) = body["metadata"]
    assert (entry["field_name"], entry["replacement_value"]) == ("description", "Beds and a meal")
    assert entry["updated_by"] == "import"


def test_an_older_change_gives_its_date_and_todays_says_today(settings):
    settings.TIME_ZONE = "America/Chicago"
    service = ServiceFactory()
    # 02:00 UTC on 2 March is still 1 March in Chicago: the local date is the one shown.
    changelog.record_verified(
        service,
        source=ChangeSource.PROVIDER,
        previous=None,
        at=datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC),
    )
    changelog.record_verified(service, source=ChangeSource.ADMIN, previous=None)
    today, older = changelog.history(service)
    assert (today.when, today.by_provider) == ("today", False)
    assert (older.when, older.by_provider) == ("on March 1, 2026", True)


def test_the_listing_page_reads_the_same_history_in_the_listings_own_query(settings):
    """``history_rows`` and ``history_of_rows`` (the page's way) give ``history``'s lines,
    local dates included: 02:00 UTC on 2 March is 1 March in Chicago, whether the database
    gives the moment with its offset (Postgres) or as naive UTC (SQLite)."""
    settings.TIME_ZONE = "America/Chicago"
    service = ServiceFactory()
    start = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)
    _changes_on_eight_days(service, start, ("byday", "name"))
    changelog.record_verified(service, source=ChangeSource.PROVIDER, previous=None, at=start)
    changelog.record_verified(ServiceFactory(), source=ChangeSource.ADMIN, previous=None)
    (read,) = Service.objects.filter(pk=service.pk).annotate(
        rows=changelog.history_rows(OuterRef("pk"))
    )
    assert len(read.rows) == 17  # this service's rows only
    lines = changelog.history_of_rows(read.rows)
    assert lines == changelog.history(service)
    assert [(line.topic, line.on) for line in lines[:2]] == [
        ("Name", datetime.date(2026, 3, 8)),
        ("Description", datetime.date(2026, 3, 8)),
    ]
    every = changelog.history_of_rows(read.rows, limit=20)
    assert [(line.by_provider, line.on) for line in every if line.is_check] == [
        (True, datetime.date(2026, 3, 1))
    ]
