"""Reading a package through caps: bombs, rows and cells past their caps, CSV structure errors
(no row is ever smuggled out of a quoted cell), damaged zips, cells that raise, and the reader
fuzzed with random bytes, cut and damaged zips, random CSV text and huge fields.

The fuzz tests take FUZZ_EXAMPLES examples each (2,000 in CI, 150 on a laptop), as
tests/test_fuzz.py does.
"""

import contextlib
import csv
import io
import os
import random
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import models
from directory.admin_upload import HsdsUploadForm
from directory.hsds import TABLE_FILES, ImportReport, PackageError, package_import
from directory.hsds import cells as cell_checks
from directory.hsds.reader import Limits, Package
from tests.factories import AdminFactory

from .fixtures.hsds_package import (
    GOOD_PACKAGE,
    MIB,
    bomb_zip,
    canonical_dump,
    deflate_stream,
    deflated,
    handmade_zip,
    package_files,
    stored,
    write_package,
    zip_package,
)
from .importing import IMPORT_DATABASES, upload_package

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000" if os.environ.get("CI") else "150"))
fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a failure in CI repeats on a laptop
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

ORGANIZATIONS_HEADER = GOOD_PACKAGE["organizations.csv"].splitlines()[0]
SERVICES = GOOD_PACKAGE["services.csv"].splitlines(keepends=True)
# The bomb's size and the most memory reading it may take (tracemalloc's peak).
BOMB_BYTES = 200 * MIB
BOMB_PEAK_LIMIT = 50 * MIB


def organizations(*rows: str) -> str:
    return "\n".join([ORGANIZATIONS_HEADER, *rows]) + "\n"


def services_with(row: str) -> str:
    """services.csv with ``row`` on line 3, between the first service and the others."""
    return "".join([*SERVICES[:2], row, *SERVICES[2:]])


def problem_lines(report: ImportReport, file: str = "") -> list[str]:
    """The report's problems, of one file when ``file`` is given (rows that point to a skipped
    row are skipped in turn, and reported too)."""
    return [str(problem) for problem in report.problems if problem.file.startswith(file)]


# -- CSV structure errors end their file: nothing is read out of a quoted cell ----------------


def test_a_quoted_cell_over_the_cell_cap_smuggles_no_rows_out_of_its_text(tmp_path):
    """The cell is over the csv module's cap (1 MiB by default): the rows written inside its
    text must not be imported as rows of their own."""
    cell_text = "a" * (1024 * 1024 + 10) + "\no-smuggled,Smuggled Org,,,,,,\nmore text"
    content = organizations(
        "o-1,Eastside Food Bank,,Groceries,,,,",
        f'o-2,Grace Chapel,,"{cell_text}",,,,',
        "o-3,City Housing Office,,,,,,",
    )
    package = write_package(tmp_path / "pkg", organizations_csv=content)

    report = package_import(package)

    assert not models.Organization.objects.filter(hsds_id="o-smuggled").exists()
    assert set(models.Organization.objects.values_list("hsds_id", flat=True)) == {"o-1"}
    assert problem_lines(report)[0] == (
        "organizations.csv, line 3: a cell longer than 1,048,576 characters "
        "(HSDS_MAX_FIELD_CHARS); the rest of the file was not read"
    )


def test_a_quoted_cell_that_never_closes_stops_its_file_at_the_row_it_opens_on(tmp_path):
    # The quote opens in the last column, so the rest of the file would fit in that cell.
    content = services_with('s-9,o-1,Swallower,,active,,,,,"never closed\n')
    package = write_package(tmp_path / "pkg", services_csv=content)

    report = package_import(package)

    assert list(models.Service.objects.values_list("hsds_id", flat=True)) == ["s-1"]
    assert problem_lines(report)[0] == (
        "services.csv, line 3: a quoted cell is not closed before the end of the file; "
        "the rest of the file was not read"
    )


def test_text_after_a_closing_quote_stops_its_file(tmp_path):
    package = write_package(
        tmp_path / "pkg", services_csv=services_with('s-9,o-1,"Name"junk,,active,,,,,\n')
    )

    report = package_import(package)

    assert not models.Service.objects.filter(hsds_id="s-9").exists()
    (problem,) = problem_lines(report, "services.csv")
    assert problem.startswith("services.csv, line 3: text after the closing quote of a cell")


