"""`make bench`: the directory at 200,000 services, measured against the issue's goals.

1. Writes the synthetic package (bench/make_synthetic_hsds.py) under var/, once.
2. Drops and re-creates a separate Postgres database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/portal_bench), migrates it, and imports the package
   with `manage.py import_hsds`, reporting wall time and peak memory of that process.
3. Adds what the package lacks, idempotently: 12 fictional cities for the baseline page, the
   demo content (`manage.py load_demo`: compacts, cities, curriculum, a few listings) and one
   organization with 5,000 services (bench/large_organization.py).
4. Draws the realistic mix's paths from the database (bench/mix.py: page types, weights,
   how each one's paths are chosen; seeded, so the same database gives the same paths).
5. In this process through Django's test client, over BENCH_RUNS runs each: every page type
   of the mix measured alone (its first path: the page's whole server time p50 and p95, its
   SQL time and its number of SQL queries) with the site's clock at a busy hour (see
   busy_instant), then the same for a fixed set of selective,
   broad and ZIP searches (SQL time: every statement timed with connection.execute_wrapper).
6. Serves the site with gunicorn (gunicorn.conf.py, BENCH_WORKERS workers, DEBUG=0,
   HTTPS=0) on a free localhost port with bench.settings, beside the baseline page
   /bench/baseline/ (one query of 12 rows through a tiny template):
   - the headline: the realistic mix with wrk and bench/mix.lua at BENCH_MIX_CONNECTIONS
     connections, in BENCH_MIX_ROUNDS rounds of a baseline run then a mix run at the same
     concurrency (requests per second, p50/p95/p99, errors: anything but 2xx and 3xx,
     timeouts and socket errors; each round and the medians);
   - each search page's requests per second at BENCH_CONNECTIONS connections, in rounds of
     a baseline run then a search run (the median round counts), with wrk when it is
     installed (the script tries apt-get when running as root) or a bounded Python thread
     pool otherwise (the mix needs wrk).
   Only 127.0.0.1 is ever contacted.

7. The HSDS API (bench/hsds_api.py): `/api/hsds/services?search=food` in process as in 5, then
   every public service as one ndjson stream from a single gunicorn worker, with its memory.

Prints a table (the mix first) with each goal met or missed and writes
bench/results/latest.json. Environment knobs: BENCH_SERVICES (200000), BENCH_RUNS (30),
BENCH_MIX_CONNECTIONS (16), BENCH_MIX_SECONDS (15 per run), BENCH_MIX_ROUNDS (5),
BENCH_SECONDS (5 per search page run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (4), BENCH_WORKERS
(gunicorn workers, 2), BENCH_SKIP_IMPORT=1 (reuse the database as it is), BENCH_AT (the
moment the page types alone are measured at).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode, urlsplit

import hsds_api
from _server import (
    PYTHON,
    ROOT,
    fresh_database,
    gunicorn,
    peak_rss_mib,
    production_env,
    worker_pids,
)
from large_organization import SLUG as LARGE_ORGANIZATION
from large_organization import add_large_organization
from mix import MIX, draw_paths, run_wrk, write_paths

SERVICES = int(os.environ.get("BENCH_SERVICES", "200000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MIX_CONNECTIONS = int(os.environ.get("BENCH_MIX_CONNECTIONS", "16"))
MIX_SECONDS = int(os.environ.get("BENCH_MIX_SECONDS", "15"))
MIX_ROUNDS = int(os.environ.get("BENCH_MIX_ROUNDS", "5"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
)
PACKAGE = ROOT / "var" / f"bench-hsds-{SERVICES}"
RESULTS = ROOT / "bench" / "results" / "latest.json"

# (label, kind, query string). The words are planted by make_synthetic_hsds.py.
QUERIES: list[tuple[str, str, dict[str, str]]] = [
    ("rare word", "selective", {"q": "zephyrine"}),
    ("a name", "selective", {"q": "Juniper Hollow"}),
    ("rare word + kind", "selective", {"q": "zephyrine", "kind": "nonprofit"}),
    ("a third of rows", "broad", {"q": "community"}),
    ("a third, page 3", "broad", {"q": "community", "page": "3"}),
    ("a third + language", "broad", {"q": "community", "language": "es"}),
    # Near me: Xenia, Ohio (45385) lies inside the synthetic directory's square of Ohio.
    ("ZIP, nearest first", "zip", {"zip": "45385"}),
    ("ZIP within 1 mile", "zip", {"zip": "45385", "radius": "1"}),
    ("a third + ZIP", "zip", {"q": "community", "zip": "45385"}),
    ("two words, none has both", "broad", {"q": "zephyrine community"}),
]
GOALS = {
    "selective_p95_ms": 20,
    "broad_p95_ms": 60,
    # Issue "Residents find help": the page's whole server time, text and ZIP searches.
    "page_p95_ms": 50,
    "queries_per_page": 4,
    "import_seconds": 300,
    "import_peak_mib": 1024,
    # Issue 17: each page type of the mix that the goal names, measured alone.
    "alone_p95_ms": 50,
    # The realistic mix at MIX_CONNECTIONS connections on WORKERS workers (medians of rounds).
    "mix_p95_ms": 150,
    "mix_p99_ms": 400,
    "mix_ratio": 0.20,
}

# Settings for every child process: production-like (DEBUG=0, HTTPS=0), on the bench database.
CHILD_ENV = production_env(DATABASE_URL, ALLOWED_HOSTS="127.0.0.1,localhost,testserver")


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=CHILD_ENV, check=True, **kwargs
    )


# -- 1 and 2: package, database, import -------------------------------------------------------


def make_package() -> None:
    if (PACKAGE / "datapackage.json").exists():
        say(f"package already written: {PACKAGE}")
        return
    say(f"writing the synthetic package of {SERVICES:,} services to {PACKAGE}")
    subprocess.run(
        [PYTHON, "bench/make_synthetic_hsds.py", str(PACKAGE), "--services", str(SERVICES)],
        cwd=ROOT,
        check=True,
    )


def reset_database() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in ("postgres", "portal"):
        raise SystemExit(f"refusing to drop database {name!r}: use a dedicated bench database")
    say(f"re-creating database {name}")
    fresh_database(name, parts.port or 5432)
    manage("migrate", "--noinput", "-v", "0")


def run_import() -> dict:
    say("importing with manage.py import_hsds (this is the timed part)")
    command = [PYTHON, "manage.py", "import_hsds", str(PACKAGE)]
    time_binary = shutil.which("time") or (
        "/usr/bin/time" if Path("/usr/bin/time").exists() else None
    )
    if time_binary:
        command = [time_binary, "-v", *command]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=CHILD_ENV, capture_output=True, text=True)
    seconds = time.monotonic() - started
    print(result.stdout, end="")
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit("the import failed")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    if match:
        peak_kib = int(match.group(1))
    else:
        import resource

        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(seconds, 1), "peak_mib": round(peak_kib / 1024, 1)}


def add_baseline_cities() -> None:
    """The baseline page lists 12 cities; the bench database gets 12 fictional ones."""
    from compacts.models import City

    for number in range(12):
        City.objects.get_or_create(
            slug=f"bench-town-{number}",
            defaults={"name": f"Bench Town {number}", "state": "OH", "is_demo": True},
        )


# -- 3: SQL time and queries per page ---------------------------------------------------------


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


class PageTimer:
    """Times pages in this process through Django's test client: the page's whole server
    time (middleware, view, SQL, template; no network, no gunicorn) and the SQL statements it
    runs (each timed with connection.execute_wrapper), over RUNS runs after a warm-up."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1")
        self.durations: list[float] = []

    def _timed(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.durations.append(time.perf_counter() - started)

    def measure(self, url: str) -> tuple[dict, str]:
        """The figures for ``url`` and the text of its page."""
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        self.client.get(url)  # warm caches, compile templates
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        sql_times: list[float] = []
        page_times: list[float] = []
        statements: list[int] = []
        for _ in range(RUNS):
            self.durations.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(self._timed):
                self.client.get(url)
            page_times.append((time.perf_counter() - started) * 1000)
            sql_times.append(sum(self.durations) * 1000)
            statements.append(len(self.durations))
        reset_queries()
        figures = {
            "url": url,
            # Both counts: Django's own (CaptureQueriesContext) and every statement the
            # execute wrapper saw, the larger over all runs.
            "queries": max(len(captured.captured_queries), *statements),
            "sql_p50_ms": round(statistics.median(sql_times), 2),
            "sql_p95_ms": round(_p95(sql_times), 2),
            "page_p50_ms": round(statistics.median(page_times), 2),
            "page_p95_ms": round(_p95(page_times), 2),
        }
        return figures, response.content.decode()


def measure_sql(timer: PageTimer) -> dict:
    out = {}
    for label, kind, params in QUERIES:
        figures, html = timer.measure("/directory/?" + urlencode(params))
        out[label] = {"kind": kind, **figures, "results_text": _result_count(html)}
        say(
            f"{label}: SQL {figures['sql_p50_ms']} / {figures['sql_p95_ms']} ms, "
            f"page {figures['page_p50_ms']} / {figures['page_p95_ms']} ms, "
            f"{figures['queries']} queries"
        )
    return out


def busy_instant() -> datetime.datetime:
    """The instant at which the page types are measured alone: BENCH_AT (ISO 8601 with an
    offset), else the last Tuesday 11:00 in the directory's time zone before now, an hour
    when most listings are open, so that the "open now" pages show full pages of open
    listings whatever the hour the bench runs at. (It lies in the past, so that what the
    database cache keeps until a later moment stays fresh while the clock reads it.)"""
    from django.conf import settings

    if os.environ.get("BENCH_AT"):
        return datetime.datetime.fromisoformat(os.environ["BENCH_AT"])
    zone = zoneinfo.ZoneInfo(settings.DIRECTORY_TIME_ZONE)
    today = datetime.datetime.now(zone)
    days_back = (today.weekday() - 1) % 7 or 7  # Tuesday is 1; never today
    tuesday = (today - datetime.timedelta(days=days_back)).date()
    return datetime.datetime.combine(tuesday, datetime.time(11), tzinfo=zone)


def open_when_measured(at: datetime.datetime) -> dict:
    """How many public listings are open at ``at`` (in the directory's time zone)."""
    from django.conf import settings

    from directory.models import Service, service_time_zones
    from directory.search.conditions import open_at

    local = at.astimezone(zoneinfo.ZoneInfo(settings.DIRECTORY_TIME_ZONE))
    open_now = Service.objects.public().filter(open_at(at, service_time_zones()))
    return {
        "at": at.isoformat(),
        "local_time": f"{local:%a %d %b %H:%M} {settings.DIRECTORY_TIME_ZONE}",
        "open": open_now.count(),
        "public": Service.objects.public().count(),
    }


def measure_alone(timer: PageTimer, drawn: dict[str, list[str]], at: datetime.datetime) -> dict:
    """Each page type of the mix measured alone, by its first path, with the site's clock
    reading ``at`` (django.utils.timezone.now, which the pages read "now" from)."""
    out = {}
    with mock.patch("django.utils.timezone.now", return_value=at):
        for page in MIX:
            figures, html = timer.measure(drawn[page.name][0])
            out[page.name] = {
                "goal": page.goal,
                "weight": page.weight,
                "paths": len(drawn[page.name]),
                "chosen": page.chosen,
                # A search page's count ("1,000 results"); other pages have none.
                "results": _result_count(html) if "/?" in figures["url"] else "",
                **figures,
            }
            say(
                f"alone, {page.name}: page {figures['page_p50_ms']} /"
                f" {figures['page_p95_ms']} ms, {figures['queries']} queries ({figures['url']})"
            )
    return out


def _result_count(html: str) -> str:
    match = re.search(r"([\d,]+\+?)\s+(?:results?|services?)", html)
    return match.group(0) if match else ""


# -- 4: requests per second under gunicorn ----------------------------------------------------


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing wrk with apt-get")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
    return shutil.which("wrk")


def requests_per_second(port: int, path: str, wrk: str | None) -> float:
    url = f"http://127.0.0.1:{port}{path}"
    if wrk:
        result = subprocess.run(
            [wrk, "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", url],
            capture_output=True,
            text=True,
            check=True,
        )
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
        if non_2xx:
            raise SystemExit(f"{path}: {non_2xx.group(1)} error responses under load")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    return _python_load(port, path)


def _python_load(port: int, path: str) -> float:
    """A bounded load generator: CONNECTIONS threads for SECONDS, at most 100,000 requests."""
    stop = time.monotonic() + SECONDS
    count = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal count
        while time.monotonic() < stop and count < 100_000:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            with lock:
                count += 1

    started = time.monotonic()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        for future in [pool.submit(worker) for _ in range(CONNECTIONS)]:
            future.result()
    return count / (time.monotonic() - started)


def measure_mix(base: str, wrk: str | None, drawn: dict[str, list[str]], master: int) -> dict:
    """The realistic mix (bench/mix.py) at MIX_CONNECTIONS connections beside the baseline
    page at the same concurrency: MIX_ROUNDS rounds of a baseline run followed at once by a
    mix run, each MIX_SECONDS long, after a short warm-up of both that is not counted. The
    figures that count are the medians of the rounds."""
    if wrk is None:
        say("the realistic mix needs wrk: not measured")
        return {}
    folder = RESULTS.parent
    mix_file = write_paths(drawn, folder / "paths.txt")
    baseline_file = folder / "baseline-path.txt"
    baseline_file.write_text("1\t/bench/baseline/\n", encoding="utf-8")
    say(
        f"realistic mix: {MIX_CONNECTIONS} connections, {WORKERS} workers, {MIX_ROUNDS} rounds"
        f" of {MIX_SECONDS} s of the baseline page then {MIX_SECONDS} s of the mix"
    )
    for paths_file in (baseline_file, mix_file):  # warm-up, not counted
        run_wrk(wrk, base, paths_file, 3, MIX_CONNECTIONS)
    rounds = []
    for number in range(1, MIX_ROUNDS + 1):
        baseline = run_wrk(wrk, base, baseline_file, MIX_SECONDS, MIX_CONNECTIONS)
        mix = run_wrk(wrk, base, mix_file, MIX_SECONDS, MIX_CONNECTIONS)
        rounds.append({"baseline": baseline, "mix": mix, "ratio": _ratio(mix, baseline)})
        say(
            f"round {number}: baseline {baseline['rps']} req/s; mix {mix['rps']} req/s, p50"
            f" {mix['p50_ms']} p95 {mix['p95_ms']} p99 {mix['p99_ms']} ms, {mix['errors']}"
            f" errors; {rounds[-1]['ratio']:.3f} x baseline"
        )

    def median(side: str, key: str) -> float:
        return round(statistics.median(item[side][key] for item in rounds), 1)

    figures = ("rps", "p50_ms", "p95_ms", "p99_ms")
    return {
        "connections": MIX_CONNECTIONS,
        "workers": WORKERS,
        "seconds": MIX_SECONDS,
        "weights": {page.name: page.weight for page in MIX},
        "paths": {name: len(paths) for name, paths in drawn.items()},
        "rounds": rounds,
        "median": {
            "baseline": {key: median("baseline", key) for key in figures},
            "mix": {key: median("mix", key) for key in figures},
            "ratio": round(statistics.median(item["ratio"] for item in rounds), 3),
        },
        # Errors are summed over every round, not a median: any error is one too many.
        "errors": sum(item["mix"]["errors"] for item in rounds),
        "baseline_errors": sum(item["baseline"]["errors"] for item in rounds),
        "worker_peak_rss_mib": {
            str(pid): round(peak_rss_mib(pid), 1) for pid in worker_pids(master)
        },
    }


def _ratio(mix: dict, baseline: dict) -> float:
    return round(mix["rps"] / baseline["rps"], 3) if baseline["rps"] else 0.0


def measure_throughput(port: int, wrk: str | None) -> dict:
    """Requests per second of each search page against the baseline page, in ROUNDS rounds
    of a baseline run followed at once by a search page run. Each round's ratio compares
    two runs seconds apart, so a slower or faster spell of this (shared) machine moves both;
    a page's ratio is the median of its rounds, which a single unlucky run cannot decide."""
    tool = "wrk" if wrk else "Python threads"
    say(f"each search page at {CONNECTIONS} connections; load with {tool}, {ROUNDS} rounds")
    requests_per_second(port, "/bench/baseline/", wrk)  # warm-up, not counted
    baselines, pages = [], {}
    for label, kind, params in QUERIES:
        rounds = []
        for _ in range(ROUNDS):
            baseline = requests_per_second(port, "/bench/baseline/", wrk)
            rps = requests_per_second(port, "/directory/?" + urlencode(params), wrk)
            rounds.append({"rps": round(rps, 1), "baseline_rps": round(baseline, 1)})
            baselines.append(baseline)
        ratios = [item["rps"] / item["baseline_rps"] for item in rounds]
        pages[label] = {
            "kind": kind,
            "rps": round(statistics.median(item["rps"] for item in rounds), 1),
            "baseline_rps": round(statistics.median(i["baseline_rps"] for i in rounds), 1),
            "ratio": round(statistics.median(ratios), 3),
            "rounds": rounds,
        }
        say(
            f"{label}: {pages[label]['rps']} req/s, baseline {pages[label]['baseline_rps']}"
            f" ({pages[label]['ratio']:.2f} x; rounds "
            + ", ".join(f"{ratio:.3f}" for ratio in ratios)
            + ")"
        )
    return {
        "tool": "wrk" if wrk else "python",
        "workers": WORKERS,
        "rounds": ROUNDS,
        "baseline_rps": round(statistics.median(baselines), 1),
        "baseline_range": [round(min(baselines), 1), round(max(baselines), 1)],
        "pages": pages,
    }


def measure_served(drawn: dict[str, list[str]]) -> tuple[dict, dict]:
    """Under one gunicorn (gunicorn.conf.py, WORKERS workers): the realistic mix, then each
    search page's requests per second."""
    wrk = ensure_wrk()
    say(f"gunicorn (gunicorn.conf.py, {WORKERS} workers)")
    with gunicorn(CHILD_ENV, workers=WORKERS) as (base, master):
        mix = measure_mix(base, wrk, drawn, master)
        throughput = measure_throughput(int(base.rsplit(":", 1)[1]), wrk)
    return mix, throughput


# -- report -----------------------------------------------------------------------------------


def verdicts(results: dict) -> dict[str, bool]:
    sql, imported = results["sql"], results.get("import")
    selective = [label for label, _kind, _p in QUERIES if _kind == "selective"]
    broad = [label for label, _kind, _p in QUERIES if _kind == "broad"]
    out = {
        "selective p95 <= 20 ms": all(
            sql[label]["sql_p95_ms"] <= GOALS["selective_p95_ms"] for label in selective
        ),
        "broad p95 <= 60 ms": all(
            sql[label]["sql_p95_ms"] <= GOALS["broad_p95_ms"] for label in broad
        ),
        "page p95 <= 50 ms": all(
            row["page_p95_ms"] <= GOALS["page_p95_ms"] for row in sql.values()
        ),
        "<= 4 queries per search page": all(
            row["queries"] <= GOALS["queries_per_page"] for row in sql.values()
        ),
    }
    if imported:
        out["import < 5 min"] = imported["seconds"] < GOALS["import_seconds"]
        out["import < 1 GiB"] = imported["peak_mib"] < GOALS["import_peak_mib"]
    return out


def mix_verdicts(results: dict) -> dict[str, bool]:
    """Issue 17's goals for the realistic mix and for its page types measured alone."""
    named = [row for row in results["alone"].values() if row["goal"]]
    mix = results["mix"]
    median = mix["median"]["mix"] if mix else {}
    return {
        f"mix: 0 errors ({MIX_CONNECTIONS} connections, {WORKERS} workers)": bool(mix)
        and mix["errors"] == 0,
        f"mix: p95 <= {GOALS['mix_p95_ms']} ms (median of rounds)": bool(mix)
        and median["p95_ms"] <= GOALS["mix_p95_ms"],
        f"mix: p99 <= {GOALS['mix_p99_ms']} ms (median of rounds)": bool(mix)
        and median["p99_ms"] <= GOALS["mix_p99_ms"],
        f"mix: >= {GOALS['mix_ratio']:.2f} x the baseline page's req/s (median of rounds)": (
            bool(mix) and mix["median"]["ratio"] >= GOALS["mix_ratio"]
        ),
        f"page types alone: p95 <= {GOALS['alone_p95_ms']} ms": all(
            row["page_p95_ms"] <= GOALS["alone_p95_ms"] for row in named
        ),
        f"page types alone: <= {GOALS['queries_per_page']} queries": all(
            row["queries"] <= GOALS["queries_per_page"] for row in named
        ),
    }


def print_mix(results: dict) -> None:
    mix = results["mix"]
    print()
    if not mix:
        print("Realistic mix: not measured (it needs wrk)")
    else:
        print(
            f"Realistic mix (the headline): {mix['connections']} connections, {mix['workers']}"
            f" gunicorn workers, wrk; {len(mix['rounds'])} rounds of {mix['seconds']} s of the"
            " baseline page then the mix at the same concurrency"
        )
        header = (
            f"{'round':7} {'base req/s':>10} {'p50':>7} {'p95':>7} {'p99':>7} {'err':>4} |"
            f" {'mix req/s':>9} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6} {'x base':>7}"
        )
        print(header)
        print("-" * len(header))

        def line(label: str, base: dict, served: dict, errors: str, ratio: float) -> str:
            return (
                f"{label:7} {base['rps']:>10.1f} {base['p50_ms']:>6.1f}m {base['p95_ms']:>6.1f}m"
                f" {base['p99_ms']:>6.1f}m {base.get('errors', ''):>4} | {served['rps']:>9.1f}"
                f" {served['p50_ms']:>6.1f}m {served['p95_ms']:>6.1f}m {served['p99_ms']:>6.1f}m"
                f" {errors:>6} {ratio:>7.3f}"
            )

        for number, item in enumerate(mix["rounds"], 1):
            print(
                line(
                    str(number),
                    item["baseline"],
                    item["mix"],
                    str(item["mix"]["errors"]),
                    item["ratio"],
                )
            )
        median = mix["median"]
        total = f"{mix['errors']} all"
        print(line("median", median["baseline"], median["mix"], total, median["ratio"]))
        print(
            "(the mix's page types and weights, in thousandths, are in the table below;"
            " gunicorn workers' peak memory: "
            + ", ".join(f"{mib} MiB" for mib in mix["worker_peak_rss_mib"].values())
            + ")"
        )
    print()
    print(
        f"Page types measured alone: in this process through Django's test client, p50 and"
        f" p95 over {RUNS} runs; * = named by the goal"
    )
    when = results["alone_when"]
    print(
        f"(the site's clock read {when['local_time']}, when {when['open']:,} of"
        f" {when['public']:,} public listings are open: BENCH_AT sets another moment)"
    )
    header = (
        f"{'page type':31} {'weight':>6} {'paths':>5} {'page p50':>9} {'page p95':>9}"
        f" {'SQL p95':>8} {'queries':>7} {'results':>13}  path measured alone"
    )
    print(header)
    print("-" * len(header))
    for name, row in results["alone"].items():
        print(
            f"{name + (' *' if row['goal'] else ''):31} {row['weight']:>6} {row['paths']:>5}"
            f" {row['page_p50_ms']:>8.1f}m"
            f" {row['page_p95_ms']:>8.1f}m {row['sql_p95_ms']:>7.1f}m {row['queries']:>7}"
            f" {row['results'] or '-':>13}  {row['url']}"
        )
    print()
    for goal, met in results["mix_goals"].items():
        print(f"  [{'met' if met else 'MISSED'}] {goal}")


def print_table(results: dict) -> None:
    print()
    print(
        f"Directory benchmark: {results['services']:,} services imported"
        f" ({results['services_in_database']:,} in the database with {LARGE_ORGANIZATION}"
        f" and the demo content), database {results['database']}"
    )
    imported = results.get("import")
    if imported:
        print(f"import_hsds: {imported['seconds']} s, peak memory {imported['peak_mib']} MiB")
    print_mix(results)
    print()
    print("Search pages (in process as above, then each one's req/s under gunicorn)")
    web = results["throughput"]
    low, high = web["baseline_range"]
    print(
        f"baseline page: median {web['baseline_rps']} req/s, {low}-{high} ({web['tool']},"
        f" {CONNECTIONS} connections, {web['workers']} gunicorn workers, {SECONDS} s per run;"
        f" {web['rounds']} rounds per search page of a baseline run and a search run; a page's"
        " req/s, base and x base are the medians of its rounds)"
    )
    header = (
        f"{'query':24} {'kind':9} {'SQL p50':>8} {'SQL p95':>8} {'page p50':>9} {'page p95':>9} "
        f"{'queries':>7} "
        f"{'req/s':>8} {'base':>7} {'x base':>7}  results"
    )
    print(header)
    print("-" * len(header))
    for label, kind, _params in QUERIES:
        sql = results["sql"][label]
        page = web["pages"][label]
        print(
            f"{label:24} {kind:9} {sql['sql_p50_ms']:>7.1f}m {sql['sql_p95_ms']:>7.1f}m "
            f"{sql['page_p50_ms']:>8.1f}m {sql['page_p95_ms']:>8.1f}m {sql['queries']:>7} "
            f"{page['rps']:>8.1f} "
            f"{page['baseline_rps']:>7.0f} "
            f"{page['ratio']:>7.2f}  "
            f"{sql['results_text']}"
        )
    print()
    for goal, met in results["goals"].items():
        print(f"  [{'met' if met else 'MISSED'}] {goal}")
    hsds_api.print_api(results["api"])
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


def main() -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    results: dict = {
        "services": SERVICES,
        "database": urlsplit(DATABASE_URL).path.lstrip("/"),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if os.environ.get("BENCH_SKIP_IMPORT") != "1":
        make_package()
        reset_database()
        results["import"] = run_import()
    os.environ.update(CHILD_ENV)
    import django

    django.setup()
    add_baseline_cities()
    # DEBUG=0 serves hashed static file names: the manifest must exist before any page renders.
    manage("collectstatic", "--noinput", "-v", "0")
    # The mix reads compacts, cities and curriculum too: the demo content has them (it is
    # safe to load again; it changes nothing then).
    manage("load_demo", stdout=subprocess.DEVNULL)
    say(add_large_organization())
    from directory.models import Service

    results["services_in_database"] = Service.objects.count()
    drawn = draw_paths()
    timer = PageTimer()
    at = busy_instant()
    results["alone_when"] = open_when_measured(at)
    results["alone"] = measure_alone(timer, drawn, at)
    results["sql"] = measure_sql(timer)
    results["api"] = {"search": hsds_api.measure_search(timer)}
    results["mix"], results["throughput"] = measure_served(drawn)
    say("the HSDS API: every service as ndjson from one gunicorn worker")
    results["api"]["stream"] = hsds_api.measure_stream(
        CHILD_ENV, expected=Service.objects.public().count()
    )
    results["api"]["goals"] = hsds_api.verdicts(results["api"])
    results["goals"] = verdicts(results)
    results["mix_goals"] = mix_verdicts(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
