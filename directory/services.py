"""Writes that the directory's views and admin make."""

import datetime
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import changelog
from .models import (
    CLOSED_SUGGESTION_STATUSES,
    ChangeSource,
    Service,
    Suggestion,
    SuggestionStatus,
)
from .search import refresh_search_vectors


def ip_fingerprint(ip: str) -> str:
    """A keyed hash of an IP address: enough to spot one sender's flood, not to find them."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def suggestion_create(
    *,
    kind: str,
    message: str,
    contact_name: str = "",
    contact_email: str = "",
    notify: bool = False,
    service: Service | None = None,
    ip: str = "",
) -> Suggestion:
    """File a resident's suggestion or report, in the language of the page they wrote from
    (emails about it are written in it). ``notify`` needs an email address."""
    return Suggestion.objects.create(
        kind=kind,
        message=message,
        contact_name=contact_name,
        contact_email=contact_email,
        notify=notify and bool(contact_email),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        service=service,
        organization=service.organization if service else None,
        ip_hash=ip_fingerprint(ip) if ip else "",
    )


def suggestions_set_status(
    suggestions: Iterable[Suggestion], *, status: str, reviewer, public_reply: str | None = None
) -> int:
    """Move reports to ``status`` (and set their public reply, when given); returns how many
    changed. Closing one (fixed or declined) starts the 90 days after which its sender's
    name and email are forgotten; reopening stops them. Each sender who asked is emailed once
    the change is committed, in the language they wrote in."""
    if status not in SuggestionStatus.values:
        raise ValueError(f"not a report status: {status}")
    ids = [suggestion.pk for suggestion in suggestions]
    now = timezone.now()
    changed = []
    with transaction.atomic():
        for suggestion in Suggestion.objects.select_for_update().filter(pk__in=ids):
            reply = suggestion.public_reply if public_reply is None else public_reply.strip()
            if (suggestion.status, suggestion.public_reply) == (status, reply):
                continue
            if suggestion.status != status:
                suggestion.closed_at = now if status in CLOSED_SUGGESTION_STATUSES else None
            suggestion.status, suggestion.public_reply = status, reply
            suggestion.reviewed_by, suggestion.reviewed_at = reviewer, now
            suggestion.save(
                update_fields=["status", "public_reply", "closed_at", "reviewed_by", "reviewed_at"]
            )
            changed.append(suggestion)
        to_tell = [s for s in changed if s.notify and s.contact_email]
        transaction.on_commit(lambda: _tell_senders(to_tell), robust=True)
    return len(changed)


def _tell_senders(suggestions: list[Suggestion]) -> None:
    for suggestion in suggestions:
        with translation.override(suggestion.language or settings.LANGUAGE_CODE):
            context = {
                "suggestion": suggestion,
                "status_url": f"{settings.SITE_URL}{suggestion.get_absolute_url()}",
            }
            subject = render_to_string("directory/email/report_status_subject.txt", context)
            body = render_to_string("directory/email/report_status.txt", context)
        send_mail(subject.strip(), body, settings.DEFAULT_FROM_EMAIL, [suggestion.contact_email])


def suggestions_forget_contacts(now: datetime.datetime | None = None) -> int:
    """Delete the name and email of every report closed more than 90 days ago."""
    return Suggestion.objects.contacts_to_forget(now or timezone.now()).update(
        contact_name="", contact_email="", notify=False
    )


def services_mark_verified(services: Iterable[Service], *, actor=None) -> int:
    """Record that an admin checked these listings with their providers today, in the
    listings and in each one's change log."""
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        checked = list(Service.objects.select_for_update().filter(pk__in=[s.pk for s in services]))
        Service.objects.filter(pk__in=[service.pk for service in checked]).update(
            assured_date=today, last_modified=now
        )
        for service in checked:
            previous, service.assured_date = service.assured_date, today
            changelog.record_verified(
                service, source=ChangeSource.ADMIN, previous=previous, actor=actor, at=now
            )
    return len(checked)


@transaction.atomic
def services_reindex(service_ids: Iterable[int]) -> int:
    return refresh_search_vectors(service_ids)
