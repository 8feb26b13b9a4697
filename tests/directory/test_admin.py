"""The directory admin: inlines, filters, the verify and moderation actions, search upkeep."""

import datetime

import pytest
from django.urls import reverse

from directory.models import HsdsRecord, Suggestion, SuggestionStatus
from directory.search import refresh_search_vectors
from tests.directory.factories import (
    CategoryFactory,
    OrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    SuggestionFactory,
)
from tests.directory.searching import found
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = AdminFactory()
    client.force_login(staff)
    client.staff = staff
    return client


def test_changelists_and_forms_open(admin_client):
    service = ServiceAtLocationFactory().service
    SuggestionFactory(service=service)
    for name in (
        "organization",
        "service",
        "location",
        "category",
        "language",
        "synonym",
        "suggestion",
        "importjob",
    ):
        assert admin_client.get(reverse(f"admin:directory_{name}_changelist")).status_code == 200
    for url in (
        reverse("admin:directory_organization_change", args=[service.organization_id]),
        reverse("admin:directory_service_change", args=[service.pk]),
        reverse("admin:directory_organization_import_hsds"),
    ):
        assert admin_client.get(url).status_code == 200


def test_stale_filter(admin_client):
    ServiceFactory(name="Fresh listing", assured_date=datetime.date.today())
    ServiceFactory(name="Old listing", assured_date=datetime.date(2020, 1, 1))
    ServiceFactory(name="Never checked", assured_date=None)
    html = admin_client.get(
        reverse("admin:directory_service_changelist"), {"stale": "yes"}
    ).content.decode()
    assert "Old listing" in html
    assert "Never checked" in html
    assert "Fresh listing" not in html


def test_mark_verified_today(admin_client):
    old = ServiceFactory(assured_date=datetime.date(2020, 1, 1))
    other = ServiceFactory(assured_date=datetime.date(2020, 1, 1))
    response = admin_client.post(
        reverse("admin:directory_service_changelist"),
        {"action": "mark_verified_today", "_selected_action": [old.pk]},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.assured_date == datetime.date.today()
    assert other.assured_date == datetime.date(2020, 1, 1)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_in_review", SuggestionStatus.IN_REVIEW),
        ("mark_fixed", SuggestionStatus.ACCEPTED),
        ("mark_declined", SuggestionStatus.REJECTED),
    ],
)
def test_moderation_actions(admin_client, action, status):
    suggestion = SuggestionFactory()
    untouched = SuggestionFactory()
    admin_client.post(
        reverse("admin:directory_suggestion_changelist"),
        {"action": action, "_selected_action": [suggestion.pk]},
    )
    suggestion.refresh_from_db()
    assert suggestion.status == status
    assert suggestion.reviewed_by == admin_client.staff
    assert suggestion.reviewed_at is not None
    assert Suggestion.objects.get(pk=untouched.pk).status == SuggestionStatus.NEW


def test_suggestion_queue_links_to_the_listing(admin_client):
    service = ServiceFactory(name="Linked pantry")
    SuggestionFactory(service=service)
    html = admin_client.get(
        reverse("admin:directory_suggestion_changelist"), {"status__exact": "new"}
    ).content.decode()
    assert reverse("admin:directory_service_change", args=[service.pk]) in html


def test_saving_a_service_in_the_admin_updates_search(admin_client):
    organization = OrganizationFactory()
    category = CategoryFactory(name="Laundry")
    refresh_search_vectors()
    data = {
        "organization": organization.pk,
        "name": "Wash day",
        "slug": "wash-day",
        "status": "active",
        "description": "Free washing machines.",
        "content_language": "en",
        "servicecategory_set-TOTAL_FORMS": "1",
        "servicecategory_set-INITIAL_FORMS": "0",
        "servicecategory_set-0-category": category.pk,
    }
    for prefix in ("servicelanguage_set", "service_at_locations", "phones", "schedules"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = admin_client.post(reverse("admin:directory_service_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("laundry") == ["Wash day"]


def test_an_admin_who_may_only_view_listings_cannot_mark_them_verified(client):
    from django.contrib.auth.models import Permission

    from tests.factories import AdminFactory

    service = ServiceFactory(assured_date=datetime.date(2020, 1, 1))
    viewer = AdminFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_service"))
    client.force_login(viewer)
    client.post(
        reverse("admin:directory_service_changelist"),
        {"action": "mark_verified_today", "_selected_action": [service.pk]},
    )
    service.refresh_from_db()
    assert service.assured_date == datetime.date(2020, 1, 1)


def test_rows_kept_as_given_are_read_in_the_admin_and_never_changed_there(admin_client):
    pantry = OrganizationFactory(name="Eastside Pantry")
    contact = HsdsRecord.objects.create(
        table="contacts",
        hsds_id="c-1",
        data={"id": "c-1", "name": "Ana <b>Ruiz</b>", "title": "", "email": "ana@example.org"},
        organization=pantry,
    )
    HsdsRecord.objects.create(table="programs", hsds_id="pr-1", data={"id": "pr-1"})
    listing = reverse("admin:directory_hsdsrecord_changelist")

    contacts = admin_client.get(listing, {"table": "contacts"}).content.decode()
    assert "c-1" in contacts
    assert "pr-1" not in contacts
    assert "pr-1" in admin_client.get(listing, {"q": "pr-1"}).content.decode()

    page = admin_client.get(reverse("admin:directory_hsdsrecord_change", args=[contact.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "ana@example.org" in text
    assert "Eastside Pantry" in text
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in text  # the package's cells are escaped
    assert ">email</th>" in text
    assert ">title</th>" not in text
    assert 'name="_save"' not in text
    for name in ("add", "delete"):
        url = reverse(
            f"admin:directory_hsdsrecord_{name}", args=[] if name == "add" else [contact.pk]
        )
        assert admin_client.get(url).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:directory_hsdsrecord_change", args=[contact.pk]), {"table": "x"}
        ).status_code
        == 403
    )
    contact.refresh_from_db()
    assert contact.table == "contacts"
