"""`make bench`: the directory at 200,000 services, measured against the issue's goals.

1. Writes the synthetic package (bench/make_synthetic_hsds.py) under var/, once.
2. Drops and re-creates a separate Postgres database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/portal_bench), migrates it, and imports the package
   with `manage.py import_hsds`, reporting wall time and peak memory of that process.
3. For a fixed mix of selective and broad queries: the search page's SQL time (every
   statement the page runs, timed with connection.execute_wrapper; p50 and p95 over
   BENCH_RUNS runs), the page's whole server time (p50, in this process through Django's test
   client) and the number of SQL queries per search page.
4. Serves the site with gunicorn (gunicorn.conf.py, DEBUG=0, HTTPS=0) on a free localhost
   port with bench.settings and measures requests per second of each search page beside the
   baseline page /bench/baseline/ (one query of 12 rows through a tiny template): in rounds
   of a baseline run and then a search run (the median round counts), with wrk when it is
   installed (the script tries apt-get when running as root) or a bounded Python thread
   pool otherwise. Only 127.0.0.1 is ever contacted.

Prints a table and writes bench/results/latest.json. Environment knobs: BENCH_SERVICES
(200000), BENCH_RUNS (30), BENCH_SECONDS (5 per run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (4),
BENCH_WORKERS (gunicorn workers, 2), BENCH_SKIP_IMPORT=1 (reuse the database as it is).
"""

from __future__ import annotations

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _server import PYTHON, ROOT, fresh_database, gunicorn, production_env

SERVICES = int(os.environ.get("BENCH_SERVICES", "200000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
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


def measure_sql() -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    durations: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            durations.append(time.perf_counter() - started)

    out = {}
    for label, kind, params in QUERIES:
        url = "/directory/?" + urlencode(params)
        client.get(url)  # warm caches, compile templates
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        per_run: list[float] = []
        page_times: list[float] = []
        statements: list[int] = []
        for _ in range(RUNS):
            durations.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                client.get(url)
            page_times.append((time.perf_counter() - started) * 1000)
            per_run.append(sum(durations) * 1000)
            statements.append(len(durations))
        reset_queries()
        per_run.sort()
        out[label] = {
            "kind": kind,
            "url": url,
            # Both counts: Django's own (CaptureQueriesContext) and every statement the
            # execute wrapper saw, the larger over all runs.
            "queries": max(len(captured.captured_queries), *statements),
            "sql_p50_ms": round(statistics.median(per_run), 2),
            "sql_p95_ms": round(per_run[max(0, round(0.95 * len(per_run)) - 1)], 2),
            # The server's whole time for the page (middleware, view, SQL, template), in
            # this process through Django's test client: no network, no gunicorn.
            "page_p50_ms": round(statistics.median(page_times), 2),
            "page_p95_ms": round(sorted(page_times)[max(0, round(0.95 * RUNS) - 1)], 2),
            "results_text": _result_count(response.content.decode()),
        }
        say(
            f"{label}: SQL {out[label]['sql_p50_ms']} / {out[label]['sql_p95_ms']} ms, "
            f"page {out[label]['page_p50_ms']} / {out[label]['page_p95_ms']} ms, "
            f"{out[label]['queries']} queries"
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


def measure_throughput() -> dict:
    """Requests per second of each search page against the baseline page, in ROUNDS rounds
    of a baseline run followed at once by a search page run. Each round's ratio compares
    two runs seconds apart, so a slower or faster spell of this (shared) machine moves both;
    a page's ratio is the median of its rounds, which a single unlucky run cannot decide."""
    wrk = ensure_wrk()
    tool = "wrk" if wrk else "Python threads"
    say(f"gunicorn (gunicorn.conf.py, {WORKERS} workers); load with {tool}, {ROUNDS} rounds")
    with gunicorn(CHILD_ENV, workers=WORKERS) as (base, _pid):
        port = int(base.rsplit(":", 1)[1])
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


def print_table(results: dict) -> None:
    print()
    print(f"Directory benchmark: {results['services']:,} services, database {results['database']}")
    imported = results.get("import")
    if imported:
        print(f"import_hsds: {imported['seconds']} s, peak memory {imported['peak_mib']} MiB")
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
    results["sql"] = measure_sql()
    results["throughput"] = measure_throughput()
    results["goals"] = verdicts(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
