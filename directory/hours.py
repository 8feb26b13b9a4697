"""Opening hours: when a schedule is open, in Python for one listing and in SQL for a search.

A schedule row (HSDS ``schedule`` with freq WEEKLY) gives weekdays, an opening and a closing
time and an optional validity period. ``closes_at`` at or before ``opens_at`` means the
hours pass midnight into the next day (19:00-07:00); ``opens_at == closes_at`` (00:00-00:00)
means the whole day. Hours are always read in the listing's own local time.

Both the models (a schedule's ``is_open_at``, ``Service.objects.open_at``) and the search
(the "open now" filter) use this module; it imports no model, so neither depends on the other.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = date.weekday()
DAY_LABELS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class WeeklyHours(Protocol):
    """What this module reads of a schedule row."""

    byday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None


@dataclass(frozen=True)
class Hours:
    """Weekly hours as read from elsewhere than a schedule row (a search's result card)."""

    byday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


def validate_byday(value: str) -> None:
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in WEEKDAY_CODES]
    if unknown:
        raise ValidationError(
            _("Use two-letter weekday codes separated by commas (MO,TU,...), not %(codes)s."),
            params={"codes": ", ".join(unknown)},
        )


def days_of(byday: str) -> list[str]:
    """The weekday codes of ``byday``; no days given means every day."""
    days = [code.strip().upper() for code in byday.split(",") if code.strip()]
    return days or list(WEEKDAY_CODES)


def is_open_at(hours: WeeklyHours, local: datetime.datetime) -> bool:
    """Whether these hours cover the local wall-clock time ``local``. The search's twin of
    this rule is ``daily_periods()`` below; tests hold the two to the same answers."""
    if hours.opens_at is None or hours.closes_at is None:
        return False
    day = local.date()
    if (hours.valid_from and day < hours.valid_from) or (hours.valid_to and day > hours.valid_to):
        return False
    today = WEEKDAY_CODES[local.weekday()]
    yesterday = WEEKDAY_CODES[(local.weekday() - 1) % 7]
    now = local.time().replace(tzinfo=None)
    days = days_of(hours.byday)
    if hours.closes_at > hours.opens_at:
        return today in days and hours.opens_at <= now < hours.closes_at
    # Whole day or overnight: from opens_at on a listed day, or until closes_at on the
    # morning after one.
    return (today in days and now >= hours.opens_at) or (
        yesterday in days and now < hours.closes_at
    )


DAY_SECONDS = 24 * 60 * 60


