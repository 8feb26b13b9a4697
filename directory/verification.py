"""Provider re-verification without accounts (issue 18, item 4).

A daily task emails each stale public listing's contact (the service's email, else its
organization's) a link that opens the listing as the public sees it, where the provider
confirms it is still right or proposes changes; reminders follow 14 and 28 days after the
first email of a round while the listing stays stale and no link was used. Every email
carries a link of its own: a random token of 256 bits, of which only the SHA-256 hash is
stored, tied to one listing, valid for ``LINK_VALID_FOR`` and used once (using any link of a
listing uses up its other open links too). Proposed changes wait in the admin's queue
(admin_verification.py) until an admin approves or declines them.

``manage.py send_verification_requests --schedule`` queues the daily task once; without a
worker, run ``manage.py send_verification_requests`` from cron.
"""

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from compassion_portal import daily

from . import changelog, hours, listing
from .models import (
    STALE_AFTER,
    ChangeAction,
    ChangeSource,
    Phone,
    ProposedChange,
    ProposedChangeStatus,
    Schedule,
    Service,
    ServiceAtLocation,
    VerificationRequest,
)
from .search import refresh_search_vectors

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits of randomness: no one guesses a link
LINK_VALID_FOR = datetime.timedelta(days=30)
REMINDER_AFTER_DAYS = (14, 28)  # days after a round's first email
SEND_HOUR = 9  # o'clock in settings.TIME_ZONE
MAX_TOKEN_LENGTH = 100

# The fields a provider may propose new values for, in the form's order; phone and hours are
# not fields of the service (phone: its first own Phone; hours: read by the admin, who then
# edits them in the hours editor).
PROPOSABLE_FIELDS = {
    "phone": _("Phone"),
    "email": _("Email"),
    "url": _("Website"),
    "hours": _("Opening hours"),
    "description": _("Description"),
    "note": _("Note from the provider"),
}
APPLIED_FIELDS = ("phone", "email", "url", "description")
APPROVAL_REASON = "Proposed by the provider from a verification link; approved by an admin"


class LinkError(Exception):
    """A verification link that can no longer be used (``kind``: "used" or "expired")."""

    def __init__(self, kind: str, request: VerificationRequest):
        super().__init__(kind)
        self.kind = kind
        self.request = request


class ProposalError(Exception):
    pass


# Links -------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_request(token: str) -> VerificationRequest | None:
    """The request a link's token belongs to, with its service and organization, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        VerificationRequest.objects.select_related("service__organization")
        .filter(token_hash=hash_token(token))
        .first()
    )


def link_problem(request: VerificationRequest, now: datetime.datetime | None = None) -> str:
    """Why this link cannot be used ("used", "expired"), or "" when it can."""
    if request.used_at is not None:
        return "used"
    if (now or timezone.now()) >= request.expires_at:
        return "expired"
    return ""


def verify_path(service: Service, token: str) -> str:
    return reverse("directory:verify", kwargs={"slug": service.slug, "token": token})


@transaction.atomic
def _use(request: VerificationRequest, now: datetime.datetime) -> VerificationRequest:
    """Lock the request (two submissions at once: one wins, the other finds it used), check
    it and use up every open link of its listing. Call inside a transaction."""
    locked = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    problem = link_problem(locked, now)
    if problem:
        raise LinkError(problem, locked)
    VerificationRequest.objects.filter(service_id=locked.service_id, used_at__isnull=True).update(
        used_at=now
    )
    locked.used_at = now
    return locked


# The listing as the public sees it ----------------------------------------------------------


@dataclass(frozen=True)
class PublicListing:
    service: Service
    locations: list
    phones: list
    hours: list
    hours_notes: list


def public_listing(service: Service) -> PublicListing:
    """What the listing's public page shows of it: its locations (confidential addresses
    left out by listing.LocationView), phones and weekly hours, in the page's own way."""
    links = list(
        ServiceAtLocation.objects.filter(service=service).select_related("location").order_by("pk")
    )
    location_ids = [link.location_id for link in links]
    link_ids = [link.pk for link in links]
    phones = list(
        Phone.objects.filter(
            Q(service=service)
            | Q(service_at_location__in=link_ids)
            | Q(location__in=location_ids)
            | Q(organization=service.organization_id, service__isnull=True, location__isnull=True)
        ).order_by("pk")
    )
    schedules = list(
        Schedule.objects.filter(Q(service=service) | Q(service_at_location__in=link_ids)).order_by(
            "pk"
        )
    )
    return PublicListing(
        service=service,
        locations=[listing.LocationView.of(link.location) for link in links],
        phones=phones,
        hours=hours.weekly_hours(schedules),
        hours_notes=[schedule.description for schedule in schedules if schedule.description],
    )


