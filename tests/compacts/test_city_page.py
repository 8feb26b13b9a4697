"""The city page fits who is looking, and the staff request refuses duplicates up front."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from compacts.models import CityStaff, StaffStatus
from tests.factories import AdminFactory, UserFactory

from .factories import CityFactory, CityStaffFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db

DAYS_330 = datetime.timedelta(days=330)


def _html(client, city) -> str:
    response = client.get(city.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _request_url(city) -> str:
    return reverse("compacts:staff_request", args=[city.slug])


def test_staff_see_sign_renew_and_withdraw_for_each_compact(staff_client, city):
    unsigned = CompactFactory(title="Unsigned Compact")
    renewable = CompactFactory(title="Renewable Compact")
    recent = CompactFactory(title="Recent Compact")
    closed = CompactFactory(title="Closed Compact", is_open=False)
    CompactFactory(title="Closed Never Signed", is_open=False)
    today = timezone.localdate()
    SignatureFactory(compact=renewable, city=city, signed_on=today - DAYS_330)
    SignatureFactory(compact=recent, city=city, signed_on=today)
    SignatureFactory(compact=closed, city=city, signed_on=today - DAYS_330)
    html = _html(staff_client, city)

    def link(view, compact):
        return f'href="{reverse(view, args=[compact.slug])}?city={city.pk}"'

    assert link("compacts:sign", unsigned) in html
    assert link("compacts:renew", renewable) in html
    assert link("compacts:withdraw", renewable) in html
    assert link("compacts:renew", recent) not in html  # too early
    assert "Renewal opens on" in html
    assert link("compacts:withdraw", recent) in html
    assert link("compacts:withdraw", closed) in html  # closed: can still withdraw
    assert link("compacts:renew", closed) not in html
    assert "Closed Never Signed" not in html
    assert "Request staff access" not in html
    assert _request_url(city) not in html


def test_pending_requester_sees_the_status_and_date(client, city, compact):
    pending = CityStaffFactory(
        city=city,
        status=StaffStatus.PENDING,
        requested_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 12)),
    )
    client.force_login(pending.user)
    html = _html(client, city)
    assert "You asked to act for Riverbend on March 4, 2026" in html
    assert "Your request is pending" in html
    assert "Request staff access" not in html
    assert reverse("compacts:sign", args=[compact.slug]) not in html


@pytest.mark.parametrize("who", ["anonymous", "verified", "unverified", "admin", "other_city"])
def test_everyone_else_sees_request_staff_access(client, city, other_city, compact, who):
    if who != "anonymous":
        user = {
            "verified": UserFactory,
            "unverified": lambda: UserFactory(verified=False),
            "admin": AdminFactory,
            "other_city": lambda: CityStaffFactory(city=other_city).user,
        }[who]()
        client.force_login(user)
    html = _html(client, city)
    assert "Request staff access" in html
    assert f'href="{_request_url(city)}"' in html
    assert reverse("compacts:sign", args=[compact.slug]) not in html


@pytest.mark.parametrize("status", [StaffStatus.REJECTED, StaffStatus.REVOKED])
def test_a_rejected_or_revoked_person_sees_it_and_may_ask_again(client, city, status):
    client.force_login(CityStaffFactory(city=city, status=status).user)
    html = _html(client, city)
    assert ("was not approved" if status == StaffStatus.REJECTED else "has ended") in html
    assert f'href="{_request_url(city)}"' in html


def test_approved_staff_without_a_verified_email_are_told_why_they_cannot_act(
    client, city, compact
):
    staff = CityStaffFactory(city=city)
    EmailAddress.objects.filter(user=staff.user).update(verified=False)
    client.force_login(staff.user)
    html = _html(client, city)
    assert "You are approved staff of Riverbend, but you cannot sign" in html
    assert reverse("compacts:sign", args=[compact.slug]) not in html


def test_staff_who_must_turn_on_two_factor_are_told(client, city, compact, settings):
    settings.SIGNING_REQUIRES_MFA = True
    client.force_login(CityStaffFactory(city=city).user)
    html = _html(client, city)
    assert "turn on two-factor authentication" in html
    assert reverse("mfa_activate_totp") in html


# The staff request refuses duplicates before the form is filled in -------------------------


def test_already_approved_staff_are_told_up_front_with_a_link_to_the_city(staff_client, city):
    response = staff_client.get(_request_url(city))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are already staff of Riverbend" in html
    assert f'href="{city.get_absolute_url()}"' in html
    assert 'name="work_phone"' not in html


def test_a_pending_requester_sees_the_request_instead_of_the_form(client, city):
    pending = CityStaffFactory(
        city=city,
        status=StaffStatus.PENDING,
        job_title="Deputy chief",
        requested_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 12)),
    )
    client.force_login(pending.user)
    response = client.get(_request_url(city))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your request for Riverbend is pending" in html
    assert "March 4, 2026" in html
    assert "Deputy chief" in html
    assert 'name="work_phone"' not in html


@pytest.mark.parametrize("status", [StaffStatus.PENDING, StaffStatus.APPROVED])
def test_a_duplicate_post_is_refused_with_409_and_changes_nothing(client, city, status):
    existing = CityStaffFactory(city=city, status=status, job_title="Before")
    client.force_login(existing.user)
    response = client.post(
        _request_url(city),
        {"role": "mayor", "job_title": "After", "work_phone": "512-555-0100"},
    )
    assert response.status_code == 409
    existing.refresh_from_db()
    assert (existing.status, existing.job_title) == (status, "Before")
    assert CityStaff.objects.count() == 1


def test_the_form_is_offered_to_someone_rejected(client, city):
    client.force_login(CityStaffFactory(city=city, status=StaffStatus.REJECTED).user)
    assert 'name="work_phone"' in client.get(_request_url(city)).content.decode()


# Query counts ------------------------------------------------------------------------------


@pytest.fixture
def busy_city(city):
    """20 compacts, 20 signatures (5 withdrawn) and 10 staff requests."""
    today = timezone.localdate()
    for index, compact in enumerate(CompactFactory.create_batch(20)):
        SignatureFactory(
            compact=compact,
            city=city,
            signed_on=today - datetime.timedelta(days=30 * index),
            withdrawn_on=today if index % 4 == 0 else None,
            withdrawal_reason="Council vote" if index % 4 == 0 else "",
        )
    CityStaffFactory.create_batch(10, city=city)
    CityFactory.create_batch(5)
    return city


# Session, user, city, signatures with their compacts, the mayors' terms, the person's
# standing (one query with its permission subquery), the plan's items and its signed
# commitments, the peer cities, the compacts staff can act on, and the team-progress figures
# (courses with the staff count; the completions only when there is staff).
STAFF_PAGE_QUERIES = 12
# The same without session, user, standing and the staff's compacts.
VISITOR_PAGE_QUERIES = 8


def test_the_city_page_for_staff_runs_a_bounded_number_of_queries(
    staff_client, busy_city, django_assert_max_num_queries
):
    with django_assert_max_num_queries(STAFF_PAGE_QUERIES) as captured:
        response = staff_client.get(busy_city.get_absolute_url())
    assert len(response.context["signature_rows"]) == 20
    assert len(response.context["staff_actions"]) == 20
    print(f"city page for staff: {len(captured.captured_queries)} queries")


def test_the_city_page_for_visitors_runs_a_bounded_number_of_queries(
    client, busy_city, django_assert_max_num_queries
):
    with django_assert_max_num_queries(VISITOR_PAGE_QUERIES) as captured:
        response = client.get(busy_city.get_absolute_url())
    assert len(response.context["signature_rows"]) == 20
    print(f"city page for visitors: {len(captured.captured_queries)} queries")