def daily_periods(
    byday: str, opens_at: datetime.time | None, closes_at: datetime.time | None
) -> list[tuple[int, int, int]]:
    """The hours of a schedule row as ``(weekday, opens, closes)``: the weekday as
    ``date.weekday()`` (Monday is 0), and the seconds since midnight at which it opens and
    closes, the closing second excluded (the whole day is 0 to 86,400). Hours that pass
    midnight are two periods, one on each day; periods of a day that touch are one.
    A wall-clock time is inside a period exactly when ``is_open_at`` says the hours are
    open then (validity dates aside): tests hold the two to the same answers."""
    if opens_at is None or closes_at is None:
        return []
    opens, closes = _seconds(opens_at), _seconds(closes_at)
    spans = []
    for code in days_of(byday):
        day = WEEKDAY_CODES.index(code)
        if closes > opens:
            spans.append((day, opens, closes))
        else:  # whole day, or past midnight into the next
            spans.append((day, opens, DAY_SECONDS))
            if closes:
                spans.append(((day + 1) % 7, 0, closes))
    merged: list[tuple[int, int, int]] = []
    for day, start, end in sorted(spans):
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            merged[-1] = (day, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((day, start, end))
    return merged


def _seconds(time: datetime.time) -> int:
    return time.hour * 3600 + time.minute * 60 + time.second


def open_services(periods: QuerySet, at: datetime.datetime, time_zones: Iterable[str]) -> Q:
    """A condition on services: open at the instant ``at``, each read in its own time zone
    (``Service.time_zone``, one of ``time_zones``; "" is DIRECTORY_TIME_ZONE), so a
    directory that spans zones asks each zone for its own local time. ``periods`` is every
    open period (``OpenPeriod.objects.all()``).

    One EXISTS, answered for each candidate by its periods of the day (the index on
    service and weekday). On Postgres the search asks it only of the services open for
    part of the hour (see ``search/conditions.open_at``)."""
    covering = Q(pk__in=[])
    for zone, local in local_times(at, time_zones).items():
        second = _seconds(local.time())
        day = local.date()
        covering |= (
            Q(In(OuterRef("time_zone"), [zone]))
            & Q(weekday=local.weekday(), opens__lte=second, closes__gt=second)
            & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )
    return Q(Exists(periods.filter(covering, service=OuterRef("pk"))))


def local_times(at: datetime.datetime, time_zones: Iterable[str]) -> dict[str, datetime.datetime]:
    """The instant ``at`` as each of these ``Service.time_zone`` values reads it ("" is
    DIRECTORY_TIME_ZONE, always included)."""
    zones = (set(time_zones) - {""}) | {settings.DIRECTORY_TIME_ZONE}
    local = {zone: at.astimezone(zoneinfo.ZoneInfo(zone)) for zone in sorted(zones)}
    local[""] = local[settings.DIRECTORY_TIME_ZONE]
    return local


def hour_of_week(local: datetime.datetime) -> int:
    """0 is Monday 00:00-01:00, 167 Sunday 23:00-24:00 (of a local wall-clock time)."""
    return local.weekday() * 24 + local.hour


# -- what a listing page shows ------------------------------------------------------------


@dataclass
class TimeRange:
    opens_at: datetime.time
    closes_at: datetime.time
    all_day: bool = False
    overnight: bool = False


@dataclass
class DayHours:
    code: str
    label: str
    ranges: list[TimeRange]


def weekly_hours(schedules: Iterable[WeeklyHours]) -> list[DayHours]:
    """Monday to Sunday with the opening hours of each day (empty when none are given)."""
    days = [
        DayHours(code, label, []) for code, label in zip(WEEKDAY_CODES, DAY_LABELS, strict=True)
    ]
    for schedule in schedules:
        if schedule.opens_at is None or schedule.closes_at is None:
            continue
        for day in days:
            if day.code in days_of(schedule.byday):
                day.ranges.append(
                    TimeRange(
                        schedule.opens_at,
                        schedule.closes_at,
                        all_day=schedule.opens_at == schedule.closes_at == datetime.time(0),
                        overnight=schedule.closes_at < schedule.opens_at,
                    )
                )
    for day in days:
        day.ranges.sort(key=lambda item: item.opens_at)
    if not any(day.ranges for day in days):
        return []
    return days


@dataclass(frozen=True)
class OpenState:
    """Whether a listing is open at a local time, and when that next changes.

    ``code`` is "open", "closed", "temporarily_closed" or "unknown" (no hours given);
    ``changes_at`` is the local wall-clock time at which it closes (when open) or opens
    (when closed), or None when that is more than a week away or not known."""

    code: str
    changes_at: datetime.datetime | None = None
    changes_today: bool = True

    @property
    def hour(self) -> int:
        """The hour it changes on a 12-hour clock (1 to 12): Spanish says "a la 1", "a las 2"."""
        return (self.changes_at.hour % 12 or 12) if self.changes_at else 0


def open_state(
    schedules: Iterable[WeeklyHours], local: datetime.datetime, *, temporarily_closed: bool
) -> OpenState:
    """The state of a listing with these hours at the local time ``local``. Open or closed
    is ``is_open_at``'s answer (the rule the "open now" search uses); the time it changes
    comes from the week of opening periods around ``local``."""
    if temporarily_closed:
        return OpenState("temporarily_closed")
    timed = [s for s in schedules if s.opens_at is not None and s.closes_at is not None]
    if not timed:
        return OpenState("unknown")
    wall = local.replace(tzinfo=None)
    is_open = any(is_open_at(schedule, local) for schedule in timed)
    for start, end in _periods(timed, wall.date()):
        if is_open and start <= wall < end:
            if end - wall >= WEEK:  # open all week (a 24/7 line)
                break
            return OpenState("open", end, end.date() == wall.date())
        if not is_open and start > wall:
            return OpenState("closed", start, start.date() == wall.date())
    return OpenState("open" if is_open else "closed")


WEEK = datetime.timedelta(days=7)


def _periods(
    schedules: list[WeeklyHours], today: datetime.date
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The opening periods (local wall-clock start and end) that begin between yesterday and
    a week from today, overlapping or touching ones merged: "9-12" and "12-17" are open
    until 17, and a 24/7 line is one period that never closes within the week."""
    periods = []
    weekdays = [(hours, days_of(hours.byday)) for hours in schedules]
    for offset in range(-1, 8):
        day = today + datetime.timedelta(days=offset)
        for hours, days in weekdays:
            if WEEKDAY_CODES[day.weekday()] not in days:
                continue
            if (hours.valid_from and day < hours.valid_from) or (
                hours.valid_to and day > hours.valid_to
            ):
                continue
            start = datetime.datetime.combine(day, hours.opens_at)
            end = datetime.datetime.combine(day, hours.closes_at)
            if end <= start:  # past midnight, or the whole day
                end += datetime.timedelta(days=1)
            periods.append((start, end))
    merged: list[tuple[datetime.datetime, datetime.datetime]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
