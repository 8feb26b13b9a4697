"""State changes of the compacts app: signing, renewing, re-affirming and withdrawing
signatures, requesting and deciding city staff access, asking for a city to join the
registry, recording mayors' terms and editing a city's action plan.

Every function checks permissions itself (through compacts.permissions), writes an
AuditEvent in the same transaction as the change, and logs it to ``compacts.audit``.
Decisions are emailed to the person who asked once the transaction commits; their links are
built from ``settings.SITE_URL``, never from the address a request happened to use.
"""

import datetime
import ipaddress
import logging
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .action_plan import PlanRow
from .models import (
    AuditAction,
    AuditEvent,
    City,
    CityJoinRequest,
    CityStaff,
    Compact,
    JoinStatus,
    MayorTerm,
    PlanItem,
    PlanItemChange,
    Signature,
    StaffRole,
    StaffStatus,
)
from .permissions import (
    can_act_for_city,
    can_decide_join_requests,
    can_decide_staff,
    can_record_mayor_terms,
    has_verified_email,
    staff_addresses,
)
from .phones import validate_work_phone

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


class RenewalNotOpen(CompactsError):
    pass


class CityAlreadyListed(CompactsError):
    """The registry already has this city; ``city`` says which, so a page can link to it."""

    def __init__(self, message: str, city: City) -> None:
        super().__init__(message)
        self.city = city


class JoinRequestError(CompactsError):
    pass


class NoReaffirmationNeeded(CompactsError):
    pass


class PlanItemError(CompactsError):
    pass


class StaleEdit(PlanItemError):
    """Someone else changed the plan item after this person opened it."""


class MayorTermError(CompactsError):
    pass


class PeerContactError(CompactsError):
    pass


def site_url(path: str) -> str:
    """An absolute address on this site, for emails: SITE_URL followed by ``path``."""
    return f"{settings.SITE_URL}{path}"


def _site_url_of(path: Callable[[], str]) -> str:
    return site_url(path())


# site_url of a path worked out when the email is rendered, so that the link opens the page
# in the recipient's language (/es/... for Spanish), as _send renders in it.
site_link = lazy(_site_url_of, str)


def _send(
    template: str, context: dict, to: str, language: str, reply_to: str | None = None
) -> None:
    """Email ``template`` to the address ``to``, written in ``language`` (the recipient's
    ``User.language``, never the language of whoever set the email off)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    if reply_to:  # the recipient answers the person who wrote, not the site
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [to], reply_to=[reply_to]
        )
        message.send()
    else:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _checked_phone(work_phone: str, error_class: type[CompactsError]) -> str:
    work_phone = " ".join(work_phone.split())
    try:
        validate_work_phone(work_phone)
    except ValidationError as error:
        raise error_class(" ".join(error.messages)) from error
    return work_phone


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
    city: City | None,
    ip: str | None,
    compact: Compact | None = None,
    signature: Signature | None = None,
    staff: CityStaff | None = None,
    join_request: CityJoinRequest | None = None,
    plan_item: PlanItem | None = None,
    mayor_term: MayorTerm | None = None,
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        city=city,
        compact=compact,
        signature=signature,
        staff=staff,
        join_request=join_request,
        plan_item=plan_item,
        mayor_term=mayor_term,
        ip_address=_clean_ip(ip),
        detail=detail,
    )
    audit_log.info(
        "%s by user=%s city=%s compact=%s signature=%s staff=%s join_request=%s "
        "plan_item=%s mayor_term=%s ip=%s",
        action,
        getattr(actor, "pk", None),
        getattr(city, "pk", None),
        getattr(compact, "pk", None),
        getattr(signature, "pk", None),
        getattr(staff, "pk", None),
        getattr(join_request, "pk", None),
        getattr(plan_item, "pk", None),
        getattr(mayor_term, "pk", None),
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
    """Renew ``city``'s signature, only inside its compact's renewal window (see renewal.py).

    The row is locked first, so two staff confirming at once renew once: the second finds
    the new term's window closed."""
    if not can_act_for_city(actor, city):
        raise PermissionDenied
    if not compact.is_open:
        raise CompactClosed(_("This compact is closed; its signatures can no longer be renewed."))
    with transaction.atomic():
        signature = _active_signature(compact, city)
        today = timezone.localdate()
        renewal = signature.renewal(today)
        if not renewal.can_renew:
            raise RenewalNotOpen(
                _("It is too early to renew: renewal opens on %(opens)s and is due on %(due)s.")
                % {
                    "opens": formats.date_format(renewal.opens_on, "DATE_FORMAT"),
                    "due": formats.date_format(renewal.due_on, "DATE_FORMAT"),
                }
            )
        signature.renewed_on = today
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


