"""import_hsds: the example package, every kind of bad row, idempotence, unreadable packages."""

import csv
import datetime
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from directory import models
from directory.hsds import TABLE_FILES, PackageError, package_export, package_import
from directory.search import compact_after_full_refresh, index

from .conftest import postgres_only
from .fixtures.hsds_package import GOOD_PACKAGE, canonical_dump, write_package

# Open Referral's HSDS 3.0 example package, copied unchanged (see its README.md).
EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "hsds_example"

pytestmark = pytest.mark.django_db


def test_the_open_referral_example_package_imports_every_row(capsys):
    call_command("import_hsds", str(EXAMPLE), "--no-progress")  # exits 0: nothing skipped

    out = capsys.readouterr().out
    assert "0 row(s) skipped" in out
    organization = models.Organization.objects.get()
    assert organization.hsds_id == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    assert organization.name == "Example Organization Inc."
    service = models.Service.objects.get()
    assert service.name == "Community Counselling"
    assert service.organization == organization
    assert service.assured_date == datetime.date(2005, 1, 1)
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert models.Category.objects.count() == 1
    # The location at latitude 100 is valid HSDS (the schema sets no bounds): it is kept, and
    # so is its latitude, for the export, but no map or distance uses it.
    location = models.Location.objects.get()
    assert (location.latitude, location.longitude, location.position_latitude) == (
        None, None, None,
    )  # fmt: skip
    assert location.hsds_extra["locations"]["latitude"] == ["100", ""]
    assert location.address_1 == "1-30 Main Street"
    assert service.service_at_locations.get().location == location
    assert service.phones.get().language_links.get().language.code == "ur"
    assert models.Schedule.objects.get().service == service
    # References to rows that are not in the package are kept as given, with a warning.
    assert (
        "locations.csv, line 2: latitude 100 is outside -90..90: kept as given, not used for "
        "maps or distances"
    ) in out
    for warned in (
        "organizations.csv, line 2: parent_organization_id cd09a387",
        "locations.csv, line 2: organization_id 985e4a42",
        "contacts.csv, line 2: organization_id ae67a707",
        "attributes.csv, line 2: link_id f28dd44b",
        "taxonomy_terms.csv, line 2: parent_id 0bc248fa",
        "taxonomy_terms.csv, line 2: taxonomy_id 07ff6aee",
        "metadata.csv, line 2: resource_id 38960354",
    ):
        assert warned in out
    # The tables the portal does not model are kept, one row each.
    assert sorted(models.HsdsRecord.objects.values_list("table", flat=True)) == [
        "attributes", "contacts", "cost_options", "funding", "meta_table_descriptions",
        "metadata", "organization_identifiers", "programs", "required_documents",
        "service_areas", "taxonomies",
    ]  # fmt: skip


def test_a_good_package_imports_every_table(tmp_path):
    report = package_import(write_package(tmp_path / "pkg"))

    assert report.ok, report.lines()
    assert models.Organization.objects.count() == 4
    assert models.Service.objects.count() == 4
    kinds = dict(models.Organization.objects.values_list("hsds_id", "kind"))
    assert kinds == {"o-1": "nonprofit", "o-2": "faith", "o-3": "government", "o-4": "unknown"}
    pantry = models.Service.objects.get(hsds_id="s-1")
    assert pantry.slug == "eastside-food-pantry"
    assert [c.name for c in pantry.categories.all()] == ["Food pantry"]
    assert pantry.categories.get().parent.name == "Food"
    assert sorted(pantry.languages.values_list("code", flat=True)) == ["en", "es"]
    assert pantry.phones.get().number == "555-0100"
    location = models.Location.objects.get(hsds_id="l-1")
    assert (location.address_1, location.postal_code) == ("12 Main St", "43001")
    assert location.accessibility == "Step-free entrance"
    assert list(location.languages.values_list("code", flat=True)) == ["es"]
    assert models.Location.objects.get(hsds_id="l-2").is_confidential
    overnight = models.Schedule.objects.get(hsds_id="h-2")
    assert overnight.passes_midnight
    assert overnight.service_at_location.hsds_id == "sal-2"
    assert models.Schedule.objects.get(hsds_id="h-3").is_all_day
    # The unknown column and the eligibility attribute are ignored, not errors.
    assert models.ServiceCategory.objects.count() == 1


