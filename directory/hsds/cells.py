"""What the cells of a package mean: one checker per kind of value, and the attribute link types.

Each checker takes a row and a column and returns the clean value (None or "" when the cell
is empty), or raises :class:`RowError` with the reason the person importing will read, naming
the column and quoting (the start of) the cell. No other exception leaves a checker.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from directory.models import OrganizationKind, validate_byday

from .reader import Row

# Attributes that carry what HSDS 3.0 has no column for (written by export, read by import).
KIND_LINK_TYPE = "organization_kind"
CONFIDENTIAL_LINK_TYPE = "confidential_location"
PARTNER_CITY_LINK_TYPE = "partner_city"
CATEGORY_LINK_TYPE = "service_category"
# Link types of an organization's attribute that can name its kind (older files say less).
KIND_LINK_TYPES = (KIND_LINK_TYPE, "kind", "type", "")

# Words in a legal status, an attribute value or a term naming the kind of organization, most
# specific first: "Religious nonprofit" is faith-based, "Public school district" is education.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("faith", ("faith", "religio", "church", "congregation", "mosque", "synagogue", "temple")),
    ("education", ("school", "education", "college", "university", "academ")),
    ("government", ("government", "public agency", "municipal", "county", "federal", "state ")),
    (
        "nonprofit",
        ("nonprofit", "non-profit", "not-for-profit", "not for profit", "501(c)", "charit"),
    ),
    ("service", ("service club", "service organization", "civic club", "rotary", "lions")),
)

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$")
_URL = URLValidator()


class RowError(Exception):
    """This row cannot be imported; the message is the reason shown to the person importing."""


def shown(value: str, length: int = 60) -> str:
    """A cell as a reason quotes it: in quotes, and cut short when it is long."""
    return repr(value if len(value) <= length else f"{value[:length]}...")


def kind_from_text(text: str) -> str | None:
    """The organization kind a piece of text names, or None."""
    lowered = f" {text.strip().lower()} "
    if lowered.strip() in OrganizationKind.values:
        return lowered.strip()
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return None


def attribute_target(row: Row) -> tuple[str, str]:
    """(entity, link type) of an attribute; older files put the entity in link_type."""
    entity = row.get("link_entity").lower()
    link_type = row.get("link_type").lower()
    if not entity and link_type in ("organization", "service", "location"):
        entity, link_type = link_type, ""
    return entity, link_type


def required(row: Row, column: str) -> str:
    value = row.get(column)
    if not value:
        raise RowError(f"empty required field: {column}")
    return value


def integer(row: Row, column: str, low: int, high: int) -> int | None:
    value = row.get(column)
    if not value:
        return None
    try:
        number = int(float(value)) if "." in value else int(value)
    except (ValueError, OverflowError):  # "1.0e999" is a float, but infinite
        raise RowError(f"{column} {shown(value)} is not a whole number") from None
    if not low <= number <= high:
        raise RowError(f"{column} {number} is outside {low}..{high}")
    return number


def decimal(row: Row, column: str, limit: int) -> Decimal | None:
    value = row.get(column)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{column} {shown(value)} is not a number") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise RowError(f"{column} {shown(value)[1:-1]} is outside -{limit}..{limit}")
    return number.quantize(Decimal("0.000001"))


def date(row: Row, column: str) -> datetime.date | None:
    value = row.get(column)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(f"{column} {shown(value)} is not a date (YYYY-MM-DD)") from None


def time(row: Row, column: str) -> datetime.time | None:
    """HH:MM[:SS], with an optional UTC offset that is dropped: hours are read in the city's
    own time zone."""
    value = row.get(column)
    if not value:
        return None
    match = _TIME.match(value)
    hour, minute, second = (int(part or 0) for part in match.groups()) if match else (99, 0, 0)
    if hour == 24 and minute == 0 and second == 0:
        return datetime.time(0, 0)  # "until 24:00" is midnight
    if hour > 23 or minute > 59 or second > 59:
        raise RowError(f"{column} {shown(value)} is not a time of day (HH:MM)")
    return datetime.time(hour, minute, second)


def weekdays(row: Row, column: str) -> list[str]:
    """Weekday codes (MO,TU,...), upper-cased; the model's own validator decides what is one."""
    value = row.get(column)
    try:
        validate_byday(value)
    except ValidationError:
        raise RowError(
            f"{column} {shown(value)} is not a list of weekday codes (MO,TU,...)"
        ) from None
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def url(row: Row, column: str) -> str:
    return _validated(row, column, _URL, "a web address")


def email(row: Row, column: str) -> str:
    return _validated(row, column, validate_email, "an email address")


def _validated(row: Row, column: str, validate, what: str) -> str:
    value = row.get(column)
    if value:
        try:
            validate(value)
        except ValidationError:
            raise RowError(f"{column} {shown(value)} is not {what}") from None
    return value


def truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "t")


@functools.cache
def _max_lengths(model: type) -> dict[str, int]:
    return {
        field.attname: field.max_length
        for field in model._meta.concrete_fields
        if getattr(field, "max_length", None)
    }


def length_error(model: type, fields: dict) -> str | None:
    """The reason a row's text does not fit its model's columns, or None when it fits."""
    limits = _max_lengths(model)
    for name, value in fields.items():
        if isinstance(value, str) and name in limits and len(value) > limits[name]:
            return f"{name} is longer than {limits[name]} characters"
    return None
