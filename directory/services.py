"""Writes that the directory's views and admin make."""

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Service, Suggestion, SuggestionStatus
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
    service: Service | None = None,
    ip: str = "",
) -> Suggestion:
    return Suggestion.objects.create(
        kind=kind,
        message=message,
        contact_name=contact_name,
        contact_email=contact_email,
        service=service,
        organization=service.organization if service else None,
        ip_hash=ip_fingerprint(ip) if ip else "",
    )


def suggestions_review(suggestions: Iterable[Suggestion], *, status: str, reviewer) -> int:
    """Accept or reject suggestions; returns how many changed."""
    if status not in (SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED):
        raise ValueError(f"not a review outcome: {status}")
    ids = [suggestion.pk for suggestion in suggestions]
    return Suggestion.objects.filter(pk__in=ids).update(
        status=status, reviewed_by=reviewer, reviewed_at=timezone.now()
    )


def services_mark_verified(services: Iterable[Service]) -> int:
    """Record that these listings were checked with their providers today."""
    ids = [service.pk for service in services]
    return Service.objects.filter(pk__in=ids).update(
        assured_date=timezone.localdate(), last_modified=timezone.now()
    )


@transaction.atomic
def services_reindex(service_ids: Iterable[int]) -> int:
    return refresh_search_vectors(service_ids)
