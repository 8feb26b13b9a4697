"""Each row checked against its table's HSDS 3.0 JSON schema (``schema/*.json``): the type,
the allowed values and the format of every cell, once the CSV text is read as the schema's type.

A failure names the column and quotes the cell ("minimum_age 'twelve' is not a number"); the
importer reports it with the file and the line and skips the row. What the schemas say:

- ``"type": "number"``: a JSON number (``35``, ``-1.5``, ``2e3``), and a finite one;
- ``"enum"``: one of the listed values (read without regard to case, as the portal always
  has: ``Active`` is ``active``);
- ``"format"``: ``email`` (Django's email check), ``uri`` (a scheme, a colon and no spaces:
  RFC 3986's shape; ``mailto:`` and ``tel:`` are URIs too) and ``date-time`` (RFC 3339: a date,
  ``T`` or a space, a time, an optional offset). ``uuid`` is not checked: ids and the
  references to them are matched as given, and many systems (and this portal's own exports of
  rows made before it had ids) use ids that are not UUIDs; refusing them would lose valid data.
- An empty cell is no value, which every column may have here: the JSON schema's ``required``
  cannot tell an empty cell from an empty string, and what the portal cannot do without (a
  service's name) is checked where the row is turned into a model.

The checks are compiled once per table from the schema files rather than run through the
``jsonschema`` package row by row: that costs about 70 microseconds a row (measured), over a
minute for a package of 200,000 services and their rows, where these take a few.
``tests/directory/test_hsds_validate.py`` holds them against ``jsonschema`` itself.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# The schema file of each table of a package.
SCHEMA_FILES: dict[str, str] = {
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
    "attributes": "attribute.json",
    "organizations": "organization.json",
    "services": "service.json",
    "locations": "location.json",
    "addresses": "address.json",
    "accessibility": "accessibility.json",
    "service_at_location": "service_at_location.json",
    "phones": "phone.json",
    "schedules": "schedule.json",
    "languages": "language.json",
    "contacts": "contact.json",
    "programs": "program.json",
    "funding": "funding.json",
    "cost_options": "cost_option.json",
    "service_areas": "service_area.json",
    "required_documents": "required_document.json",
    "organization_identifiers": "organization_identifier.json",
    "meta_table_descriptions": "meta_table_description.json",
    "metadata": "metadata.json",
}

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)

# A check takes the (stripped, non-empty) cell and returns what is wrong with it, or None.
Check = Callable[[str], str | None]


def _shown(value: str, length: int = 60) -> str:
    return repr(value if len(value) <= length else f"{value[:length]}...")


def _number(value: str) -> str | None:
    if _NUMBER.match(value) and math.isfinite(float(value)):
        return None
    return "is not a number"


def _email(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return "is not an email address"
    return None


def _uri(value: str) -> str | None:
    return None if _URI.match(value) else "is not a URI"


def _date_time(value: str) -> str | None:
    if _DATE_TIME.match(value):
        try:
            datetime.datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            pass
        else:
            return None
    return "is not a date and time (YYYY-MM-DDTHH:MM:SS, with its offset)"


def _enum(allowed: list[str]) -> Check:
    lowered = {str(value).lower() for value in allowed}
    message = f"is not one of {', '.join(str(value) for value in allowed)}"
    return lambda value: None if value.lower() in lowered else message


_FORMATS: dict[str, Check] = {"email": _email, "uri": _uri, "date-time": _date_time}


@functools.cache
def schema_properties(table: str) -> dict[str, dict]:
    """The properties of a table's schema that are columns of its CSV file (not the nested
    arrays and objects of the JSON form), in the schema's order."""
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[table]).read_text(encoding="utf-8"))
    return {
        name: spec
        for name, spec in schema.get("properties", {}).items()
        if spec.get("type") in ("string", "number", "integer", "boolean")
    }


def schema_columns(table: str) -> list[str]:
    """The columns of a table's CSV file as its schema lists them."""
    return list(schema_properties(table))


@functools.cache
def column_checks(table: str) -> tuple[tuple[str, tuple[Check, ...]], ...]:
    """(column, its checks) for every column of the table that has something to check."""
    checks = []
    for name, spec in schema_properties(table).items():
        found: list[Check] = []
        if spec.get("type") in ("number", "integer"):
            found.append(_number)
        if spec.get("enum"):
            found.append(_enum(spec["enum"]))
        if spec.get("format") in _FORMATS:
            found.append(_FORMATS[spec["format"]])
        if found:
            checks.append((name, tuple(found)))
    return tuple(checks)


def row_error(table: str, values: dict[str, str]) -> str | None:
    """What is wrong with a row by its schema ("minimum_age 'twelve' is not a number"), naming
    the first cell that fails, or None for a valid row. ``values`` are the row's cells by
    column, as read."""
    for column, checks in column_checks(table):
        value = values.get(column)
        if not value:
            continue
        value = value.strip()
        if not value:
            continue
        for check in checks:
            problem = check(value)
            if problem:
                return f"{column} {_shown(value)} {problem}"
    return None
