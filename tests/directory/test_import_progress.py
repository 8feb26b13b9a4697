"""import_hsds shows its progress: a bar redrawn in place on a terminal, plain lines when piped,
nothing with --no-progress."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper

from directory.hsds import importer
from directory.management.commands.import_hsds import WIDTH, LogProgress, TerminalProgress

from .fixtures.hsds_package import GOOD_PACKAGE, write_package

pytestmark = pytest.mark.django_db

STEP_LINE = re.compile(r"^step (\d+)/(\d+): (.+)$")


class Terminal(io.StringIO):
    """Standing in for a terminal: the command draws its bar here."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def progress_part(out: str) -> tuple[str, str]:
    """What a terminal got before the first new line (the bar), and what came after it."""
    bar, newline, rest = out.partition("\n")
    assert newline, repr(out)
    return bar, rest


def test_piped_output_has_a_plain_line_per_step_before_the_report(tmp_path):
    out = io.StringIO()
    call_command("import_hsds", str(write_package(tmp_path / "pkg")), stdout=out)

    text = out.getvalue()
    assert "\r" not in text
    assert "\x1b" not in text
    lines = text.splitlines()
    steps = [STEP_LINE.match(line) for line in lines if line.startswith("step ")]
    assert len(steps) > 1
    total = int(steps[0].group(2))
    assert [int(step.group(1)) for step in steps] == list(range(1, total + 1))
    assert {int(step.group(2)) for step in steps} == {total}
    names = [step.group(3) for step in steps]
    assert names.index("organizations") < names.index("services") < names.index("search vectors")
    report = lines.index("services: 4 created, 0 updated, 0 unchanged")
    assert report > lines.index(steps[-1].group(0))


def test_a_terminal_gets_one_line_redrawn_in_place_then_the_report(tmp_path):
    out = Terminal()
    call_command("import_hsds", str(write_package(tmp_path / "pkg")), stdout=out)

    bar, report = progress_part(out.getvalue())
    assert bar.startswith("\r")
    drawings = bar.split("\r")[1:]
    assert len(drawings) > 1
    assert all(0 < len(drawing) <= WIDTH for drawing in drawings), drawings
    assert "services" in bar
    # The last drawing shows every step done; the report follows on its own lines.
    assert re.fullmatch(r"\[#+\] (\d+)/\1 done *", drawings[-1]), drawings[-1]
    assert "services: 4 created, 0 updated, 0 unchanged" in report.splitlines()
    assert "\r" not in report


def test_the_bar_ends_its_line_before_the_report_of_skipped_rows(tmp_path):
    services = GOOD_PACKAGE["services.csv"] + "s-9,o-404,Ghost Service,,active,,,,,\n"
    out = Terminal()

    with pytest.raises(CommandError, match="1 row\\(s\\) skipped"):
        call_command(
            "import_hsds", str(write_package(tmp_path / "pkg", services_csv=services)), stdout=out
        )

    bar, report = progress_part(out.getvalue())
    assert bar.startswith("\r")
    assert "dangling reference" not in bar
    assert "services.csv, line 6: dangling reference: organization_id o-404" in report


@pytest.mark.parametrize("stream", [io.StringIO, Terminal])
@pytest.mark.parametrize(
    "options", [{"no_progress": True}, {"verbosity": 0}], ids=["no-progress", "verbosity-0"]
)
def test_no_progress_and_verbosity_0_show_no_progress(tmp_path, stream, options):
    out = stream()
    call_command("import_hsds", str(write_package(tmp_path / "pkg")), stdout=out, **options)

    text = out.getvalue()
    assert "\r" not in text
    assert not any(line.startswith("step ") for line in text.splitlines())
    assert "services: 4 created" in text


def test_the_terminal_bar_counts_the_steps_done_and_the_rows_read():
    out, clock = Terminal(), Clock()
    progress = TerminalProgress(OutputWrapper(out), clock=clock)

    progress.step("services", 5, 17)
    clock.now += 1
    progress.rows("services", 40_000)

    drawings = out.getvalue().split("\r")[1:]
    assert drawings[0] == "[####------------]  5/17 services"
    assert drawings[1] == "[####------------]  5/17 services: 40,000 rows"


def test_many_rows_in_the_same_instant_draw_once():
    out, clock = Terminal(), Clock()
    progress = TerminalProgress(OutputWrapper(out), clock=clock)
    progress.step("services", 5, 17)
    clock.now += 1

    for count in range(2000, 2_000_001, 2000):
        progress.rows("services", count)

    assert out.getvalue().count("\r") == 2  # the step, then the first rows
    clock.now += 0.05
    progress.rows("services", 2_002_000)
    assert out.getvalue().count("\r") == 2  # too soon: not drawn
    clock.now += 0.06
    progress.rows("services", 2_004_000)
    assert out.getvalue().count("\r") == 3
    assert out.getvalue().endswith("services: 2,004,000 rows")


def test_a_long_step_name_stays_within_the_width_and_a_shorter_line_rubs_it_out():
    out, clock = Terminal(), Clock()
    progress = TerminalProgress(OutputWrapper(out), clock=clock)

    progress.step("a step with a name much too long to fit " * 3, 1, 17)
    clock.now += 1
    progress.rows("x", 123_456_789)
    progress.step("places", 2, 17)
    progress.finish(completed=False)

    text = out.getvalue()
    assert text.endswith("\n")
    drawings = text[:-1].split("\r")[1:]
    assert [len(drawing) for drawing in drawings] == [WIDTH, WIDTH, WIDTH]
    assert drawings[2].rstrip() == "[#---------------]  2/17 places"


def test_piped_rows_are_logged_at_most_every_few_seconds():
    out, clock = io.StringIO(), Clock()
    progress = LogProgress(OutputWrapper(out), clock=clock, interval=5)

    progress.step("services", 5, 17)
    for count in range(2000, 100_001, 2000):
        progress.rows("services", count)  # all in the same instant: no line
    clock.now += 5
    progress.rows("services", 102_000)
    clock.now += 4
    progress.rows("services", 104_000)  # 4 s after the last line: none
    clock.now += 1
    progress.rows("services", 106_000)
    progress.step("places", 6, 17)

    assert out.getvalue().splitlines() == [
        "step 5/17: services",
        "  services: 102,000 rows",
        "  services: 106,000 rows",
        "step 6/17: places",
    ]


def test_a_terminal_shows_the_rows_of_a_table_during_an_import(tmp_path, monkeypatch):
    """The importer's real calls reach the bar: rows are reported every BATCH_SIZE rows (here
    2), and with no throttle each one is drawn."""
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    monkeypatch.setattr(TerminalProgress.__init__, "__defaults__", (Clock(), 0))
    out = Terminal()

    call_command("import_hsds", str(write_package(tmp_path / "pkg")), stdout=out)

    bar, _ = progress_part(out.getvalue())
    assert re.search(r"\d+/\d+ organizations: 4 rows", bar), bar
    assert re.search(r"\d+/\d+ services: 4 rows", bar), bar