def signature_reaffirm(*, actor, compact: Compact, city: City, ip: str | None = None) -> Signature:
    """The office of the city's current mayor re-affirms a signature made under an earlier
    mayor. Re-affirming starts a new renewal term, as renewing does."""
    if not can_act_for_city(actor, city):
        raise PermissionDenied
    with transaction.atomic():
        signature = _active_signature(compact, city)
        today = timezone.localdate()
        term = city.mayor_terms.current_on(today)
        if not signature.needs_reaffirmation(term):
            raise NoReaffirmationNeeded(
                _("This signature was made or re-affirmed under the current mayor.")
            )
        signature.reaffirmed_on = today
        signature.reaffirmed_by_mayor = term.mayor_name
        signature.save(update_fields=["reaffirmed_on", "reaffirmed_by_mayor"])
        _audit(
            actor=actor,
            action=AuditAction.REAFFIRM,
            city=city,
            compact=compact,
            signature=signature,
            ip=ip,
            detail=term.mayor_name,
        )
    return signature


# Mayors' terms ---------------------------------------------------------------------------


def mayor_term_record(
    *, actor, city: City, mayor_name: str, starts_on, ip: str | None = None
) -> MayorTerm:
    """Record a mayor's term that starts on ``starts_on``. The term before it ends the day
    before; when it is the latest term, the city's mayor becomes ``mayor_name``. The city's
    signatures and plan stay: signatures made earlier are then due for re-affirmation."""
    if not can_record_mayor_terms(actor):
        raise PermissionDenied
    mayor_name = " ".join(mayor_name.split())
    if not mayor_name:
        raise MayorTermError(_("Enter the mayor's name."))
    with transaction.atomic():
        city = City.objects.select_for_update().get(pk=city.pk)
        if city.mayor_terms.filter(starts_on=starts_on).exists():
            raise MayorTermError(_("A term starting on that day is already on record."))
        before = city.mayor_terms.filter(starts_on__lt=starts_on).order_by("-starts_on").first()
        after = city.mayor_terms.filter(starts_on__gt=starts_on).order_by("starts_on").first()
        if before and (before.ends_on is None or before.ends_on >= starts_on):
            before.ends_on = starts_on - datetime.timedelta(days=1)
            before.save(update_fields=["ends_on"])
        term = MayorTerm.objects.create(
            city=city,
            mayor_name=mayor_name,
            starts_on=starts_on,
            ends_on=after.starts_on - datetime.timedelta(days=1) if after else None,
        )
        if after is None and city.mayor_name != mayor_name:
            city.mayor_name = mayor_name
            city.save(update_fields=["mayor_name"])
        _audit(
            actor=actor,
            action=AuditAction.MAYOR_TERM,
            city=city,
            mayor_term=term,
            ip=ip,
            detail=f"{mayor_name} from {starts_on.isoformat()}",
        )
    return term


# The city's plan -------------------------------------------------------------------------

# The fields staff edit, in the order a change is described in the audit log.
PLAN_FIELDS = (
    "status",
    "responsible_role",
    "starts_on",
    "target_on",
    "evidence_url",
    "public_note",
)


def plan_item_update(
    *,
    actor,
    city: City,
    row: PlanRow,
    changes: dict,
    seen_version: str,
    ip: str | None = None,
) -> PlanItem | None:
    """Apply ``changes`` (the PLAN_FIELDS, already validated by PlanItemForm) to ``row`` of
    ``city``'s plan, creating its item on first edit. ``seen_version`` is the item's
    ``updated_at`` the person saw ("" if it had none): if someone changed it since, nothing is
    written and StaleEdit is raised. Returns None when nothing changed."""
    if not can_act_for_city(actor, city):
        raise PermissionDenied
    if changes.get("status") == "done" and not (
        changes.get("evidence_url") or changes.get("public_note")
    ):
        raise PlanItemError(_("Say how it was done: add an evidence link or a public note."))
    with transaction.atomic():
        lookup = {"step": row.step} if row.step else {"commitment": row.commitment}
        item = PlanItem.objects.select_for_update().filter(city=city, **lookup).first()
        current_version = item.updated_at.isoformat() if item else ""
        if seen_version != current_version:
            raise StaleEdit(
                _(
                    "Someone else changed this item after you opened it. The page now shows "
                    "their change; make yours again if it is still needed."
                )
            )
        item = item or PlanItem(city=city, **lookup)
        changed = [name for name in PLAN_FIELDS if getattr(item, name) != changes[name]]
        if not changed:
            return None
        for name in changed:
            setattr(item, name, changes[name])
        item.updated_at = timezone.now()
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:  # another person's first edit of the same row won
            raise StaleEdit(
                _("Someone else changed this item at the same moment; look at it again.")
            ) from exc
        PlanItemChange.objects.create(
            item=item,
            at=item.updated_at,
            status=item.status,
            target_on=item.target_on,
            evidence_url=item.evidence_url,
            public_note=item.public_note,
        )
        _audit(
            actor=actor,
            action=AuditAction.PLAN_UPDATE,
            city=city,
            compact=row.compact,
            plan_item=item,
            ip=ip,
            detail=", ".join(changed),
        )
    return item