@pytest.mark.parametrize(
    "long_row",
    [
        pytest.param(f"s-9,o-1,Long,{'d' * 10_000},active,,,,,\n", id="one-long-line"),
        pytest.param('s-9,o-1,Long,"' + "d\n" * 3_000 + '",active,,,,,\n', id="short-lines"),
        pytest.param('s-9,o-1,Long,"' + "d\r" * 3_000 + '",active,,,,,\n', id="lone-cr-lines"),
    ],
)
def test_a_row_over_the_row_cap_stops_its_file(tmp_path, settings, long_row):
    settings.HSDS_MAX_ROW_BYTES = 4096
    package = write_package(tmp_path / "pkg", services_csv=services_with(long_row))

    report = package_import(package)

    assert list(models.Service.objects.values_list("hsds_id", flat=True)) == ["s-1"]
    assert problem_lines(report, "services.csv") == [
        "services.csv, line 3: a row longer than 4,096 bytes (HSDS_MAX_ROW_BYTES); "
        "the rest of the file was not read"
    ]


def test_a_cell_over_the_cell_cap_stops_its_file(tmp_path, settings):
    settings.HSDS_MAX_FIELD_CHARS = 1024
    package = write_package(
        tmp_path / "pkg", services_csv=services_with(f"s-9,o-1,{'n' * 2000},,active,,,,,\n")
    )

    report = package_import(package)

    assert models.Service.objects.count() == 1
    assert problem_lines(report)[0].startswith(
        "services.csv, line 3: a cell longer than 1,024 characters (HSDS_MAX_FIELD_CHARS)"
    )


def test_a_header_over_the_row_cap_refuses_the_package(tmp_path, settings):
    settings.HSDS_MAX_ROW_BYTES = 4096
    header = ",".join(["id", "name", *(f"column_{number}" for number in range(1000))])
    package = write_package(tmp_path / "pkg", organizations_csv=f"{header}\n")

    with pytest.raises(PackageError, match=r"organizations\.csv: the header row cannot be read"):
        package_import(package)


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_every_line_ending_reads_the_same(tmp_path, line_end):
    """Lines end at \\n, \\r\\n or a lone \\r (old Mac spreadsheets), with or without a BOM."""
    changed = {
        name.replace(".csv", "_csv"): "\ufeff" + text.replace("\n", line_end)
        for name, text in GOOD_PACKAGE.items()
    }
    package_import(write_package(tmp_path / "lf"))
    expected = canonical_dump()

    report = package_import(write_package(tmp_path / "other", **changed))

    assert report.ok, report.lines()
    assert sum(report.unchanged.values()) > 20
    assert canonical_dump() == expected


# -- a cell that raises is its row's skip reason ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param(
            {"organizations_csv": GOOD_PACKAGE["organizations.csv"] + "o-9,Big,,,,,,1.0e999\n"},
            "organizations.csv, line 6: year_incorporated '1.0e999' is not a number",
            id="year-overflows",
        ),
        pytest.param(
            {"services_csv": services_with("s-9,o-1,Ages,,active,,9.9e999,,,\n")},
            "services.csv, line 3: minimum_age '9.9e999' is not a number",
            id="age-overflows",
        ),
    ],
)
def test_a_cell_that_cannot_be_read_is_its_rows_skip_reason(tmp_path, changes, problem):
    report = package_import(write_package(tmp_path / "pkg", **changes))

    assert problem_lines(report) == [problem]
    assert models.Service.objects.filter(hsds_id="s-1").exists()


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        pytest.param(
            {"services_csv": services_with("s-9,o-1,Dates,,active,2024-02-30,,,,\n")},
            "services.csv, line 3: assured_date '2024-02-30' is not a date (YYYY-MM-DD)",
            id="impossible-date",
        ),
        pytest.param(
            {"services_csv": services_with(f"s-9,o-1,Long,,active,{'9' * 5000},,,,\n")},
            f"services.csv, line 3: assured_date '{'9' * 60}...' is not a date (YYYY-MM-DD)",
            id="long-cell-quoted-short",
        ),
    ],
)
def test_a_cell_of_free_text_that_the_portal_cannot_read_is_kept_as_given(
    tmp_path, changes, warning
):
    """assured_date is text in the HSDS schema: a row is never refused for it; the portal
    leaves the date out, says so and keeps the cell for the export."""
    report = package_import(write_package(tmp_path / "pkg", **changes))

    assert report.ok, report.lines()
    assert [str(p) for p in report.warnings] == [f"{warning}: kept as given, not used here"]
    service = models.Service.objects.get(hsds_id="s-9")
    assert service.assured_date is None
    assert service.hsds_extra["services"]["assured_date"][1] == ""


