"""The realistic mix (bench/mix.py, the same one `make bench` reports first) on its own, with
knobs of its own: gunicorn on Postgres with the demo content plus the 200,000-service
synthetic directory, driven by wrk. Reports requests per second, p50/p95/p99 latency, errors
and each gunicorn worker's peak memory (goal: under 150 MiB per worker, 0 errors).

    make bench            # first: builds the 200,000-service database (portal_bench)
    python bench/load.py [--seconds 60] [--connections 50] [--workers 4]

Only 127.0.0.1 is contacted.
"""

import argparse
import json
import os
import shutil
import sys

from _server import ROOT, gunicorn, manage, peak_rss_mib, production_env, worker_pids
from large_organization import add_large_organization
from mix import MIX, draw_paths, run_wrk, write_paths


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
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    results = ROOT / "bench" / "results"

    env = production_env(args.database_url)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    print(add_large_organization())
    paths_file = write_paths(draw_paths(), results / "paths.txt")

    with gunicorn(env, workers=args.workers) as (base, master):
        figures = run_wrk(wrk, base, paths_file, args.seconds, args.connections)
        workers = {pid: round(peak_rss_mib(pid), 1) for pid in worker_pids(master)}

    report = {
        "seconds": args.seconds,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "weights": {page.name: page.weight for page in MIX},
        "requests": figures["requests"],
        "requests_per_second": figures["rps"],
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": figures["errors"],
        "worker_peak_rss_mib": workers,
    }
    (results / "load.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    ok = figures["errors"] == 0 and workers and max(workers.values()) < 150
    print("GOAL MET" if ok else "GOAL NOT MET")


if __name__ == "__main__":
    main()