def current_values(service: Service) -> dict[str, str]:
    """The values the proposal form starts from (hours and note start empty)."""
    first_phone = service.phones.order_by("pk").first() or (
        Phone.objects.filter(
            Q(service_at_location__service=service) | Q(location__services=service)
        )
        .order_by("pk")
        .first()
    )
    return {
        "phone": first_phone.number if first_phone else "",
        "email": service.email,
        "url": service.url,
        "hours": "",
        "description": service.description,
        "note": "",
    }


# What the provider does with a link ---------------------------------------------------------


def verification_confirm(*, request: VerificationRequest, now=None) -> Service:
    """'Everything is still right': the listing is verified today, by the provider."""
    now = now or timezone.now()
    with transaction.atomic():
        used = _use(request, now)
        service = Service.objects.select_for_update().get(pk=used.service_id)
        previous = service.assured_date
        service.assured_date = timezone.localdate(now)
        service.save(update_fields=["assured_date", "last_modified"])
        changelog.record_verified(
            service,
            source=ChangeSource.PROVIDER,
            previous=previous,
            reason="Confirmed by the provider from a verification link",
            at=now,
        )
    return service


def verification_propose(
    *, request: VerificationRequest, proposed: dict[str, str], now=None
) -> list[ProposedChange]:
    """'Something has changed': one pending ProposedChange per field whose proposed value
    differs from the current one (a note alone is one too); the link is used up."""
    now = now or timezone.now()
    with transaction.atomic():
        used = _use(request, now)
        service = Service.objects.select_related("organization").get(pk=used.service_id)
        current = current_values(service)
        note = (proposed.get("note") or "").strip()
        rows = [
            ProposedChange(
                service=service,
                request=used,
                field_name=name,
                current_value=current[name],
                proposed_value=value,
                provider_note=note,
                created_at=now,
            )
            for name in PROPOSABLE_FIELDS
            if name != "note"
            and (value := (proposed.get(name) or "").strip())
            and value != current[name].strip()
        ]
        if not rows and note:
            rows = [
                ProposedChange(
                    service=service,
                    request=used,
                    field_name="note",
                    provider_note=note,
                    created_at=now,
                )
            ]
        if not rows:
            raise ProposalError(_("Change at least one field, or write a note."))
        return ProposedChange.objects.bulk_create(rows)


# What the admin does with a proposal --------------------------------------------------------


def _apply(change: ProposedChange, service: Service, actor, now) -> None:
    value = change.proposed_value
    if change.field_name in ("email", "url", "description"):
        previous = getattr(service, change.field_name)
        setattr(service, change.field_name, value)
        service.save(update_fields=[change.field_name, "last_modified"])
        changelog.record(
            service=service,
            resource=service,
            changes=[changelog.Change(change.field_name, previous, value)],
            source=ChangeSource.PROVIDER,
            actor=actor,
            reason=APPROVAL_REASON,
            at=now,
        )
    elif change.field_name == "phone":
        phone = service.phones.order_by("pk").first()
        if phone is None:
            phone = Phone.objects.create(service=service, number=value)
            action, previous = ChangeAction.CREATE, ""
        else:
            previous = phone.number
            phone.number = value
            phone.save(update_fields=["number"])
            action = ChangeAction.UPDATE
        changelog.record(
            service=service,
            resource=phone,
            changes=[changelog.Change("number", previous, value)],
            source=ChangeSource.PROVIDER,
            action=action,
            actor=actor,
            reason=APPROVAL_REASON,
            at=now,
        )
    # Hours and notes are read by the admin, who changes the hours in the hours editor.


def proposed_change_approve(*, change: ProposedChange, actor, now=None) -> bool:
    """Apply a pending proposal to its listing, log it as the provider's and mark the listing
    verified today; False when it was already decided."""
    now = now or timezone.now()
    with transaction.atomic():
        change = ProposedChange.objects.select_for_update().get(pk=change.pk)
        if change.status != ProposedChangeStatus.PENDING:
            return False
        service = Service.objects.select_for_update().get(pk=change.service_id)
        _apply(change, service, actor, now)
        today = timezone.localdate(now)
        if service.assured_date != today:
            previous = service.assured_date
            service.assured_date = today
            service.save(update_fields=["assured_date", "last_modified"])
            changelog.record_verified(
                service,
                source=ChangeSource.PROVIDER,
                previous=previous,
                actor=actor,
                reason=APPROVAL_REASON,
                at=now,
            )
        change.status = ProposedChangeStatus.APPROVED
        change.decided_by = actor
        change.decided_at = now
        change.save(update_fields=["status", "decided_by", "decided_at"])
        if change.field_name == "description":
            refresh_search_vectors([service.pk])
    return True


