"""The realistic mix of page views: what `make bench` (bench/run.py) puts at the head of its
report and bench/load.py drives on its own. The one definition of the mix is MIX below.

Each page type has a weight (its share of the requests, in thousandths) and a list of paths
drawn from the database, the same ones for the same database and seed; wrk (bench/mix.lua)
picks a path at random by weight for every request, the weight of a page type shared equally
by its paths. The first path of each page type is the one that bench/run.py measures alone.

Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from _server import ROOT
from large_organization import SLUG as LARGE_ORGANIZATION

SEED = 7
LUA = ROOT / "bench" / "mix.lua"

# What residents type: everyday needs, a Spanish word or two, a typo, a rare planted word.
SEARCH_WORDS = [
    "food",
    "food pantry",
    "shelter",
    "rent help",
    "counseling",
    "clinic",
    "legal aid",
    "jobs",
    "child care",
    "seniors",
    "community",
    "english classes",
    "comida",
    "vivienda",
    "fod pantry",
    "therapy",
    "food stamps",
    "zephyrine",
    "youth",
    "transportation",
]
# ZIP codes inside the synthetic directory's square of Ohio (latitude 39-40, longitude -84 to
# -83): Xenia first, then Wilmington, Washington Court House, Springfield, London, Cedarville.
ZIP_CODES = ["45385", "45177", "43160", "45502", "43140", "45314"]


def _directory(**params: str) -> str:
    return "/directory/?" + urlencode(params)


def _categories() -> list[str]:
    """Category slugs, the one with the most services first, then by name."""
    from django.db.models import Count

    from directory.models import Category

    rows = Category.objects.annotate(n=Count("services")).order_by("-n", "name")
    return list(rows.values_list("slug", flat=True))


def _draw(rng: random.Random, slugs: list[str], count: int) -> list[str]:
    return rng.sample(slugs, min(count, len(slugs)))


def words(rng: random.Random) -> list[str]:
    return [_directory(q=word) for word in SEARCH_WORDS]


def open_now(rng: random.Random) -> list[str]:
    return [_directory(open_now="on")]


def open_now_words(rng: random.Random) -> list[str]:
    return [_directory(q=word, open_now="on") for word in SEARCH_WORDS[:8]]


def open_now_category(rng: random.Random) -> list[str]:
    return [_directory(category=slug, open_now="on") for slug in _categories()[:10]]


def zip_code(rng: random.Random) -> list[str]:
    nearest = [_directory(zip=code) for code in ZIP_CODES]
    return nearest + [_directory(zip=code, radius="5") for code in ZIP_CODES[:3]]


def category(rng: random.Random) -> list[str]:
    return [_directory(category=slug) for slug in _categories()]


def listing(rng: random.Random) -> list[str]:
    from directory.models import Service

    slugs = list(Service.objects.public().order_by("pk").values_list("slug", flat=True))
    return [f"/directory/services/{slug}/" for slug in _draw(rng, slugs, 400)]


def organization(rng: random.Random) -> list[str]:
    from directory.models import Organization

    ordinary = Organization.objects.with_public_services().exclude(slug=LARGE_ORGANIZATION)
    slugs = list(ordinary.order_by("pk").values_list("slug", flat=True))
    return [f"/directory/organizations/{slug}/" for slug in _draw(rng, slugs, 200)]


def large_organization(rng: random.Random) -> list[str]:
    base = f"/directory/organizations/{LARGE_ORGANIZATION}/"
    return [base] + [f"{base}?page={page}" for page in (2, 3, 50, 100)]


def home(rng: random.Random) -> list[str]:
    return ["/"]


def compacts(rng: random.Random) -> list[str]:
    from compacts.models import Compact

    return ["/compacts/"] + [
        f"/compacts/{slug}/"
        for slug in Compact.objects.order_by("pk").values_list("slug", flat=True)
    ]


def cities(rng: random.Random) -> list[str]:
    from compacts.models import City

    slugs = list(City.objects.order_by("pk").values_list("slug", flat=True))
    return ["/cities/"] + [f"/cities/{slug}/" for slug in _draw(rng, slugs, 60)]


def curriculum(rng: random.Random) -> list[str]:
    from curriculum.models import Course, Lesson, Theme

    paths = ["/curriculum/"]
    for prefix, model in (("themes", Theme), ("courses", Course), ("lessons", Lesson)):
        slugs = model.objects.order_by("pk").values_list("slug", flat=True)
        paths += [f"/curriculum/{prefix}/{slug}/" for slug in slugs]
    return paths


@dataclass(frozen=True)
class PageType:
    name: str
    weight: int  # thousandths of all requests
    paths: Callable[[random.Random], list[str]]
    chosen: str  # how its paths are chosen, for the report
    goal: bool  # the goal names it: measured alone, p95 <= 50 ms and <= 4 queries


# fmt: off
MIX: list[PageType] = [
    PageType("words", 220, words, "q= each of SEARCH_WORDS (food first)", False),
    PageType("open now", 40, open_now, "open_now=on alone", True),
    PageType("open now + words", 40, open_now_words, "q= the first 8 SEARCH_WORDS", True),
    PageType("open now + category", 30, open_now_category, "the 10 biggest categories", True),
    PageType("ZIP", 80, zip_code, "6 Ohio ZIPs (45385 first), 3 within 5 miles", True),
    PageType("category", 100, category, "every category, the biggest first", True),
    PageType("listing", 200, listing, "400 public services drawn with the seed", True),
    PageType("organization", 70, organization, "200 organizations drawn with the seed", False),
    PageType("organization, 5,000 services", 10, large_organization, "pages 1, 2, 3, 50, 100",
             True),
    PageType("home", 60, home, "/", True),
    PageType("compacts", 50, compacts, "/compacts/ and each compact", False),
    PageType("cities", 50, cities, "/cities/ and 60 cities drawn with the seed", False),
    PageType("curriculum", 50, curriculum, "/curriculum/, each theme, course, lesson", False),
]
# fmt: on
if sum(page.weight for page in MIX) != 1000:
    raise ValueError("the weights of MIX are thousandths: they must add up to 1000")


def draw_paths(seed: int = SEED) -> dict[str, list[str]]:
    """Each page type's paths (Django must be set up), the same for the same database."""
    rng = random.Random(seed)
    drawn = {page.name: page.paths(rng) for page in MIX}
    empty = [name for name, paths in drawn.items() if not paths]
    if empty:
        raise SystemExit(f"no paths for {', '.join(empty)}: is the bench database complete?")
    return drawn


def write_paths(drawn: dict[str, list[str]], out: Path) -> Path:
    """The file bench/mix.lua reads: one "weight<TAB>path" a line, a page type's weight shared
    equally by its paths (in millionths of all requests)."""
    lines = []
    for page in MIX:
        paths = drawn[page.name]
        lines += [f"{page.weight * 1000 // len(paths)}\t{path}\n" for path in paths]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines), encoding="utf-8")
    return out


def run_wrk(wrk: str, base: str, paths_file: Path, seconds: int, connections: int) -> dict:
    """One wrk run of the paths in ``paths_file`` through mix.lua: requests, rps, p50/p95/p99
    in ms and errors (connection errors, timeouts and responses other than 2xx and 3xx)."""
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(LUA), base]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MIX_PATHS": str(paths_file)},
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    figures = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
    kinds = ("connect_errors", "read_errors", "write_errors", "timeouts", "status_errors")
    return {
        "requests": int(figures["requests"]),
        "rps": round(figures["rps"], 1),
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": int(sum(figures[kind] for kind in kinds)),
    }
