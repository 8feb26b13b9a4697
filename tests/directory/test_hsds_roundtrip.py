"""Import a package into an empty directory, export it, and the two packages are equal table by
table, row by row, field by field (fixtures/hsds_compare.py says what equal means): for Open
Referral's example package and for a generated package that uses every table and field."""

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from directory import models
from directory.hsds import TABLE_FILES, package_export, package_import
from directory.hsds.validate import schema_columns

from .fixtures.hsds_all_tables import ident, write_all_tables_package
from .fixtures.hsds_compare import package_differences, read_table

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "hsds_example"

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["example", "all-tables"])
def package(request, tmp_path) -> Path:
    if request.param == "example":
        return EXAMPLE
    return write_all_tables_package(tmp_path / "all-tables")


def _export(folder: Path) -> Path:
    package_export(folder, include_confidential=True, raw=True)
    return folder


def _set_cell(folder: Path, table: str, row_id: str, column: str, value: str) -> None:
    path = folder / TABLE_FILES[table]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["id"] == row_id:
            row[column] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def test_the_package_imports_with_no_row_skipped_and_the_command_exits_0(package, capsys):
    call_command("import_hsds", str(package), "--no-progress")  # CommandError if a row skipped

    assert "0 row(s) skipped" in capsys.readouterr().out
    assert models.Service.objects.exists()


def test_import_then_export_gives_the_same_package(package, tmp_path):
    report = package_import(package)
    assert report.skipped == 0, report.lines()

    exported = _export(tmp_path / "out")

    assert package_differences(package, exported) == []


def test_importing_the_export_again_changes_nothing(package, tmp_path):
    package_import(package)
    exported = _export(tmp_path / "out")

    report = package_import(exported)

    assert report.skipped == 0, report.lines()
    assert sum(report.created.values()) == 0, report.table_counts()
    assert sum(report.updated.values()) == 0, report.table_counts()


def test_a_spreadsheet_safe_export_reimported_into_an_empty_directory_gives_it_back(
    package, tmp_path
):
    package_import(package)
    first = _export(tmp_path / "first")
    package_export(tmp_path / "escaped")  # public, formulas escaped
    models.HsdsRecord.objects.all().delete()
    models.Organization.objects.all().delete()
    models.Location.objects.all().delete()
    models.Category.objects.all().delete()

    assert package_import(tmp_path / "escaped").skipped == 0
    second = _export(tmp_path / "second")

    assert package_differences(first, second) == []


# -- the comparison itself: it must be able to fail ------------------------------------------


def test_the_comparison_reports_a_changed_field(tmp_path):
    """Positive control: the round trip's comparison sees one changed cell, and only it."""
    original = write_all_tables_package(tmp_path / "original")
    changed = shutil.copytree(original, tmp_path / "changed")
    service = ident("services", 1)
    _set_cell(changed, "services", service, "wait_time", "Two weeks")

    assert package_differences(original, changed) == [
        f"services.csv: row {service}, wait_time: 'wait time of services 1' != 'Two weeks'"
    ]


def test_the_comparison_reports_a_missing_row_and_a_changed_number(tmp_path):
    original = write_all_tables_package(tmp_path / "original")
    changed = shutil.copytree(original, tmp_path / "changed")
    _set_cell(changed, "cost_options", ident("cost_options", 0), "amount", "35.01")
    kept = list(read_table(changed, "funding").values())
    with (changed / "funding.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=schema_columns("funding"))
        writer.writeheader()
        writer.writerows(kept[1:])

    assert sorted(package_differences(original, changed)) == [
        f"cost_options.csv: row {ident('cost_options', 0)}, amount: '35' != '35.01'",
        f"funding.csv: row {ident('funding', 0)} is only in the first package",
    ]


def test_the_comparison_normalises_by_the_schemas_type_and_format_only(tmp_path):
    original = write_all_tables_package(tmp_path / "original")
    same = shutil.copytree(original, tmp_path / "same")
    _set_cell(same, "cost_options", ident("cost_options", 0), "amount", "35.0")  # number
    _set_cell(
        same, "services", ident("services", 0), "last_modified", "2024-05-01T12:00:00+02:00"
    )  # date-time: the same instant as 10:00Z
    assert package_differences(original, same) == []

    _set_cell(same, "services", ident("services", 0), "name", "  Food pantry")  # text as is
    assert len(package_differences(original, same)) == 1


# -- what the round trip relies on -----------------------------------------------------------


def test_the_generated_package_uses_every_table_and_every_field(tmp_path):
    folder = write_all_tables_package(tmp_path / "pkg")

    for table, file in TABLE_FILES.items():
        rows = list(read_table(folder, table).values())
        assert rows, file
        header = list(rows[0])
        assert header == schema_columns(table), file
        for column in header:
            assert all(row[column] != "" for row in rows) or table in (
                "taxonomy_terms", "organizations", "phones", "languages",
            ), (file, column)  # fmt: skip
            assert any(row[column] != "" for row in rows), (file, column)


def test_a_field_changed_here_is_exported_as_changed(tmp_path):
    """A kept cell gives way once the portal's value changes: the latitude of 100 the example
    gives is exported as given until someone places the location here."""
    package_import(EXAMPLE)
    models.Location.objects.update(latitude="40.500000", longitude="-83.000000")

    exported = _export(tmp_path / "out")

    location = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert package_differences(EXAMPLE, exported) == [
        f"locations.csv: row {location}, latitude: '100' != '40.500000'",
        f"locations.csv: row {location}, longitude: '101' != '-83.000000'",
    ]


def test_kept_rows_go_with_their_service(tmp_path):
    package_import(write_all_tables_package(tmp_path / "pkg"))
    service = models.Service.objects.get(hsds_id=ident("services", 0))
    kept = models.HsdsRecord.objects.filter(service=service)
    assert set(kept.values_list("table", flat=True)) >= {
        "cost_options", "required_documents", "service_areas", "funding", "contacts", "metadata",
    }  # fmt: skip

    service.delete()

    assert not kept.exists()


def test_the_change_log_coming_back_in_an_export_is_not_kept_twice(tmp_path):
    """metadata.csv holds this site's own change log beside another system's metadata: the
    first is already here when an export of this site is imported again."""
    source = write_all_tables_package(tmp_path / "pkg")
    package_import(source)
    _set_cell(source, "services", ident("services", 0), "name", "Renamed pantry")
    package_import(source)  # an update: the change log gets a row
    assert models.Metadata.objects.count() == 1
    first = _export(tmp_path / "first")

    report = package_import(first)
    second = _export(tmp_path / "second")

    assert report.created["metadata"] == 0
    assert len(read_table(second, "metadata")) == 3  # the package's two, and the change
    assert package_differences(first, second) == []