# Calling a fellow mayor ------------------------------------------------------------------


def peer_contact(
    *, actor, from_city: City, to_city: City, message: str, ip: str | None = None
) -> int:
    """Email ``to_city``'s approved staff a message from ``actor``, staff of ``from_city``.
    Each recipient gets their own email, in their language, so no address is shown to
    another; the reply goes to ``actor``'s address, which the form says is shared. Returns
    how many were emailed."""
    if not can_act_for_city(actor, from_city):
        raise PermissionDenied
    if to_city.pk == from_city.pk:
        raise PeerContactError(_("Choose another city than your own."))
    message = message.strip()
    if not message:
        raise PeerContactError(_("Write a message."))
    recipients = staff_addresses(to_city.pk)  # never shown to the person writing
    if not recipients:
        raise PeerContactError(
            _("%(city)s has no staff on this portal yet, so no message can be sent.")
            % {"city": to_city.name}
        )
    context = {
        "from_city": from_city,
        "to_city": to_city,
        "sender": actor,
        "message": message,
        "from_city_url": site_link(from_city.get_absolute_url),
    }
    sent = 0
    for address, language in recipients:
        try:
            _send("compacts/email/peer_contact", context, address, language, actor.email)
        except (OSError, smtplib.SMTPException):
            audit_log.exception(
                "peer contact email to a staff member of city=%s failed", to_city.pk
            )
        else:
            sent += 1
    if not sent:
        raise PeerContactError(_("The message could not be sent just now. Please try again later."))
    _audit(
        actor=actor,
        action=AuditAction.PEER_CONTACT,
        city=from_city,
        ip=ip,
        detail=f"to {to_city}: emailed {sent} of {len(recipients)} staff",
    )
    return sent


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
    work_phone = _checked_phone(work_phone, StaffRequestError)
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
    context = {
        "staff": staff,
        "city": staff.city,
        "user": staff.user,
        "city_url": site_link(staff.city.get_absolute_url),
    }
    _send(template, context, staff.user.email, staff.user.language)


def staff_approve(*, actor, staff: CityStaff, ip: str | None = None) -> CityStaff:
    return _staff_decide(actor=actor, staff=staff, action=AuditAction.APPROVE, ip=ip)


def staff_reject(*, actor, staff: CityStaff, ip: str | None = None) -> CityStaff:
    return _staff_decide(actor=actor, staff=staff, action=AuditAction.REJECT, ip=ip)


def staff_revoke(*, actor, staff: CityStaff, ip: str | None = None) -> CityStaff:
    return _staff_decide(actor=actor, staff=staff, action=AuditAction.REVOKE, ip=ip)


# Cities asking to join --------------------------------------------------------------------


def _listed_city(name: str, state: str) -> City | None:
    return City.objects.filter(name__iexact=name, state=state).first()