def test_an_unexpected_error_from_a_cell_names_the_cell(tmp_path, monkeypatch):
    def email_that_breaks(row, column):
        if row.get(column) == "info@east.example":
            raise ArithmeticError("no way")
        return row.get(column)

    monkeypatch.setattr(cell_checks, "email", email_that_breaks)

    report = package_import(write_package(tmp_path / "pkg"))

    assert problem_lines(report)[0] == (
        "organizations.csv, line 2: email 'info@east.example' cannot be read "
        "(ArithmeticError: no way)"
    )
    assert models.Organization.objects.count() == 3


# -- a package that cannot be read changes nothing -------------------------------------------


def _damaged_services(after: bytes) -> bytes:
    """A zip of GOOD_PACKAGE whose services.csv deflates ``after`` and then turns to a block
    of a type deflate does not have (zlib.error: invalid block type)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(after) + compressor.flush(zlib.Z_FULL_FLUSH) + b"\x07" + bytes(64)
    files = package_files(organizations_csv=renamed_organizations())
    damaged = deflated("services.csv", data, 0, len(after) + 1000)
    del files["services.csv"]
    return handmade_zip([*(stored(name, content) for name, content in files.items()), damaged])


def renamed_organizations() -> str:
    return GOOD_PACKAGE["organizations.csv"].replace("Grace Chapel", "Renamed Chapel")


def test_data_damaged_from_the_start_refuses_the_package(tmp_path):
    package_import(write_package(tmp_path / "first"))
    before = canonical_dump()

    with pytest.raises(PackageError) as raised:
        package_import(io.BytesIO(_damaged_services(b"")))

    assert str(raised.value).startswith(
        "services.csv cannot be unzipped: its compressed data is damaged (Error -3"
    )
    assert canonical_dump() == before


def test_data_damaged_in_the_middle_rolls_back_what_was_imported_before(tmp_path):
    """The header reads well; the damage is found while importing, after organizations.csv
    (renamed here) was written: the whole import is undone."""
    description = random.Random(14).randbytes(150_000).hex()  # hardly compresses
    content = "".join([*SERVICES, f"s-5,o-1,Long,{description},active,,,,,\n"]).encode()
    package_import(write_package(tmp_path / "first"))
    before = canonical_dump()

    with pytest.raises(PackageError, match=r"services.csv cannot be unzipped.* after line \d"):
        package_import(io.BytesIO(_damaged_services(content)))

    assert canonical_dump() == before
    assert models.Organization.objects.filter(name="Grace Chapel").exists()


def test_the_command_says_why_a_damaged_package_imported_nothing(tmp_path):
    path = tmp_path / "damaged.zip"
    path.write_bytes(_damaged_services(b""))

    with pytest.raises(CommandError, match=r"nothing imported: services\.csv cannot be unzipped"):
        call_command("import_hsds", str(path))

    assert not models.Organization.objects.exists()


def test_a_zip_whose_directory_understates_a_size_is_refused():
    """zipfile never unzips more than a member declares; the checksum then tells."""
    content = GOOD_PACKAGE["services.csv"].encode()
    data, crc, _size = deflate_stream([content])
    files = package_files()
    del files["services.csv"]
    members = [*(stored(name, text) for name, text in files.items())]
    members.append(deflated("services.csv", data, crc, 100))

    with pytest.raises(PackageError, match=r"services\.csv"):
        package_import(io.BytesIO(handmade_zip(members)))

    assert not models.Organization.objects.exists()


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.99])
def test_a_cut_zip_is_refused(cut):
    data = zip_package()

    with pytest.raises(PackageError):
        package_import(io.BytesIO(data[: int(len(data) * cut)]))

    assert not models.Organization.objects.exists()


@pytest.mark.parametrize("form", ["zip", "folder"])
def test_a_file_over_the_file_cap_is_refused_before_it_is_read(tmp_path, settings, form):
    package_import(write_package(tmp_path / "first"))
    before = canonical_dump()
    settings.HSDS_MAX_MEMBER_BYTES = 256
    changed = write_package(tmp_path / "second", organizations_csv=renamed_organizations())
    source = io.BytesIO(zip_package(organizations_csv=renamed_organizations()))

    with pytest.raises(PackageError) as raised:
        package_import(source if form == "zip" else changed)

    assert str(raised.value) == (
        "organizations.csv is larger than 256 bytes unzipped (HSDS_MAX_MEMBER_BYTES)"
    )
    assert canonical_dump() == before


def test_files_over_the_package_cap_together_are_refused(settings):
    settings.HSDS_MAX_PACKAGE_BYTES = 2000

    with pytest.raises(PackageError, match="add up to more than 2,000 bytes unzipped"):
        package_import(io.BytesIO(zip_package()))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("HSDS_MAX_MEMBER_BYTES", "organizations.csv is larger than 256 bytes unzipped"),
        ("HSDS_MAX_PACKAGE_BYTES", "add up to more than 256 bytes unzipped"),
    ],
)
def test_the_caps_count_the_bytes_read_not_only_the_sizes_declared(
    tmp_path, settings, monkeypatch, setting, message
):
    """If the declared sizes lied (or a file grew after it was listed), reading still stops."""
    monkeypatch.setattr(Package, "_check_sizes", lambda self, sizes: None)
    setattr(settings, setting, 256)

    with pytest.raises(PackageError, match=message):
        package_import(write_package(tmp_path / "pkg"))


@pytest.mark.parametrize("files", [20_000, 70_000], ids=["end-record", "zip64-end-record"])
def test_a_zip_of_too_many_files_is_refused_before_its_directory_is_read(files):
    """zipfile would hold all of them in memory; past 65,535 the count is in zip64's record."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in package_files().items():
            archive.writestr(name, content)
        for number in range(files):
            archive.writestr(f"empty/{number}", b"")

    def refused():
        with pytest.raises(PackageError, match=f"the zip holds {files + len(GOOD_PACKAGE):,} "):
            package_import(buffer)

    peak = _peak_while(refused)

    assert peak < MIB
    assert not models.Organization.objects.exists()


