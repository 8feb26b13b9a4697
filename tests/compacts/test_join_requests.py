""" "My city is not listed": the request, its limits, and its decision in the admin."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from compacts import services
from compacts.models import (
    AuditAction,
    AuditEvent,
    City,
    CityJoinRequest,
    CityStaff,
    JoinStatus,
    StaffStatus,
)
from tests.factories import AdminFactory, UserFactory

from .factories import CityFactory

pytestmark = pytest.mark.django_db

JOIN_URL = "/cities/ask-to-join/"
CHANGELIST = "admin:compacts_cityjoinrequest_changelist"
FORM = {
    "city_name": "Cedar Hollow",
    "state": "IA",
    "role": "chief_of_staff",
    "job_title": "Chief of staff",
    "work_phone": "(319) 555-0148",
    "message": "Our council endorsed the Charter in May.",
}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _join(user, **overrides) -> CityJoinRequest:
    return services.city_join_request(actor=user, **(FORM | overrides))


def test_the_url_is_reserved_before_city_slugs():
    assert reverse("compacts:city_join_request") == JOIN_URL


def test_the_registry_links_to_the_form(client):
    assert f'href="{JOIN_URL}"' in client.get("/cities/").content.decode()


def test_a_verified_person_asks_and_it_is_audited(user_client, user):
    assert user_client.get(JOIN_URL).status_code == 200
    response = user_client.post(JOIN_URL, FORM, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_profile")
    html = response.content.decode()
    assert "An administrator will check that Cedar Hollow, IA, wants to join" in html
    assert "Cities you asked to add" in html  # listed on the account page
    join = CityJoinRequest.objects.get()
    assert (join.requested_by, join.city_name, join.state, join.status) == (
        user, "Cedar Hollow", "IA", JoinStatus.PENDING,
    )  # fmt: skip
    assert join.message == FORM["message"]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.join_request, event.city) == (
        AuditAction.JOIN_REQUEST, user, join, None,
    )  # fmt: skip
    assert not City.objects.exists()  # nothing is added before an admin decides


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(JOIN_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unverified_email_is_refused(client):
    client.force_login(UserFactory(verified=False))
    for response in (client.get(JOIN_URL), client.post(JOIN_URL, FORM)):
        assert response.status_code == 403
        assert "verify your email" in response.content.decode()
    assert not CityJoinRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("work_phone", "call me", "digits, spaces and + - ( ) . only"),
        ("work_phone", "555-0148", "has 7"),
        ("state", "ZZ", "Select a valid choice"),
        ("city_name", "", "This field is required"),
        ("role", "king", "Select a valid choice"),
        ("message", "x" * 2001, "at most 2000 characters"),
    ],
)
def test_bad_input_is_a_400_with_a_clear_message(user_client, field, value, message):
    response = user_client.post(JOIN_URL, {**FORM, field: value})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not CityJoinRequest.objects.exists()


def test_a_city_already_listed_is_refused_with_a_link_to_it(user_client):
    listed = CityFactory(name="Cedar Hollow", state="IA")
    response = user_client.post(JOIN_URL, {**FORM, "city_name": "cedar  hollow"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "is already in the registry" in html
    assert f'href="{listed.get_absolute_url()}"' in html
    assert not CityJoinRequest.objects.exists()


def test_asking_twice_for_the_same_city_is_refused(user_client, user):
    _join(user)
    response = user_client.post(JOIN_URL, {**FORM, "city_name": "CEDAR HOLLOW"})
    assert response.status_code == 400
    assert "already asked for this city" in response.content.decode()
    assert CityJoinRequest.objects.count() == 1


def test_the_database_keeps_one_pending_request_per_person_and_city(user, monkeypatch):
    """Two identical requests that both pass the early check: the constraint decides."""
    _join(user)
    monkeypatch.setattr(
        "compacts.services.CityJoinRequest.objects.pending",
        lambda: CityJoinRequest.objects.none(),
    )
    with pytest.raises(services.JoinRequestError, match="already asked"):
        _join(user, city_name="Cedar hollow")
    assert CityJoinRequest.objects.count() == 1


def test_the_form_is_rate_limited(user_client, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "compacts.staff_request": (2, 60)}
    statuses = [user_client.post(JOIN_URL, {**FORM, "work_phone": ""}).status_code for _ in "abc"]
    assert statuses == [400, 400, 429]
    assert user_client.get(JOIN_URL).status_code == 200  # reading is never limited


def test_wrong_method(user_client):
    assert user_client.put(JOIN_URL).status_code == 405


# Deciding in the admin ----------------------------------------------------------------------


def _decide(admin_client, action, join_requests, capture):
    with capture(execute=True):
        return admin_client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [join.pk for join in join_requests]},
            follow=True,
        )


def test_admins_see_the_requests(admin_client, user):
    join = _join(user)
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [join]
    change = admin_client.get(reverse("admin:compacts_cityjoinrequest_change", args=[join.pk]))
    assert "Our council endorsed the Charter in May." in change.content.decode()


def test_approving_adds_the_city_files_the_staff_request_audits_and_emails(
    admin_client, admin_user, user, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org"
    join = _join(user)
    CityJoinRequest.objects.filter(pk=join.pk).update(time_zone="America/Chicago")
    response = _decide(admin_client, "approve_join", [join], django_capture_on_commit_callbacks)
    assert "Added 1 city." in response.content.decode()

    join.refresh_from_db()
    city = City.objects.get()
    assert (join.status, join.city, join.decided_by) == (JoinStatus.APPROVED, city, admin_user)
    assert (city.name, city.state, city.slug, city.time_zone) == (
        "Cedar Hollow", "IA", "cedar-hollow-ia", "America/Chicago",
    )  # fmt: skip
    assert city.partner_since is None  # not yet a partner
    assert not city.is_demo
    staff = CityStaff.objects.get()
    assert (staff.user, staff.city, staff.status, staff.work_phone) == (
        user, city, StaffStatus.PENDING, "(319) 555-0148",
    )  # fmt: skip
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "city"))
    assert actions == [
        (AuditAction.JOIN_REQUEST, user.pk, None),
        (AuditAction.JOIN_APPROVE, admin_user.pk, city.pk),
        (AuditAction.REQUEST, user.pk, city.pk),
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "https://portal.example.org/cities/cedar-hollow-ia/" in mail.outbox[0].body


def test_approving_needs_the_time_zone(admin_client, user, django_capture_on_commit_callbacks):
    join = _join(user)
    response = _decide(admin_client, "approve_join", [join], django_capture_on_commit_callbacks)
    assert "Set the city&#x27;s time zone" in response.content.decode()
    join.refresh_from_db()
    assert join.status == JoinStatus.PENDING
    assert not City.objects.exists()
    assert mail.outbox == []


def test_approving_a_city_listed_meanwhile_is_refused(
    admin_client, user, django_capture_on_commit_callbacks
):
    join = _join(user)
    CityJoinRequest.objects.filter(pk=join.pk).update(time_zone="America/Chicago")
    CityFactory(name="Cedar Hollow", state="IA")
    response = _decide(admin_client, "approve_join", [join], django_capture_on_commit_callbacks)
    assert "already in the registry" in response.content.decode()
    assert City.objects.count() == 1
    assert not CityStaff.objects.exists()


def test_refusing_audits_and_emails_a_link_to_the_registry(
    admin_client, user, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org"
    join = _join(user)
    response = _decide(admin_client, "refuse_join", [join], django_capture_on_commit_callbacks)
    assert "Refused 1 request." in response.content.decode()
    join.refresh_from_db()
    assert join.status == JoinStatus.REFUSED
    assert not City.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.JOIN_REFUSE).count() == 1
    assert "https://portal.example.org/cities/" in mail.outbox[0].body


def test_a_decided_request_cannot_be_decided_again(user):
    join = _join(user)
    admin = AdminFactory()
    services.city_join_refuse(actor=admin, join_request=join)
    with pytest.raises(services.JoinRequestError, match="already decided"):
        services.city_join_approve(actor=admin, join_request=join)


def test_only_admins_with_the_permissions_decide(user):
    join = _join(user)
    staff_without_perms = UserFactory(is_staff=True)
    for actor in (user, staff_without_perms):
        with pytest.raises(PermissionDenied):
            services.city_join_approve(actor=actor, join_request=join)
        with pytest.raises(PermissionDenied):
            services.city_join_refuse(actor=actor, join_request=join)
    join.refresh_from_db()
    assert join.status == JoinStatus.PENDING


def test_admins_cannot_add_or_delete_requests(admin_client, user):
    join = _join(user)
    assert admin_client.get(reverse("admin:compacts_cityjoinrequest_add")).status_code == 403
    delete = reverse("admin:compacts_cityjoinrequest_delete", args=[join.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert CityJoinRequest.objects.filter(pk=join.pk).exists()


def test_a_slug_already_taken_gets_a_number(user):
    CityFactory(name="Cedar-Hollow", state="IA", slug="cedar-hollow-ia")
    join = _join(user, city_name="Cedar Hollow")
    CityJoinRequest.objects.filter(pk=join.pk).update(time_zone="America/Chicago")
    services.city_join_approve(actor=AdminFactory(), join_request=join)
    assert City.objects.get(name="Cedar Hollow").slug == "cedar-hollow-ia-2"
