"""State changes of the compacts app: signing, renewing and withdrawing signatures, and
requesting and deciding city staff access.

Every function checks permissions itself (through compacts.permissions), writes an
AuditEvent in the same transaction as the change, and logs it to ``compacts.audit``.
Decisions on staff requests are emailed to the requester once the transaction commits.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    AuditAction,
    AuditEvent,
    City,
    CityStaff,
    Compact,
    Signature,
    StaffRole,
    StaffStatus,
)
from .permissions import can_act_for_city, can_decide_staff, has_verified_email

audit_log = logging.getLogger("compacts.audit")


class CompactsError(Exception):
    """A rule of the app said no; the message is safe to show to the person."""


class AlreadySigned(CompactsError):
    pass


class CompactClosed(CompactsError):
    pass


class SignatureNotActive(CompactsError):
    pass


class StaffRequestError(CompactsError):
    pass


class StaffDecisionError(CompactsError):
    pass


def _clean_ip(ip: str | None) -> str | None:
    """Keep a real IP address for the audit log; drop anything else (e.g. "unknown")."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def _audit(
    *,
    actor,
    action: str,
    city: City,
    ip: str | None,
    compact: Compact | None = None,
    signature: Signature | None = None,
    staff: CityStaff | None = None,
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        city=city,
        compact=compact,
        signature=signature,
        staff=staff,
        ip_address=_clean_ip(ip),
        detail=detail,
    )
    audit_log.info(
        "%s by user=%s city=%s compact=%s signature=%s staff=%s ip=%s",
        action,
        getattr(actor, "pk", None),
        city.pk,
        getattr(compact, "pk", None),
        getattr(signature, "pk", None),
        getattr(staff, "pk", None),
        event.ip_address,
    )
    return event


# Signatures ------------------------------------------------------------------------------


def signature_create(
    *, actor, compact: Compact, city: City, mayor_name: str, ip: str | None = None
) -> Signature:
    """Sign ``compact`` for ``city``. The database allows one active signature per pair,
    so two staff clicking at once get one signature and one AlreadySigned."""
    if not can_act_for_city(actor, city):
        raise PermissionDenied
    if not compact.is_open:
        raise CompactClosed(_("This compact is not open for signature."))
    mayor_name = mayor_name.strip()
    if not mayor_name:
        raise CompactsError(_("Enter the mayor's name."))
    already = _("Your city has already signed this compact.")
    if Signature.objects.active().filter(compact=compact, city=city).exists():
        raise AlreadySigned(already)
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                compact=compact,
                city=city,
                mayor_name=mayor_name,
                signed_by=actor,
                signed_on=timezone.localdate(),
            )
            _audit(
                actor=actor,
                action=AuditAction.SIGN,
                city=city,
                compact=compact,
                signature=signature,
                ip=ip,
                detail=mayor_name,
            )
    except IntegrityError as exc:
        # Lost the race against another signature for the same compact and city.
        raise AlreadySigned(already) from exc
    return signature


def audit_admin_change(*, actor, action: str, signature: Signature, ip: str | None) -> AuditEvent:
    """Record a sign, renew or withdraw an admin made by editing a signature in the admin."""
    return _audit(
        actor=actor,
        action=action,
        city=signature.city,
        compact=signature.compact,
        signature=signature,
        ip=ip,
        detail="admin",
    )


def _active_signature(compact: Compact, city: City) -> Signature:
    signature = (
        Signature.objects.active()
        .select_for_update()
        .filter(compact=compact, city=city)
        .select_related("compact", "city")
        .first()
    )
    if signature is None:
        raise SignatureNotActive(_("Your city has no active signature of this compact."))
    return signature


def signature_renew(*, actor, compact: Compact, city: City, ip: str | None = None) -> Signature:
    if not can_act_for_city(actor, city):
        raise PermissionDenied
    if not compact.is_open:
        raise CompactClosed(_("This compact is closed; its signatures can no longer be renewed."))
    with transaction.atomic():
        signature = _active_signature(compact, city)
        signature.renewed_on = timezone.localdate()
        signature.save(update_fields=["renewed_on"])
        _audit(
            actor=actor,
            action=AuditAction.RENEW,
            city=city,
            compact=compact,
            signature=signature,
            ip=ip,
        )
    return signature