def city_join_request(
    *,
    actor,
    city_name: str,
    state: str,
    role: str,
    job_title: str,
    work_phone: str,
    message: str = "",
    ip: str | None = None,
) -> CityJoinRequest:
    """Ask for a city that is not in the registry to be added. One open request per person
    and city; a city already listed is refused with CityAlreadyListed (ask for staff access
    from its page instead)."""
    if not has_verified_email(actor):
        raise PermissionDenied
    city_name = " ".join(city_name.split())
    if not city_name:
        raise JoinRequestError(_("Enter the city's name."))
    if role not in StaffRole.values:
        raise JoinRequestError(_("Choose a role."))
    work_phone = _checked_phone(work_phone, JoinRequestError)
    listed = _listed_city(city_name, state)
    if listed is not None:
        raise CityAlreadyListed(
            _("%(city)s is already in the registry: ask for staff access from its page.")
            % {"city": str(listed)},
            city=listed,
        )
    duplicate = _("You have already asked for this city to be added; we will email you.")
    if (
        CityJoinRequest.objects.pending()
        .filter(requested_by=actor, city_name__iexact=city_name, state=state)
        .exists()
    ):
        raise JoinRequestError(duplicate)
    try:
        with transaction.atomic():
            join_request = CityJoinRequest.objects.create(
                requested_by=actor,
                city_name=city_name,
                state=state,
                role=role,
                job_title=job_title.strip(),
                work_phone=work_phone,
                message=message.strip(),
            )
            _audit(
                actor=actor,
                action=AuditAction.JOIN_REQUEST,
                city=None,
                join_request=join_request,
                ip=ip,
                detail=f"{city_name}, {state}",
            )
    except IntegrityError as exc:  # the same request sent twice at once
        raise JoinRequestError(duplicate) from exc
    return join_request


def _unused_city_slug(name: str, state: str) -> str:
    base = slugify(f"{name}-{state}")[:130] or "city"
    slug, number = base, 1
    while City.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _locked_pending_join(join_request: CityJoinRequest) -> CityJoinRequest:
    join_request = (
        CityJoinRequest.objects.select_for_update()
        .select_related("requested_by")
        .get(pk=join_request.pk)
    )
    if join_request.status != JoinStatus.PENDING:
        raise JoinRequestError(
            _("This request is already decided (%(status)s).")
            % {"status": join_request.get_status_display().lower()}
        )
    return join_request


def city_join_approve(
    *, actor, join_request: CityJoinRequest, ip: str | None = None
) -> CityJoinRequest:
    """Add the city (not yet a partner) and file the requester's staff request for it,
    pending like any other: approving a city is not approving a person."""
    if not can_decide_join_requests(actor):
        raise PermissionDenied
    with transaction.atomic():
        join_request = _locked_pending_join(join_request)
        if not join_request.time_zone:
            raise JoinRequestError(
                _("Set the city's time zone on the request before approving it.")
            )
        listed = _listed_city(join_request.city_name, join_request.state)
        if listed is not None:
            raise JoinRequestError(
                _("%(city)s is already in the registry; refuse this request instead.")
                % {"city": str(listed)}
            )
        city = City.objects.create(
            name=join_request.city_name,
            state=join_request.state,
            slug=_unused_city_slug(join_request.city_name, join_request.state),
            time_zone=join_request.time_zone,
        )
        join_request.status = JoinStatus.APPROVED
        join_request.city = city
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "city", "decided_by", "decided_at"])
        _audit(
            actor=actor,
            action=AuditAction.JOIN_APPROVE,
            city=city,
            join_request=join_request,
            ip=ip,
        )
        requester = join_request.requested_by
        staff = CityStaff.objects.create(
            user=requester,
            city=city,
            role=join_request.role,
            job_title=join_request.job_title,
            work_phone=join_request.work_phone,
            requested_at=join_request.requested_at,
        )
        # The person asked for this in their join request; the admin only filed it.
        _audit(
            actor=requester,
            action=AuditAction.REQUEST,
            city=city,
            staff=staff,
            join_request=join_request,
            ip=None,
            detail="filed when the city was added",
        )
        context = {
            "join_request": join_request,
            "city": city,
            "city_url": site_link(city.get_absolute_url),
        }
        transaction.on_commit(
            lambda: _send(
                "compacts/email/city_join_approved", context, requester.email, requester.language
            ),
            robust=True,
        )
    return join_request


def city_join_refuse(
    *, actor, join_request: CityJoinRequest, ip: str | None = None
) -> CityJoinRequest:
    if not can_decide_join_requests(actor):
        raise PermissionDenied
    with transaction.atomic():
        join_request = _locked_pending_join(join_request)
        join_request.status = JoinStatus.REFUSED
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        _audit(
            actor=actor,
            action=AuditAction.JOIN_REFUSE,
            city=None,
            join_request=join_request,
            ip=ip,
        )
        context = {
            "join_request": join_request,
            "registry_url": site_link(lambda: reverse("compacts:city_list")),
        }
        requester = join_request.requested_by
        transaction.on_commit(
            lambda: _send(
                "compacts/email/city_join_refused", context, requester.email, requester.language
            ),
            robust=True,
        )
    return join_request