def test_a_zip_of_a_folder_imports_like_the_folder(tmp_path):
    folder = write_package(tmp_path / "pkg")
    archive = tmp_path / "pkg.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file, f"my-directory/{file.name}")

    report = package_import(archive)

    assert report.ok, report.lines()
    assert models.Service.objects.count() == 4


def test_importing_the_same_package_again_changes_nothing(tmp_path):
    package = write_package(tmp_path / "pkg")
    package_import(package)
    before = canonical_dump()
    stamps = {
        model.__name__: dict(model.objects.values_list("pk", "modified_at"))
        for model in (models.Organization, models.Service, models.Location)
    }
    last_modified = dict(models.Service.objects.values_list("pk", "last_modified"))

    report = package_import(package)

    assert report.ok
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert sum(report.unchanged.values()) > 20
    assert canonical_dump() == before
    assert dict(models.Service.objects.values_list("pk", "last_modified")) == last_modified
    for model in (models.Organization, models.Service, models.Location):
        assert dict(model.objects.values_list("pk", "modified_at")) == stamps[model.__name__]


def test_a_changed_row_is_updated_in_place(tmp_path):
    package_import(write_package(tmp_path / "one"))
    untouched = models.Service.objects.get(hsds_id="s-2").last_modified
    services = GOOD_PACKAGE["services.csv"].replace("Eastside Food Pantry", "Eastside Pantry")

    report = package_import(write_package(tmp_path / "two", services_csv=services))

    assert report.updated["services"] == 1
    assert models.Service.objects.count() == 4
    renamed = models.Service.objects.get(hsds_id="s-1")
    assert renamed.name == "Eastside Pantry"
    assert renamed.slug == "eastside-food-pantry"  # addresses keep working
    assert models.Service.objects.get(hsds_id="s-2").last_modified == untouched


def test_import_keeps_assured_date_unless_the_file_gives_one(tmp_path):
    package = write_package(tmp_path / "pkg")
    package_import(package)
    checked = datetime.date(2025, 1, 2)
    models.Service.objects.filter(hsds_id__in=["s-1", "s-2"]).update(assured_date=checked)

    package_import(package)

    # s-2's row has no assured_date: the admin's check stands.
    assert models.Service.objects.get(hsds_id="s-2").assured_date == checked
    # s-1's row gives one: the file is the newer word.
    assert models.Service.objects.get(hsds_id="s-1").assured_date == datetime.date(2024, 5, 1)

    no_column = "\n".join(
        ",".join(line.split(",")[:5]) for line in GOOD_PACKAGE["services.csv"].splitlines()
    )
    models.Service.objects.update(assured_date=checked)
    package_import(write_package(tmp_path / "no-column", services_csv=no_column + "\n"))
    assert set(models.Service.objects.values_list("assured_date", flat=True)) == {checked}


def test_import_keeps_a_kind_an_admin_set_when_the_package_says_nothing(tmp_path):
    package = write_package(tmp_path / "pkg")
    package_import(package)
    models.Organization.objects.filter(hsds_id="o-4").update(kind="service")

    package_import(package)

    assert models.Organization.objects.get(hsds_id="o-4").kind == "service"


