"""A listing's change log (``Metadata``, HSDS 3.0's metadata table): writing it and reading
the short, plain history a listing's public page shows.

Every admin edit, import update and provider confirmation writes one row per field changed,
through ``record`` (or ``record_verified`` for "checked, still right"). A row names its
resource by HSDS id (the portal's own id when the row has none) and type (service, phone,
schedule, ...), and the service it belongs to, so that a listing's history is one indexed
query. Who made it is a role (ChangeSource); the account is kept for admins only.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import ChangeAction, ChangeSource, Metadata, Service
from .rows import JSONRows, read_datetime

HISTORY_LINES = 5


@dataclass(frozen=True)
class Change:
    field_name: str
    previous: object
    new: object


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def snapshot(obj: models.Model, field_names: Iterable[str]) -> dict[str, object]:
    """The values of ``field_names`` on ``obj``, to compare with after a change."""
    return {name: getattr(obj, name) for name in field_names}


def changes_between(before: dict[str, object], after: dict[str, object]) -> list[Change]:
    """The fields whose value differs, in the order of ``after``."""
    return [
        Change(name, before.get(name), value)
        for name, value in after.items()
        if _text(before.get(name)) != _text(value)
    ]


def entries(
    *,
    service_id: int | None,
    resource: models.Model,
    changes: Iterable[Change],
    source: str,
    action: str = ChangeAction.UPDATE,
    actor=None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> list[Metadata]:
    """Unsaved change-log rows, one per change of ``resource`` (for a bulk insert)."""
    at = at or timezone.now()
    resource_id = getattr(resource, "hsds_id", "") or str(resource.pk)
    return [
        Metadata(
            resource_id=resource_id,
            resource_type=resource._meta.model_name,
            service_id=service_id,
            last_action_date=at,
            last_action_type=action,
            field_name=change.field_name,
            previous_value=_text(change.previous),
            replacement_value=_text(change.new),
            updated_by=source,
            actor=actor,
            reason=reason[:300],
        )
        for change in changes
    ]


def record(
    *,
    service: Service | None,
    resource: models.Model,
    changes: Iterable[Change],
    source: str,
    action: str = ChangeAction.UPDATE,
    actor=None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> list[Metadata]:
    """Write one change-log row per change of ``resource`` (a service or one of its rows)."""
    rows = entries(
        service_id=service.pk if service else None,
        resource=resource,
        changes=changes,
        source=source,
        action=action,
        actor=actor,
        reason=reason,
        at=at,
    )
    return Metadata.objects.bulk_create(rows)


def record_verified(
    service: Service,
    *,
    source: str,
    previous: datetime.date | None,
    actor=None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> list[Metadata]:
    """A listing was checked and found right: its verified date moved from ``previous``."""
    return record(
        service=service,
        resource=service,
        changes=[Change("assured_date", previous, service.assured_date)],
        source=source,
        action=ChangeAction.VERIFY,
        actor=actor,
        reason=reason,
        at=at,
    )


# The public page's history -----------------------------------------------------------------

# What a change is about, in plain words, by resource type and field.
_TOPICS = {
    "schedule": _("Hours"),
    "phone": _("Phone"),
    "location": _("Address"),
    "address": _("Address"),
    "serviceatlocation": _("Address"),
}
_SERVICE_TOPICS = {
    "name": _("Name"),
    "status": _("Status"),
    "email": _("Contact details"),
    "url": _("Contact details"),
    "eligibility_description": _("Who can get it"),
    "fees_description": _("Cost"),
    "application_process": _("How to apply"),
}


@dataclass(frozen=True)
class HistoryLine:
    topic: str
    action: str  # ChangeAction
    by_provider: bool
    on: datetime.date

    @property
    def is_check(self) -> bool:
        return self.action == ChangeAction.VERIFY

    @property
    def when(self) -> str:
        """The day as a history line says it: "today" (local date), else "on 3 October 2026"."""
        if self.on == timezone.localdate():
            return str(_("today"))
        return str(_("on %(date)s") % {"date": date_format(self.on, "DATE_FORMAT")})


def _topic(entry: Metadata) -> str:
    if entry.last_action_type == ChangeAction.VERIFY:
        return ""
    if entry.resource_type == "service":
        return str(_SERVICE_TOPICS.get(entry.field_name, _("Description")))
    return str(_TOPICS.get(entry.resource_type, _("Details")))


def history(service: Service, limit: int = HISTORY_LINES) -> list[HistoryLine]:
    """The listing's latest changes as short lines ("Hours changed 3 Oct"), newest first:
    one line per day and topic, at most ``limit``, read in one query. Who made a change is
    said only when it was the provider."""
    return history_lines(latest_entries(service, limit), limit)


# What a history line is made from (also read as JSON rows by the listing page).
HISTORY_FIELDS = (
    "resource_type",
    "field_name",
    "last_action_type",
    "last_action_date",
    "updated_by",
)


def latest_entries(service, limit: int = HISTORY_LINES) -> models.QuerySet:
    """The change log rows ``history`` reads (``service``: a service, or ``OuterRef`` to
    one), newest first: enough for ``limit`` lines, even when a change touched many fields."""
    return (
        Metadata.objects.filter(service=service)
        .only(*HISTORY_FIELDS)
        .order_by("-last_action_date", "-pk")[: limit * 20]
    )


def history_rows(service) -> JSONRows:
    """``latest_entries`` of a service (``OuterRef`` to it) as JSON rows, for reading them in
    the service's own query; ``history_of_rows`` makes the lines."""
    return JSONRows(latest_entries(service), pk="pk", **{name: name for name in HISTORY_FIELDS})


def history_of_rows(rows: list[dict], limit: int = HISTORY_LINES) -> list[HistoryLine]:
    """``history`` from the rows of ``history_rows``."""
    entries = [
        Metadata(**{**row, "last_action_date": read_datetime(row["last_action_date"])})
        for row in rows
    ]
    entries.sort(key=lambda entry: (entry.last_action_date, entry.pk), reverse=True)
    return history_lines(entries, limit)


def history_lines(entries: Iterable[Metadata], limit: int) -> list[HistoryLine]:
    """Newest first, one line per day and topic, at most ``limit``."""
    lines: list[HistoryLine] = []
    seen = set()
    for entry in entries:
        line = HistoryLine(
            topic=_topic(entry),
            action=entry.last_action_type,
            by_provider=entry.updated_by == ChangeSource.PROVIDER,
            on=timezone.localdate(entry.last_action_date),
        )
        if line not in seen:
            seen.add(line)
            lines.append(line)
        if len(lines) == limit:
            break
    return lines
