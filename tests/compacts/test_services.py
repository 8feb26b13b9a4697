import datetime
import logging

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from compacts import services
from compacts.models import AuditAction, AuditEvent, CityStaff, Signature, StaffStatus
from tests.factories import AdminFactory, UserFactory

from .factories import CityStaffFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db

DAYS_330 = datetime.timedelta(days=330)
PHONE = "(512) 555-0101"


def _sign(staff, compact, **kwargs):
    return services.signature_create(
        actor=staff.user, compact=compact, city=staff.city, mayor_name="Ana Ortiz", **kwargs
    )


def test_signature_create_signs_and_audits(staff, compact, caplog):
    with caplog.at_level(logging.INFO, logger="compacts.audit"):
        signature = _sign(staff, compact, ip="203.0.113.7")
    assert signature.is_active
    assert signature.signed_by == staff.user
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.city, event.compact, event.signature) == (
        AuditAction.SIGN,
        staff.user,
        staff.city,
        compact,
        signature,
    )
    assert event.ip_address == "203.0.113.7"
    assert any(record.name == "compacts.audit" for record in caplog.records)


def test_signature_create_twice_raises_a_friendly_error(staff, compact):
    _sign(staff, compact)
    with pytest.raises(services.AlreadySigned, match="already signed"):
        _sign(staff, compact)
    assert Signature.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_signature_create_turns_the_database_constraint_into_the_friendly_error(
    staff, compact, monkeypatch
):
    """Two requests that both pass the early check: the constraint decides, not a 500."""
    SignatureFactory(compact=compact, city=staff.city)
    monkeypatch.setattr(
        "compacts.services.Signature.objects.active", lambda: Signature.objects.none()
    )
    with pytest.raises(services.AlreadySigned):
        _sign(staff, compact)
    assert Signature.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_signature_create_refuses_a_closed_compact(staff):
    closed = CompactFactory(is_open=False)
    with pytest.raises(services.CompactClosed):
        _sign(staff, closed)
    assert not Signature.objects.exists()


def test_signature_create_refuses_someone_who_is_not_staff_of_the_city(staff, compact, other_city):
    with pytest.raises(PermissionDenied):
        services.signature_create(
            actor=staff.user, compact=compact, city=other_city, mayor_name="X"
        )
    assert not Signature.objects.exists()


def test_signature_create_drops_an_ip_that_is_not_an_address(staff, compact):
    _sign(staff, compact, ip="unknown")
    assert AuditEvent.objects.get().ip_address is None


def test_renew_and_withdraw_then_sign_again(staff, compact):
    signed = _sign(staff, compact)
    # Signed eleven months ago: inside the default window (60 days before 12 months).
    Signature.objects.filter(pk=signed.pk).update(signed_on=signed.signed_on - DAYS_330)
    renewed = services.signature_renew(actor=staff.user, compact=compact, city=staff.city)
    assert renewed.renewed_on is not None
    withdrawn = services.signature_withdraw(
        actor=staff.user, compact=compact, city=staff.city, reason="New administration"
    )
    assert withdrawn.withdrawn_on is not None
    assert withdrawn.withdrawal_reason == "New administration"
    again = _sign(staff, compact)
    assert again.pk != withdrawn.pk
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        AuditAction.SIGN,
        AuditAction.RENEW,
        AuditAction.WITHDRAW,
        AuditAction.SIGN,
    ]


def test_renew_and_withdraw_need_an_active_signature(staff, compact):
    with pytest.raises(services.SignatureNotActive):
        services.signature_renew(actor=staff.user, compact=compact, city=staff.city)
    with pytest.raises(services.SignatureNotActive):
        services.signature_withdraw(actor=staff.user, compact=compact, city=staff.city, reason="x")


def test_withdraw_needs_a_reason(staff, compact):
    _sign(staff, compact)
    with pytest.raises(services.CompactsError):
        services.signature_withdraw(actor=staff.user, compact=compact, city=staff.city, reason=" ")
    assert Signature.objects.active().count() == 1