def signature_withdraw(
    *, actor, compact: Compact, city: City, reason: str, ip: str | None = None
) -> Signature:
    if not can_act_for_city(actor, city):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise CompactsError(_("Give a reason for withdrawing."))
    with transaction.atomic():
        signature = _active_signature(compact, city)
        signature.withdrawn_on = timezone.localdate()
        signature.withdrawal_reason = reason
        signature.save(update_fields=["withdrawn_on", "withdrawal_reason"])
        _audit(
            actor=actor,
            action=AuditAction.WITHDRAW,
            city=city,
            compact=compact,
            signature=signature,
            ip=ip,
            detail=reason,
        )
    return signature


# City staff ------------------------------------------------------------------------------


def staff_request(
    *,
    actor,
    city: City,
    role: str,
    job_title: str,
    work_phone: str,
    ip: str | None = None,
) -> CityStaff:
    """Ask to act for ``city``. A rejected or revoked person may ask again; their old
    request goes back to pending (its history stays in the audit log)."""
    if not has_verified_email(actor):
        raise PermissionDenied
    if role not in StaffRole.values:
        raise StaffRequestError(_("Choose a role."))
    with transaction.atomic():
        staff = CityStaff.objects.select_for_update().filter(user=actor, city=city).first()
        if staff and staff.status == StaffStatus.PENDING:
            raise StaffRequestError(_("You have already asked to act for this city."))
        if staff and staff.status == StaffStatus.APPROVED:
            raise StaffRequestError(_("You are already approved staff of this city."))
        staff = staff or CityStaff(user=actor, city=city)
        staff.role = role
        staff.job_title = job_title.strip()
        staff.work_phone = work_phone.strip()
        staff.status = StaffStatus.PENDING
        staff.requested_at = timezone.now()
        staff.decided_by = None
        staff.decided_at = None
        try:
            with transaction.atomic():
                staff.save()
        except IntegrityError as exc:  # a double-submitted first request
            raise StaffRequestError(_("You have already asked to act for this city.")) from exc
        _audit(actor=actor, action=AuditAction.REQUEST, city=city, staff=staff, ip=ip)
    return staff


_DECISIONS = {
    # action: (statuses it may start from, the new status, email subject)
    AuditAction.APPROVE: (
        {StaffStatus.PENDING, StaffStatus.REJECTED},
        StaffStatus.APPROVED,
        "compacts/email/staff_approved",
    ),
    AuditAction.REJECT: (
        {StaffStatus.PENDING},
        StaffStatus.REJECTED,
        "compacts/email/staff_rejected",
    ),
    AuditAction.REVOKE: (
        {StaffStatus.APPROVED},
        StaffStatus.REVOKED,
        "compacts/email/staff_revoked",
    ),
}


def _staff_decide(*, actor, staff: CityStaff, action: str, ip: str | None) -> CityStaff:
    if not can_decide_staff(actor):
        raise PermissionDenied
    allowed_from, new_status, email_template = _DECISIONS[action]
    with transaction.atomic():
        staff = (
            CityStaff.objects.select_for_update().select_related("user", "city").get(pk=staff.pk)
        )
        if staff.status not in allowed_from:
            raise StaffDecisionError(
                _("This request is %(status)s; it cannot be changed that way.")
                % {"status": staff.get_status_display().lower()}
            )
        staff.status = new_status
        staff.decided_by = actor
        staff.decided_at = timezone.now()
        staff.save(update_fields=["status", "decided_by", "decided_at"])
        _audit(actor=actor, action=action, city=staff.city, staff=staff, ip=ip)
        transaction.on_commit(lambda: _email_decision(staff, email_template), robust=True)
    return staff


def _email_decision(staff: CityStaff, template: str) -> None:
    context = {"staff": staff, "city": staff.city, "user": staff.user}
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [staff.user.email])


def staff_approve(*, actor, staff: CityStaff, ip: str | None = None) -> CityStaff:
    return _staff_decide(actor=actor, staff=staff, action=AuditAction.APPROVE, ip=ip)


def staff_reject(*, actor, staff: CityStaff, ip: str | None = None) -> CityStaff:
    return _staff_decide(actor=actor, staff=staff, action=AuditAction.REJECT, ip=ip)


def staff_revoke(*, actor, staff: CityStaff, ip: str | None = None) -> CityStaff:
    return _staff_decide(actor=actor, staff=staff, action=AuditAction.REVOKE, ip=ip)
