"""export_hsds: the round trip, the public package without confidential addresses, ids."""

import json
import zipfile

import pytest
from django.core.management import call_command

from directory import models
from directory.hsds import TABLE_FILES, package_export, package_import

from .fixtures.hsds_package import (
    CONFIDENTIAL_ADDRESS,
    GOOD_PACKAGE,
    canonical_dump,
    wipe_directory,
    write_package,
)

pytestmark = pytest.mark.django_db


def _all_text(path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(name).decode() for name in archive.namelist())
    return "".join(file.read_text(encoding="utf-8") for file in sorted(path.iterdir()))


@pytest.mark.parametrize("target", ["backup", "backup.zip"])
def test_import_export_import_into_an_empty_database_gives_the_same_directory(tmp_path, target):
    assert package_import(write_package(tmp_path / "source")).ok
    original = canonical_dump()

    package_export(tmp_path / target, include_confidential=True)
    wipe_directory()
    assert not models.Service.objects.exists()
    report = package_import(tmp_path / target)

    assert report.ok, report.lines()
    assert canonical_dump() == original


def test_the_round_trip_keeps_what_hsds_has_no_column_for(tmp_path):
    package_import(write_package(tmp_path / "source"))
    models.Organization.objects.filter(hsds_id="o-4").update(kind="service")

    package_export(tmp_path / "out", include_confidential=True)
    wipe_directory()
    package_import(tmp_path / "out")

    assert models.Organization.objects.get(hsds_id="o-4").kind == "service"
    assert models.Location.objects.get(hsds_id="l-2").is_confidential
    assert models.Category.objects.get(hsds_id="t-pantry").parent.hsds_id == "t-food"


def test_the_export_for_public_use_never_writes_a_confidential_address(tmp_path):
    package_import(write_package(tmp_path / "source"))

    package_export(tmp_path / "public.zip")

    text = _all_text(tmp_path / "public.zip")
    assert CONFIDENTIAL_ADDRESS not in text
    assert "43002" not in text  # its ZIP code
    assert "Behind the chapel" not in text  # its directions
    assert "40.200000" not in text  # its map position
    assert "Safe Haven" in text  # the place itself is listed, marked confidential
    assert "12 Main St" in text  # other addresses are public


def test_the_full_backup_includes_confidential_addresses(tmp_path):
    package_import(write_package(tmp_path / "source"))

    package_export(tmp_path / "backup", include_confidential=True)

    assert CONFIDENTIAL_ADDRESS in _all_text(tmp_path / "backup")


def test_importing_a_public_export_does_not_erase_a_confidential_address(tmp_path):
    package_import(write_package(tmp_path / "source"))
    package_export(tmp_path / "public")

    report = package_import(tmp_path / "public")

    assert report.ok, report.lines()
    shelter = models.Location.objects.get(hsds_id="l-2")
    assert shelter.address_1 == CONFIDENTIAL_ADDRESS
    assert shelter.transportation == "Behind the chapel"
    assert shelter.latitude is not None


def test_rows_made_here_get_an_hsds_id_so_that_reimporting_the_export_adds_nothing(tmp_path):
    package_import(write_package(tmp_path / "source"))
    food_bank = models.Organization.objects.get(hsds_id="o-1")
    made_here = models.Service.objects.create(organization=food_bank, name="Diaper Bank")
    models.Phone.objects.create(service=made_here, number="555-0142")
    counts = {model: model.objects.count() for model in (models.Service, models.Phone)}

    package_export(tmp_path / "out", include_confidential=True)
    report = package_import(tmp_path / "out")

    made_here.refresh_from_db()
    assert made_here.hsds_id
    assert report.ok
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert {model: model.objects.count() for model in counts} == counts


def test_the_package_describes_itself_in_datapackage_json(tmp_path):
    package_import(write_package(tmp_path / "source"))

    package_export(tmp_path / "out")

    described = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    paths = {resource["path"] for resource in described["resources"]}
    assert paths == set(TABLE_FILES.values())  # every table of HSDS 3.0
    assert "public use" in described["description"]
    header = (tmp_path / "out" / "services.csv").read_text().splitlines()[0]
    assert header.startswith("id,organization_id,name,")


def test_the_export_command_says_which_kind_of_package_it_wrote(tmp_path, capsys):
    package_import(write_package(tmp_path / "source"))

    call_command("export_hsds", str(tmp_path / "out.zip"))
    public = capsys.readouterr().out
    call_command("export_hsds", str(tmp_path / "full"), "--include-confidential")
    full = capsys.readouterr().out

    assert "services: 4 row(s)" in public
    assert "confidential addresses left out" in public
    assert "confidential addresses included" in full
    assert zipfile.is_zipfile(tmp_path / "out.zip")


def test_a_second_address_of_a_confidential_location_stays_out_of_the_public_export(tmp_path):
    addresses = GOOD_PACKAGE["addresses.csv"] + "a-9,l-2,PO Box 99,Fairhaven,OH,43002,US,postal\n"
    package_import(write_package(tmp_path / "source", addresses_csv=addresses))
    assert models.HsdsRecord.objects.get(table="addresses").location.hsds_id == "l-2"

    package_export(tmp_path / "public")
    package_export(tmp_path / "backup", include_confidential=True)

    assert "PO Box 99" not in _all_text(tmp_path / "public")
    assert "PO Box 99" in _all_text(tmp_path / "backup")


def test_kept_cells_are_exported_but_never_a_confidential_locations_position(tmp_path):
    locations = (
        "id,location_type,organization_id,name,latitude,longitude,transportation,"
        "external_identifier\n"
        "l-1,physical,o-1,Eastside Pantry,40.1,-83.0,Bus 4 to Main St,UPRN-1\n"
        "l-2,physical,o-2,Safe Haven,100,-83.1,Behind the chapel,UPRN-2\n"
    )
    package_import(write_package(tmp_path / "source", locations_csv=locations))

    package_export(tmp_path / "public")

    text = (tmp_path / "public" / "locations.csv").read_text()
    assert "UPRN-1" in text
    assert "UPRN-2" in text  # not an address: kept and written
    assert "100" not in text.split("Safe Haven")[1].split("\n")[0]  # its latitude, kept