def test_renew_refuses_a_closed_compact(staff, compact):
    _sign(staff, compact)
    compact.is_open = False
    compact.save()
    with pytest.raises(services.CompactClosed):
        services.signature_renew(actor=staff.user, compact=compact, city=staff.city)


def test_staff_request_creates_a_pending_request_and_audits(city):
    user = UserFactory()
    staff = services.staff_request(
        actor=user, city=city, role="mayor", job_title="Mayor", work_phone=PHONE, ip="::1"
    )
    assert staff.status == StaffStatus.PENDING
    event = AuditEvent.objects.get()
    assert (event.action, event.staff, event.ip_address) == (AuditAction.REQUEST, staff, "::1")


def test_staff_request_needs_a_verified_email(city):
    with pytest.raises(PermissionDenied):
        services.staff_request(
            actor=UserFactory(verified=False),
            city=city,
            role="staff",
            job_title="A",
            work_phone=PHONE,
        )
    assert not CityStaff.objects.exists()


@pytest.mark.parametrize("status", [StaffStatus.PENDING, StaffStatus.APPROVED])
def test_staff_request_twice_is_refused(city, status):
    existing = CityStaffFactory(city=city, status=status)
    with pytest.raises(services.StaffRequestError):
        services.staff_request(
            actor=existing.user, city=city, role="staff", job_title="A", work_phone=PHONE
        )


@pytest.mark.parametrize("status", [StaffStatus.REJECTED, StaffStatus.REVOKED])
def test_a_rejected_or_revoked_person_may_ask_again(city, status):
    existing = CityStaffFactory(city=city, status=status, decided_by=AdminFactory())
    staff = services.staff_request(
        actor=existing.user, city=city, role="staff", job_title="Aide", work_phone=PHONE
    )
    assert staff.pk == existing.pk
    assert (staff.status, staff.decided_by, staff.job_title) == (StaffStatus.PENDING, None, "Aide")


@pytest.mark.parametrize(
    ("decide", "start", "end", "subject"),
    [
        (services.staff_approve, StaffStatus.PENDING, StaffStatus.APPROVED, "You can now act"),
        (services.staff_reject, StaffStatus.PENDING, StaffStatus.REJECTED, "was not approved"),
        (services.staff_revoke, StaffStatus.APPROVED, StaffStatus.REVOKED, "has ended"),
    ],
)
def test_staff_decisions_audit_and_email_the_requester(
    decide, start, end, subject, city, django_capture_on_commit_callbacks, settings
):
    admin = AdminFactory()
    staff = CityStaffFactory(city=city, status=start)
    with django_capture_on_commit_callbacks(execute=True):
        decide(actor=admin, staff=staff, ip="198.51.100.4")
    staff.refresh_from_db()
    assert (staff.status, staff.decided_by) == (end, admin)
    assert staff.decided_at is not None
    event = AuditEvent.objects.get()
    assert (event.actor, event.staff, event.city) == (admin, staff, city)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.user.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert subject in message.subject
    assert "Riverbend, TX" in message.subject


def test_the_decision_email_waits_for_the_commit(city, django_capture_on_commit_callbacks):
    staff = CityStaffFactory(city=city, status=StaffStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.staff_approve(actor=AdminFactory(), staff=staff)
    assert len(callbacks) == 1  # sent only once the transaction commits
    assert mail.outbox == []


def test_staff_decision_from_the_wrong_state_is_refused(city):
    staff = CityStaffFactory(city=city, status=StaffStatus.REVOKED)
    with pytest.raises(services.StaffDecisionError):
        services.staff_reject(actor=AdminFactory(), staff=staff)
    with pytest.raises(services.StaffDecisionError):
        services.staff_revoke(actor=AdminFactory(), staff=staff)


def test_only_admins_decide_staff_requests(staff, city):
    pending = CityStaffFactory(city=city, status=StaffStatus.PENDING)
    with pytest.raises(PermissionDenied):
        services.staff_approve(actor=staff.user, staff=pending)
    pending.refresh_from_db()
    assert pending.status == StaffStatus.PENDING
