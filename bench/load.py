"""A realistic load on the whole portal: gunicorn on Postgres with the demo content plus the
200,000-service synthetic directory, driven by wrk with 50 concurrent connections.

The mix: 80 % directory (searches, service and organization pages), 15 % compact and city
pages, 5 % curriculum. Reports requests per second, p50/p95/p99 latency, errors and each
gunicorn worker's peak memory (goal: under 150 MiB per worker, 0 errors).

    make bench            # first: builds the 200,000-service database (portal_bench)
    python bench/load.py [--seconds 60] [--connections 50] [--workers 4]

Only 127.0.0.1 is contacted.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys

from _server import ROOT, gunicorn, manage, peak_rss_mib, production_env, worker_pids

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


def build_paths(database_url: str, seed: int = 7) -> list[tuple[int, str]]:
    """Weighted paths drawn from the database: 80 % directory, 15 % compacts, 5 % curriculum."""
    os.environ.update(production_env(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from compacts.models import City, Compact
    from curriculum.models import Lesson, Theme
    from directory.models import Organization, Service

    rng = random.Random(seed)
    services = list(Service.objects.public().order_by("?").values_list("slug", flat=True)[:400])
    organizations = list(Organization.objects.order_by("?").values_list("slug", flat=True)[:200])
    searches = [f"/directory/?q={word.replace(' ', '+')}" for word in SEARCH_WORDS]
    searches += ["/directory/", "/directory/?q=food&open_now=1"]
    compacts = [f"/compacts/{slug}/" for slug in Compact.objects.values_list("slug", flat=True)]
    cities = [f"/cities/{slug}/" for slug in City.objects.values_list("slug", flat=True)[:60]]
    lessons = [f"/curriculum/lessons/{s}/" for s in Lesson.objects.values_list("slug", flat=True)]
    themes = [f"/curriculum/themes/{s}/" for s in Theme.objects.values_list("slug", flat=True)]
    groups = [  # (share in thousandths, paths sharing it equally)
        (500, searches),
        (200, [f"/directory/services/{slug}/" for slug in services]),
        (100, [f"/directory/organizations/{slug}/" for slug in organizations]),
        (30, ["/compacts/"]),
        (60, compacts),
        (30, ["/cities/"]),
        (30, cities),
        (15, ["/curriculum/"]),
        (35, lessons + themes),
    ]
    weighted = [
        (share * 1000 // len(paths), path) for share, paths in groups if paths for path in paths
    ]
    rng.shuffle(weighted)
    return weighted


def share(weighted: list[tuple[int, str]], prefixes: tuple[str, ...]) -> float:
    total = sum(w for w, _ in weighted)
    return sum(w for w, p in weighted if p.startswith(prefixes)) / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
        ),
    )
    args = parser.parse_args()
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)

    env = production_env(args.database_url)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    weighted = build_paths(args.database_url)
    paths_file = results / "paths.txt"
    paths_file.write_text("".join(f"{w}\t{p}\n" for w, p in weighted))
    mix = {
        "directory": round(share(weighted, ("/directory/",)), 3),
        "compacts_and_cities": round(share(weighted, ("/compacts/", "/cities/")), 3),
        "curriculum": round(share(weighted, ("/curriculum/",)), 3),
    }

    with gunicorn(env, workers=args.workers) as (base, master):
        command = [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "mix.lua"),
            base,
        ]
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "MIX_PATHS": str(paths_file)},
        )
        workers = {pid: round(peak_rss_mib(pid), 1) for pid in worker_pids(master)}

    line = next(x for x in run.stdout.splitlines() if x.startswith("RESULT "))
    figures = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
    errors = sum(
        figures[k]
        for k in ("connect_errors", "read_errors", "write_errors", "timeouts", "status_errors")
    )
    report = {
        "seconds": args.seconds,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "mix": mix,
        "requests": int(figures["requests"]),
        "requests_per_second": figures["rps"],
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": int(errors),
        "worker_peak_rss_mib": workers,
    }
    (results / "load.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    ok = errors == 0 and workers and max(workers.values()) < 150
    print("GOAL MET" if ok else "GOAL NOT MET")


if __name__ == "__main__":
    main()