# -- a bomb is refused in bounded memory ------------------------------------------------------


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """organizations.csv: 200 MiB on one line, deflated to about 200 KB."""
    data = bomb_zip(BOMB_BYTES)
    assert len(data) < 300_000
    return data


def _peak_while(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_bomb_over_the_file_cap_is_refused_before_it_is_unzipped(bomb, settings):
    settings.HSDS_MAX_MEMBER_BYTES = 64 * MIB

    def refused():
        with pytest.raises(PackageError, match=r"organizations\.csv is larger than 67,108,864"):
            package_import(io.BytesIO(bomb))

    assert _peak_while(refused) < BOMB_PEAK_LIMIT
    assert not models.Organization.objects.exists()


def test_a_bomb_under_the_file_cap_is_stopped_at_the_row_cap_in_bounded_memory(bomb):
    """With the default caps (200 MiB is under the 512 MiB a file may have): the line is
    refused once it outgrows the row cap, long before it is read whole."""
    reports = []
    peak = _peak_while(lambda: reports.append(package_import(io.BytesIO(bomb))))

    assert peak < BOMB_PEAK_LIMIT, f"peak {peak / MIB:.1f} MiB"
    assert problem_lines(reports[0])[0] == (
        "organizations.csv, line 2: a row longer than 4,194,304 bytes (HSDS_MAX_ROW_BYTES); "
        "the rest of the file was not read"
    )
    assert not models.Organization.objects.exists()


# -- the admin upload answers every such file with a page, never a 500 ------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("package.zip", content, content_type="application/zip")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: _damaged_services(b""),
            "Nothing was imported: services.csv cannot be unzipped: its compressed data is damaged",
            id="damaged-data",
        ),
        pytest.param(
            lambda: bomb_zip(4 * MIB),
            "Nothing was imported: organizations.csv is larger than 1,048,576 bytes unzipped",
            id="bomb",
        ),
        pytest.param(
            lambda: zip_package()[:-100], "This file is not a readable .zip.", id="cut-zip"
        ),
        pytest.param(
            lambda: zip_package(
                services_csv=services_with(f's-9,o-1,"Big{"x" * 5000}",,active,,,,,\n')
            ),
            "a row longer than 4,096 bytes (HSDS_MAX_ROW_BYTES); the rest of the file was not read",
            id="long-row",
        ),
        pytest.param(
            lambda: zip_package(organizations_csv=organizations("o-9,Overflow,,,,,,1.0e999")),
            "year_incorporated &#x27;1.0e999&#x27; is not a number",
            id="overflowing-cell",
        ),
    ],
)
@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_the_upload_answers_a_bad_package_with_its_reason(admin_client, settings, build, message):
    """At the upload when its files or headers cannot be read, else on the import's page."""
    settings.HSDS_MAX_MEMBER_BYTES = MIB
    settings.HSDS_MAX_ROW_BYTES = 4096

    assert message in upload_package(admin_client, _upload(build()))