def proposed_change_decline(*, change: ProposedChange, actor, now=None) -> bool:
    """Decline a pending proposal (the listing is left as it is); False when already decided."""
    return bool(
        ProposedChange.objects.filter(pk=change.pk, status=ProposedChangeStatus.PENDING).update(
            status=ProposedChangeStatus.DECLINED, decided_by=actor, decided_at=now or timezone.now()
        )
    )


# Who is due, and the daily task -------------------------------------------------------------


def contact_email(service: Service) -> str:
    """Where a listing's requests go: its own email, else its organization's."""
    return service.email or service.organization.email


def due_services(today: datetime.date | None = None):
    """Public listings not verified for STALE_AFTER, with an address to write to."""
    return (
        Service.objects.public()
        .stale(today)
        .exclude(email="", organization__email="")
        .select_related("organization")
        .order_by("pk")
    )


def _round_began_before_stale(started: datetime.date, service: Service, today) -> bool:
    """Whether a round that began on ``started`` was about an earlier staleness (the listing
    was verified since, or the round is a year old): then a new round is due."""
    if started <= today - STALE_AFTER:
        return True
    return service.assured_date is not None and started <= service.assured_date + STALE_AFTER


def email_due(service: Service, now: datetime.datetime) -> int | None:
    """Which email a stale listing is due today: 0 (a round's first), 1 or 2 (reminders), or
    None. Never a second email on the same day."""
    today = timezone.localdate(now)
    latest = service.verification_requests.order_by("-sent_at", "-pk").first()
    if latest is None:
        return 0
    if timezone.localdate(latest.sent_at) >= today:
        return None
    started = timezone.localdate(latest.round_started_at)
    if _round_began_before_stale(started, service, today):
        return 0
    answered = service.verification_requests.filter(
        round_started_at=latest.round_started_at, used_at__isnull=False
    ).exists()
    if answered or latest.reminder >= len(REMINDER_AFTER_DAYS):
        return None
    if (today - started).days >= REMINDER_AFTER_DAYS[latest.reminder]:
        return latest.reminder + 1
    return None


def _send(request: VerificationRequest, token: str) -> None:
    service = request.service
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "service": service,
            "organization": service.organization,
            "reminder": request.reminder,
            "verify_url": f"{settings.SITE_URL}{verify_path(service, token)}",
            "public_url": f"{settings.SITE_URL}{service.get_absolute_url()}",
            "expires_on": timezone.localdate(request.expires_at),
        }
        subject = render_to_string("directory/email/verification_request_subject.txt", context)
        body = render_to_string("directory/email/verification_request.txt", context)
    send_mail(subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [request.sent_to])


def verification_request_send(
    *, service: Service, now: datetime.datetime | None = None
) -> VerificationRequest | None:
    """Email the listing the request it is due today, if any. The listing's row is locked
    while deciding and sending, so that two runs at once send one email; a failed send
    leaves no row, and the next run tries again."""
    now = now or timezone.now()
    with transaction.atomic():
        service = (
            Service.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=service.pk)
        )
        reminder = email_due(service, now)
        address = contact_email(service)
        if reminder is None or not address:
            return None
        if reminder == 0:
            round_started_at = now
        else:
            round_started_at = service.verification_requests.latest("sent_at").round_started_at
        token = secrets.token_urlsafe(TOKEN_BYTES)
        request = VerificationRequest.objects.create(
            service=service,
            token_hash=hash_token(token),
            sent_to=address,
            sent_at=now,
            round_started_at=round_started_at,
            reminder=reminder,
            expires_at=now + LINK_VALID_FOR,
        )
        _send(request, token)
    return request


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0


def verification_requests_send(now: datetime.datetime | None = None) -> RunReport:
    """Email every due listing the request it is due today; one failure stops no other."""
    now = now or timezone.now()
    report = RunReport()
    for service in due_services(timezone.localdate(now)).iterator(chunk_size=500):
        try:
            if verification_request_send(service=service, now=now) is not None:
                report.sent += 1
        except Exception:
            logger.exception("Could not send the verification request of service %s", service.pk)
            report.failed += 1
    return report


def schedule_daily_requests():
    return daily.schedule(send_verification_requests, SEND_HOUR)


@task()
def send_verification_requests() -> int:
    """The daily task: queue tomorrow's run first, then send; returns how many emails."""
    schedule_daily_requests()
    return verification_requests_send().sent