BAD_ROWS = [
    pytest.param(
        "services.csv", b"s-9,o-404,Ghost Service,,active,,,,,\n",
        "dangling reference: organization_id o-404", id="service-without-its-organization",
    ),
    pytest.param(
        "services.csv", b"s-9,o-1,,No name,active,,,,,\n",
        "empty required field: name", id="empty-required-field",
    ),
    pytest.param(
        "services.csv", b"s-9,o-1,Teens,,active,,twelve,,,\n",
        "services.csv, line 3: minimum_age 'twelve' is not a number", id="not-a-number",
    ),
    pytest.param(
        "services.csv", b"s-9,o-1,Closed,,shut,,,,,\n",
        "status 'shut' is not one of active, inactive, defunct, temporarily closed",
        id="not-in-the-enum",
    ),
    pytest.param(
        "organizations.csv", b"o-9,Mail,,,not an address,,,\n",
        "organizations.csv, line 3: email 'not an address' is not an email address",
        id="not-an-email",
    ),
    pytest.param(
        "organizations.csv", b"o-9,Web,,,,no scheme here,,\n",
        "website 'no scheme here' is not a URI", id="not-a-uri",
    ),
    pytest.param(
        "locations.csv", b"l-9,physical,o-1,North Pole,ninety,-83.0,\n",
        "latitude 'ninety' is not a number", id="latitude-not-a-number",
    ),
    pytest.param(
        "schedules.csv", b"h-9,s-1,,YEARLY,MO,09:00,17:00\n",
        "freq 'YEARLY' is not one of WEEKLY, MONTHLY", id="freq-not-in-the-enum",
    ),
    pytest.param(
        "services.csv", b"s-9,o-1,Short Row\n",
        "fewer cells than the header has columns", id="short-row",
    ),
    pytest.param(
        "services.csv", b"s-1,o-1,Copy of the pantry,,active,,,,,\n",
        "duplicated id s-1 within the file", id="duplicated-id",
    ),
    pytest.param(
        "services.csv", b"s-9,o-1,Caf\xe9 Latin-1,,active,,,,,\n",
        "bytes that are not UTF-8", id="not-utf-8",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("file", "bad_row", "reason"), BAD_ROWS)
def test_a_bad_row_is_skipped_and_reported_with_file_and_line(tmp_path, file, bad_row, reason):
    good = GOOD_PACKAGE[file].encode()
    # The bad row goes in the middle so that the rows after it must still be read.
    lines = good.splitlines(keepends=True)
    content = b"".join([*lines[:2], bad_row, *lines[2:]])
    package = write_package(tmp_path / "pkg", **{file.replace(".csv", "_csv"): content})

    report = package_import(package)

    assert report.skipped == 1, report.lines()
    problem = report.problems[0]
    assert (problem.file, problem.line) == (file, 3)
    assert reason in str(problem)  # "file, line N: reason"
    # Every good row is in, the bad one is not.
    assert models.Organization.objects.count() == 4
    assert models.Service.objects.count() == 4
    assert models.Location.objects.count() == 2
    assert models.Schedule.objects.count() == 3
    assert models.ServiceAtLocation.objects.count() == 2
    assert models.Service.objects.get(hsds_id="s-1").name == "Eastside Food Pantry"


KEPT_ROWS = [
    pytest.param(
        "service_at_location.csv", b"sal-9,s-1,l-404,\n",
        "location_id l-404 is not in the package: kept as given", "service_at_location",
        id="link-to-a-row-not-in-the-package",
    ),
    pytest.param(
        "schedules.csv", b"h-9,s-1,,WEEKLY,MO,25:00,26:00\n",
        "opens_at '25:00' is not a time of day (HH:MM): kept as given, not used here",
        "schedules", id="impossible-time",
    ),
    pytest.param(
        "schedules.csv", b"h-9,s-1,,MONTHLY,MO,09:00,17:00\n",
        "freq MONTHLY is not supported", "schedules", id="monthly-schedule",
    ),
    pytest.param(
        "accessibility.csv", b"ac-9,l-1,Hearing loop at the desk\n",
        None, "accessibility", id="second-accessibility-row",
    ),
    pytest.param(
        "phones.csv", b"p-9,,,,555-0111,,voice\n",
        "linked to none of", "phones", id="phone-of-a-contact-only",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("file", "row", "warning", "table"), KEPT_ROWS)
def test_a_valid_row_the_portal_cannot_use_is_kept_as_given(tmp_path, file, row, warning, table):
    lines = GOOD_PACKAGE[file].encode().splitlines(keepends=True)
    content = b"".join([*lines[:2], row, *lines[2:]])
    package = write_package(tmp_path / "pkg", **{file.replace(".csv", "_csv"): content})

    report = package_import(package)

    assert report.ok, report.lines()
    kept = models.HsdsRecord.objects.get(table=table)
    assert kept.data["id"] == row.decode().split(",")[0]
    if warning:
        assert [str(p) for p in report.warnings if str(p).startswith(f"{file}, line 3:")]
        assert any(warning in str(problem) for problem in report.warnings), report.lines()
    else:
        assert not report.warnings
    # The rows that hang on the location it names are kept with it and go with it.
    if kept.location_id:
        kept.location.delete()
        assert not models.HsdsRecord.objects.filter(table=table).exists()


def test_a_location_with_a_postal_and_a_physical_address_keeps_both(tmp_path):
    addresses = GOOD_PACKAGE["addresses.csv"] + "a-9,l-1,PO Box 7,Fairhaven,OH,43001,US,postal\n"

    report = package_import(write_package(tmp_path / "pkg", addresses_csv=addresses))

    assert report.ok, report.lines()
    assert not report.warnings, report.lines()
    location = models.Location.objects.get(hsds_id="l-1")
    assert location.address_1 == "12 Main St"  # the first address is the one shown
    postal = models.HsdsRecord.objects.get(table="addresses")
    assert (postal.hsds_id, postal.location, postal.data["address_1"]) == (
        "a-9", location, "PO Box 7",
    )  # fmt: skip


def test_a_language_of_a_phone_alone_is_kept_on_the_phone(tmp_path):
    languages = "id,phone_id,name,code\ng-1,p-1,Spanish,es\n"

    report = package_import(write_package(tmp_path / "pkg", languages_csv=languages))

    assert report.ok, report.lines()
    phone = models.Phone.objects.get(hsds_id="p-1")
    assert list(phone.language_links.values_list("language__code", flat=True)) == ["es"]


def test_the_command_exits_non_zero_and_prints_the_report_when_it_skipped_rows(tmp_path, capsys):
    services = GOOD_PACKAGE["services.csv"] + "s-9,o-404,Ghost Service,,active,,,,,\n"
    package = write_package(tmp_path / "pkg", services_csv=services)

    with pytest.raises(CommandError, match="1 row\\(s\\) skipped"):
        call_command("import_hsds", str(package))

    out = capsys.readouterr().out
    assert "services.csv, line 6: dangling reference: organization_id o-404" in out
    assert "services: 4 created" in out


def test_the_command_succeeds_quietly_on_a_clean_package(tmp_path, capsys):
    call_command("import_hsds", str(write_package(tmp_path / "pkg")))

    assert "0 row(s) skipped" in capsys.readouterr().out


UNREADABLE = [
    pytest.param({"services_csv": None}, "services.csv is missing", id="missing-services"),
    pytest.param({"organizations_csv": None}, "organizations.csv is missing", id="missing-orgs"),
    pytest.param({"services_csv": b""}, "empty file", id="empty-services"),
    pytest.param(
        {"services_csv": b"id,n\xffme,status\ns-1,x,active\n"}, "not valid UTF-8",
        id="header-not-utf-8",
    ),
    pytest.param(
        {"languages_csv": b"name,code\nEnglish,en\n"}, "no id column", id="optional-header",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), UNREADABLE)
def test_an_unreadable_package_leaves_the_database_as_it_was(tmp_path, changes, message):
    package_import(write_package(tmp_path / "first"))
    before = canonical_dump()
    renamed = GOOD_PACKAGE["organizations.csv"].replace("Grace Chapel", "Renamed Chapel")
    changes.setdefault("organizations_csv", renamed)

    with pytest.raises(PackageError, match=message):
        package_import(write_package(tmp_path / "second", **changes))

    assert canonical_dump() == before


def test_a_file_that_is_not_a_zip_is_refused_before_anything_is_written(tmp_path):
    bogus = tmp_path / "package.zip"
    bogus.write_bytes(b"this is not a zip archive")

    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_hsds", str(bogus))

    assert not models.Organization.objects.exists()


def test_a_path_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(PackageError, match="no such file"):
        package_import(tmp_path / "nowhere")


def _services_file_node() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [models.Service._meta.db_table])
        return cursor.fetchone()[0]


def _set_bulk_refresh_rows(monkeypatch, rows: int) -> None:
    """Lower the service count from which a refresh counts as a full one."""
    monkeypatch.setattr(index, "BULK_REFRESH_ROWS", rows)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_large_import_rewrites_the_services_table_once_committed(tmp_path, monkeypatch):
    """A full refresh rewrites every service row; after a large import the table is
    compacted (VACUUM FULL, outside the import's transaction), and only when it changed."""
    _set_bulk_refresh_rows(monkeypatch, 4)  # GOOD_PACKAGE has 4 services
    package = write_package(tmp_path / "pkg")
    before = _services_file_node()
    report = package_import(package)
    assert report.ok, report.lines()
    assert "compact" in report.seconds
    compacted = _services_file_node()
    assert compacted != before
    assert models.Service.objects.count() == 4

    again = package_import(package)  # the same package: nothing changes, nothing rewritten
    assert "compact" not in again.seconds
    assert _services_file_node() == compacted


@postgres_only
def test_no_compaction_inside_a_transaction(monkeypatch):
    _set_bulk_refresh_rows(monkeypatch, 0)
    assert compact_after_full_refresh() is False


def test_a_kept_row_that_the_portal_can_use_on_a_later_import_is_kept_once(tmp_path):
    links = GOOD_PACKAGE["service_at_location.csv"]
    package_import(
        write_package(tmp_path / "one", service_at_location_csv=links + "sal-9,s-1,l-404,\n")
    )
    assert models.HsdsRecord.objects.filter(table="service_at_location").count() == 1

    report = package_import(
        write_package(tmp_path / "two", service_at_location_csv=links + "sal-9,s-1,l-2,\n")
    )

    assert report.created["service_at_location"] == 1
    assert models.ServiceAtLocation.objects.filter(hsds_id="sal-9").exists()
    assert not models.HsdsRecord.objects.filter(table="service_at_location").exists()


def exported_ids(tmp_path: Path, table: str) -> list[str]:
    """The ids of one table in a fresh export, repeats included."""
    folder = tmp_path / "export"
    shutil.rmtree(folder, ignore_errors=True)
    package_export(folder)
    with (folder / TABLE_FILES[table]).open(newline="", encoding="utf-8") as handle:
        return [row["id"] for row in csv.DictReader(handle)]


def test_a_row_that_can_no_longer_be_used_leaves_the_listing_and_is_exported_once(tmp_path):
    package_import(write_package(tmp_path / "one"))
    pantry = models.Service.objects.get(hsds_id="s-1")
    assert models.OpenPeriod.objects.filter(service=pantry).count() == 2  # Monday, Wednesday
    # The city now gives the pantry's hours monthly, which the portal cannot show.
    monthly = GOOD_PACKAGE["schedules.csv"].replace("h-1,s-1,sal-1,WEEKLY", "h-1,s-1,sal-1,MONTHLY")

    report = package_import(write_package(tmp_path / "two", schedules_csv=monthly))

    assert report.skipped == 0
    assert not models.Schedule.objects.filter(hsds_id="h-1").exists()
    assert not models.OpenPeriod.objects.filter(service=pantry).exists()  # no stale hours
    assert models.HsdsRecord.objects.get(table="schedules", hsds_id="h-1").data["freq"] == "MONTHLY"
    assert any(
        "schedules.csv" in line and "earlier import made of this row is removed" in line
        for line in report.lines()
    ), report.lines()
    assert exported_ids(tmp_path, "schedules").count("h-1") == 1
    # Unchanged rows stay where they were.
    assert models.Schedule.objects.filter(hsds_id__in=["h-2", "h-3"]).count() == 2


def test_a_location_that_can_no_longer_be_used_takes_its_links_with_it_safely(tmp_path):
    package_import(write_package(tmp_path / "one"))
    # A name longer than the portal holds: the location is kept as given from now on, and so
    # are the rows that hang on it (its service at a location, that link's hours).
    long_name = GOOD_PACKAGE["locations.csv"].replace("Eastside Pantry", "E" * 300)

    report = package_import(write_package(tmp_path / "two", locations_csv=long_name))

    assert report.skipped == 0
    assert not models.Location.objects.filter(hsds_id="l-1").exists()
    assert not models.ServiceAtLocation.objects.filter(hsds_id="sal-1").exists()
    assert models.Location.objects.filter(hsds_id="l-2").exists()
    assert models.ServiceAtLocation.objects.filter(hsds_id="sal-2").exists()
    for table, hsds_id in (("locations", "l-1"), ("service_at_location", "sal-1")):
        assert models.HsdsRecord.objects.filter(table=table, hsds_id=hsds_id).exists()
        assert exported_ids(tmp_path, table).count(hsds_id) == 1
    # The same package again: nothing moves.
    again = package_import(write_package(tmp_path / "three", locations_csv=long_name))
    assert sum(again.created.values()) == sum(again.updated.values()) == 0


def test_an_address_that_can_no_longer_be_used_leaves_its_location(tmp_path):
    package_import(write_package(tmp_path / "one"))
    assert models.Location.objects.get(hsds_id="l-1").address_1 == "12 Main St"
    too_long = GOOD_PACKAGE["addresses.csv"].replace("12 Main St", "1" * 300)

    report = package_import(write_package(tmp_path / "two", addresses_csv=too_long))

    assert report.skipped == 0
    pantry = models.Location.objects.get(hsds_id="l-1")
    assert (pantry.address_1, pantry.postal_code, pantry.address_hsds_id) == ("", "", "")
    assert models.Location.objects.get(hsds_id="l-2").address_1 == "99 Hidden Lane"
    assert models.HsdsRecord.objects.get(table="addresses", hsds_id="a-1").data["address_1"]
    assert exported_ids(tmp_path, "addresses").count("a-1") == 1