def test_the_upload_answers_an_end_record_zipfile_refuses(admin_client):
    """zipfile.is_zipfile raises (BadZipFile) instead of answering False for this one."""
    locator = struct.pack("<4sLQL", b"PK\6\7", 0, 0, 2)  # a zip64 locator: "2 disks"
    end = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 0, 0, 0, 0, 0)

    response = admin_client.post(
        reverse("admin:directory_organization_import_hsds"),
        {"package": _upload(b"x" * 100 + locator + end)},
    )

    assert response.status_code == 200
    assert "This file is not a readable .zip." in response.content.decode()


@fuzz
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.tuples(st.binary(max_size=100), st.binary(max_size=40)).map(
            lambda parts: parts[0] + b"PK\6\7" + parts[1] + b"PK\5\6" + bytes(18)
        ),
    )
)
def test_fuzz_the_upload_form_with_random_bytes(data):
    form = HsdsUploadForm(files={"package": _upload(data)})

    assert not form.is_valid() or zipfile.is_zipfile(io.BytesIO(data))


# -- fuzzing: nothing but PackageError leaves the reader, and memory stays bounded ------------

SMALL = Limits(field_chars=1024, row_bytes=4096, member_bytes=MIB, package_bytes=4 * MIB)


def read_everything(source, limits: Limits = SMALL) -> ImportReport:
    """Open, check and read every table of a package, as an import would (without writing)."""
    report = ImportReport()
    try:
        with Package(source, limits=limits) as package:
            package.check()
            for table in TABLE_FILES:
                for row in package.rows(table, report):
                    assert sum(map(len, row.values.values())) <= limits.row_bytes
    except PackageError:
        pass
    return report


@fuzz
@given(
    data=st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=2048).map(b"PK\3\4".__add__),
        # An end record (and a zip64 one) for the count read before zipfile reads the zip.
        st.tuples(
            st.binary(max_size=200), st.sampled_from([b"", b"PK\6\6"]), st.binary(max_size=60)
        ).map(lambda parts: b"PK\6\6".join(parts[:2]) + b"PK\5\6" + parts[2]),
    )
)
def test_fuzz_random_bytes_as_a_zip(data):
    read_everything(io.BytesIO(data))


GOOD_ZIP = zip_package()


def _data_ranges(data: bytes) -> list[tuple[int, int]]:
    """Where each member's compressed bytes are in a zip (after its local header)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    ranges = []
    for info in infos:
        name_length, extra_length = struct.unpack_from("<2H", data, info.header_offset + 26)
        start = info.header_offset + 30 + name_length + extra_length
        ranges.append((start, start + info.compress_size))
    return ranges


def _damage(ranges: list[tuple[int, int]]):
    """(position, new byte) inside one member's compressed data."""
    return st.sampled_from(ranges).flatmap(
        lambda span: st.tuples(st.integers(span[0], span[1] - 1), st.integers(0, 255))
    )


@fuzz
@given(
    cut=st.integers(0, len(GOOD_ZIP)),
    damage=st.lists(
        st.one_of(
            _damage(_data_ranges(GOOD_ZIP)),
            st.tuples(st.integers(0, len(GOOD_ZIP) - 1), st.integers(0, 255)),
        ),
        max_size=3,
    ),
)
def test_fuzz_cut_and_damaged_zips(cut, damage):
    data = bytearray(GOOD_ZIP)
    for position, value in damage:
        data[position] = value
    read_everything(io.BytesIO(bytes(data[:cut])))


