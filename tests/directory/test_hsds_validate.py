"""The row checks of directory/hsds/validate.py, held against the jsonschema package reading the
same schema files: the generated all-tables package is valid to both, and each bad cell below
is refused by both (jsonschema's own format checks cover email and uuid only here, so the
URI and date-time cells are checked against their RFC shapes instead)."""

import json
from pathlib import Path

import jsonschema
import pytest

from directory.hsds.validate import SCHEMA_DIR, SCHEMA_FILES, row_error, schema_properties

from .fixtures.hsds_all_tables import all_tables_rows


def _json_row(table: str, row: dict[str, str]) -> dict:
    """A CSV row as the JSON object the schema describes: numbers read as numbers, empty
    cells left out."""
    properties = schema_properties(table)
    found = {}
    for column, value in row.items():
        if value == "":
            continue
        if properties[column].get("type") == "number":
            try:
                found[column] = float(value)
            except ValueError:
                found[column] = value  # left as text: jsonschema says it is not a number
        else:
            found[column] = value
    return found


def _validator(table: str):
    schema = json.loads(Path(SCHEMA_DIR / SCHEMA_FILES[table]).read_text(encoding="utf-8"))
    flat = {"type": "object", "properties": schema_properties(table)}
    cls = jsonschema.validators.validator_for(schema)
    return cls(flat, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("table", sorted(SCHEMA_FILES))
def test_every_generated_row_is_valid_to_jsonschema_and_to_the_import(table):
    validator = _validator(table)
    for row in all_tables_rows()[table]:
        assert list(validator.iter_errors(_json_row(table, row))) == [], row
        assert row_error(table, row) is None, row


BAD_CELLS = [
    ("services", "minimum_age", "twelve", "minimum_age 'twelve' is not a number"),
    ("cost_options", "amount", "35 dollars", "amount '35 dollars' is not a number"),
    ("phones", "extension", "x12", "extension 'x12' is not a number"),
    ("services", "status", "open", "status 'open' is not one of active, inactive, defunct"),
    ("locations", "location_type", "building", "location_type 'building' is not one of"),
    ("addresses", "address_type", "home", "address_type 'home' is not one of"),
    ("schedules", "freq", "DAILY", "freq 'DAILY' is not one of WEEKLY, MONTHLY"),
    ("organizations", "email", "nobody", "email 'nobody' is not an email address"),
]


@pytest.mark.parametrize(("table", "column", "value", "message"), BAD_CELLS)
def test_a_bad_cell_is_refused_by_both_with_its_field_named(table, column, value, message):
    row = {**all_tables_rows()[table][0], column: value}

    assert list(_validator(table).iter_errors(_json_row(table, row)))
    assert row_error(table, row).startswith(message)


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("services", "url", "not a web address", "url 'not a web address' is not a URI"),
        ("services", "last_modified", "yesterday", "last_modified 'yesterday' is not a date"),
        ("services", "last_modified", "2024-02-30T10:00:00Z", "last_modified '2024-02-30T1"),
    ],
)
def test_uris_and_dates_and_times_have_their_rfc_shape(table, column, value, message):
    row = {**all_tables_rows()[table][0], column: value}

    assert row_error(table, row).startswith(message)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("services", "url", "mailto:help@example.org"),
        ("services", "last_modified", "2024-05-01 10:00:00"),
        ("cost_options", "amount", "-1.5e2"),
        ("services", "status", "Active"),  # read without regard to case
        ("services", "id", "s-1"),  # ids need not be UUIDs
    ],
)
def test_valid_cells_pass(table, column, value):
    assert row_error(table, {**all_tables_rows()[table][0], column: value}) is None
