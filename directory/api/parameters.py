"""The API's query parameters, each read and checked here: a value the API cannot use is a
:class:`BadParameter` (answered 400 with the reason), never a server error. Parameters the
API does not know are ignored, as web APIs usually do."""

import datetime
import re
from dataclasses import dataclass
from enum import Enum

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from directory.search import MAX_QUERY_LENGTH, clean_query

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100  # a larger per_page is served as this many
MAX_PAGE = 1_000_000_000
MAX_PROXIMITY_METERS = 100_000
METERS_PER_MILE = 1609.344

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off", "")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")
_METERS = re.compile(r"[0-9]{1,9}(\.[0-9]{1,6})?")
_ZIP_CODE = re.compile(r"[0-9]{5}(-[0-9]{4})?")


class BadParameter(ValueError):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.name = name
        self.detail = detail


class Shape(Enum):
    """How much of each object a list gives."""

    MINIMAL = "minimal"  # a service's id and last_modified
    FLAT = "flat"  # the object's own fields and its one-to-one parents
    FULL = "full"  # everything nested (full=true)


@dataclass(frozen=True)
class Paging:
    number: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def paging(query: QueryDict) -> Paging:
    number = _whole_number(query, "page", default=1, highest=MAX_PAGE)
    per_page = _whole_number(query, "per_page", default=DEFAULT_PER_PAGE, highest=None)
    return Paging(number, min(per_page, MAX_PER_PAGE))


def _whole_number(query: QueryDict, name: str, *, default: int, highest: int | None) -> int:
    text = query.get(name, "").strip()
    if not text:
        return default
    if not _WHOLE_NUMBER.fullmatch(text) or int(text) < 1 or (highest and int(text) > highest):
        upper = f" to {highest}" if highest else " or more"
        raise BadParameter(name, f"{name} must be a whole number from 1{upper}.")
    return int(text)


def flag(query: QueryDict, name: str) -> bool:
    text = query.get(name, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadParameter(name, f"{name} must be true or false.")


def shape(query: QueryDict, *, minimal_allowed: bool = False) -> Shape:
    full = flag(query, "full")
    minimal = minimal_allowed and flag(query, "minimal")
    if full and minimal:
        raise BadParameter("minimal", "Ask for full or for minimal, not both.")
    if full:
        return Shape.FULL
    return Shape.MINIMAL if minimal else Shape.FLAT


def streams(query: QueryDict) -> bool:
    """Whether ``format=ndjson`` asks for every result as one JSON object a line."""
    text = query.get("format", "").strip().lower()
    if text not in ("", "json", "ndjson"):
        raise BadParameter("format", "format must be json or ndjson.")
    return text == "ndjson"


def search_words(query: QueryDict) -> str:
    text = query.get("search", "")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadParameter("search", f"search must be at most {MAX_QUERY_LENGTH} characters.")
    return clean_query(text)


def modified_after(query: QueryDict) -> datetime.datetime | None:
    """The instant of ``modified_after``: an ISO 8601 date and time (a "+" in its offset
    written %2B, as a "+" in a query string means a space), or a date (its midnight here)."""
    text = query.get("modified_after", "").strip()
    if not text:
        return None
    try:
        instant = parse_datetime(text) if len(text) <= 40 else None
        if instant is None and (day := parse_date(text) if len(text) <= 10 else None):
            instant = datetime.datetime.combine(day, datetime.time())
        if instant is not None:
            if timezone.is_naive(instant):
                instant = timezone.make_aware(instant)
            # In UTC, as the database compares it: the year 1 or 9999 may not fit.
            return instant.astimezone(datetime.UTC)
    except (ValueError, OverflowError):  # well formed, but not a date: 2025-02-30
        pass
    raise BadParameter(
        "modified_after",
        "modified_after must be an ISO 8601 date or date and time, such as "
        "2025-01-31 or 2025-01-31T09:00:00Z (write a + in the offset as %2B).",
    )


def identifier(query: QueryDict, name: str) -> str | None:
    """An HSDS id given as a filter (None when not given)."""
    text = query.get(name, "").strip()
    return text or None


def postcode(query: QueryDict) -> str:
    text = query.get("postcode", "").strip()
    if text and not _ZIP_CODE.fullmatch(text):
        raise BadParameter("postcode", "postcode must be a U.S. ZIP code such as 78201.")
    return text[:5]


def proximity_miles(query: QueryDict) -> float | None:
    """``proximity``, in meters as HSDS has it, as miles (the portal's distances)."""
    text = query.get("proximity", "").strip()
    if not text:
        return None
    if not _METERS.fullmatch(text) or not 0 < float(text) <= MAX_PROXIMITY_METERS:
        raise BadParameter(
            "proximity",
            f"proximity must be a distance in meters, more than 0 and at most "
            f"{MAX_PROXIMITY_METERS}.",
        )
    return float(text) / METERS_PER_MILE