csv_text = st.text(
    alphabet=st.sampled_from(['"', ",", "\n", "\r", "'", "a", "1", " ", "\x00", "é", "\ufeff"]),
    max_size=300,
)


def csv_records(text: str) -> list[list[str]]:
    """What the csv module reads of ``text`` in one go, up to its first error (if any)."""
    records: list[list[str]] = []
    csv.field_size_limit(SMALL.field_chars)
    with contextlib.suppress(csv.Error):
        records.extend(csv.reader(io.StringIO(text, newline=""), strict=True))
    return records


@fuzz
@given(
    organizations_text=st.one_of(csv_text.map(lambda text: f"id,name\n{text}"), csv_text),
    services_bytes=st.one_of(
        st.binary(max_size=300).map(lambda data: b"id,name\n" + data), st.just(None)
    ),
)
def test_fuzz_random_csv_text(organizations_text, services_bytes):
    """Nothing escapes, and every organization read is a record of the file read whole (no
    row is read from inside a quoted cell), in the order of the file."""
    changes = {"organizations_csv": organizations_text}
    if services_bytes is not None:
        changes["services_csv"] = services_bytes
    source = io.BytesIO(zip_package(**changes))
    read_everything(source)

    records = csv_records(organizations_text.removeprefix("\ufeff"))[1:]
    with contextlib.suppress(PackageError), Package(source, limits=SMALL) as package:
        for row in package.rows("organizations", ImportReport()):
            assert list(row.values.values()) in records
            records = records[records.index(list(row.values.values())) + 1 :]


@fuzz
@given(
    size=st.integers(0, 3 * SMALL.row_bytes),
    quoted=st.booleans(),
    filler=st.sampled_from(["x", "x\n", "é", "\r\n", '""']),
)
def test_fuzz_huge_fields_in_bounded_memory(size, quoted, filler):
    cell = (filler * size)[:size]
    written = cell
    if quoted or any(char in cell for char in '"\r\n'):
        written = '"{}"'.format(cell.replace('"', '""'))
    row = f"o-9,{written},,,,,,\n"
    source = io.BytesIO(zip_package(organizations_csv=f"{ORGANIZATIONS_HEADER}\n{row}"))

    reports = []
    peak = _peak_while(lambda: reports.append(read_everything(source)))

    assert peak < MIB
    problems = [str(problem) for problem in reports[0].problems]
    if len(row.encode()) <= SMALL.row_bytes and len(cell) <= SMALL.field_chars:
        assert problems == []
    else:
        assert problems[0].startswith("organizations.csv, line 2: a ")
        assert problems[0].endswith("the rest of the file was not read")


cell_values = st.one_of(
    st.sampled_from(
        ["1.0e999", "-1e309", "NaN", "inf", "1e999999999999999999999", "9" * 5000, "0000-00-00",
         "2024-02-30", "24:00", "99:99", "MO,XX", "http://", "@", "=1+1", "", "'", '"']
    ),
    st.text(max_size=30),
)  # fmt: skip
CELL_COLUMNS = {
    "organizations.csv": "id,name,email,website,year_incorporated",
    "services.csv": "id,organization_id,name,status,url,email,minimum_age,maximum_age,assured_date",
    "locations.csv": "id,organization_id,location_type,url,latitude,longitude",
    "schedules.csv": "id,service_id,freq,byday,opens_at,closes_at,valid_from,valid_to",
}
FIXED_CELLS = {"id": "x-1", "organization_id": "x-1", "service_id": "x-1", "name": "Fuzz"}


@fuzz
@given(values=st.lists(cell_values, min_size=30, max_size=30))
def test_fuzz_cells_through_the_import(values):
    """Whatever the cells hold, the import reports rows; only PackageError may escape."""
    cells = iter(values)
    files = {}
    for file, header in CELL_COLUMNS.items():
        columns = header.split(",")
        row = [FIXED_CELLS.get(column) or next(cells) for column in columns]
        quoted = ['"{}"'.format(cell.replace('"', '""')) for cell in row]
        files[file.replace(".csv", "_csv")] = f"{header}\n{','.join(quoted)}\n"
    source = io.BytesIO(zip_package(**files))

    with transaction.atomic():
        with contextlib.suppress(PackageError):
            package_import(source)
        transaction.set_rollback(True)
