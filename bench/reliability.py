"""Does the portal ride out a Postgres restart?

Runs gunicorn (production settings) on a scratch Postgres database with the demo content,
behind nginx as in production (bench/_server.py writes its config; Debian's nginx must be
installed), sends a steady stream of requests through nginx to the home, search and compact
pages for 60 seconds, restarts Postgres in the middle, and reports the failed requests (by
status) and how long the site took to recover. Goals: at most 5 failed requests per restart,
full recovery within 3 s, and failures answered with 503, never 500 (nor nginx's 502 or 504).

    python bench/reliability.py [--seconds 60] [--clients 4] [--rate 40]

It restarts a Postgres cluster of its own (port 5433, created on first use), never the
machine's main one.
"""

import argparse
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

from _server import (
    ROOT,
    ensure_scratch_cluster,
    fresh_database,
    gunicorn,
    nginx,
    postgres_ready,
    prepare_site,
    production_env,
    restart_scratch_postgres,
)


@dataclass
class Outcome:
    started: float
    finished: float
    path: str
    status: int  # 0 when the connection itself failed


def fetch(base: str, path: str) -> Outcome:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=15) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return Outcome(started, time.monotonic(), path, status)


def pages_to_hit(base: str) -> list[str]:
    with urllib.request.urlopen(base + "/compacts/", timeout=15) as response:
        html = response.read().decode()
    compact = re.search(r'href="(/compacts/[a-z0-9-]+/)"', html)
    paths = ["/", "/directory/?q=food", "/directory/?q=shelter&open_now=1"]
    if compact:
        paths.append(compact.group(1))
    return paths


def client_loop(base, paths, stop_at, interval, outcomes, lock, offset):
    index = offset
    while time.monotonic() < stop_at:
        tick = time.monotonic()
        outcome = fetch(base, paths[index % len(paths)])
        index += 1
        with lock:
            outcomes.append(outcome)
        time.sleep(max(0.0, interval - (time.monotonic() - tick)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=40, help="requests per second in all")
    parser.add_argument("--restart-at", type=float, default=None, help="default: half-way")
    args = parser.parse_args()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)

    port = ensure_scratch_cluster()
    env = production_env(fresh_database("portal_reliability", port), TRUSTED_PROXY_COUNT="1")
    prepare_site(env)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    with (
        gunicorn(env) as (app, _pid),
        nginx([app], ROOT / "bench" / "results" / "nginx") as (base, _access_log),
    ):
        paths = pages_to_hit(base)
        begin = time.monotonic()
        stop_at = begin + args.seconds
        interval = args.clients / args.rate
        threads = [
            threading.Thread(
                target=client_loop,
                args=(base, paths, stop_at, interval, outcomes, lock, n),
                daemon=True,
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.restart_at if args.restart_at is not None else args.seconds / 2)
        restart_began = time.monotonic()
        restart_scratch_postgres()
        while not postgres_ready(port):
            time.sleep(0.05)
        postgres_back = time.monotonic()
        for thread in threads:
            thread.join()

    failures = [o for o in outcomes if o.status != 200]
    statuses = Counter(o.status for o in outcomes)
    last_failure = max((o.finished for o in failures), default=None)
    recovery_after_back = max(0.0, last_failure - postgres_back) if last_failure else 0.0
    report = {
        "seconds": args.seconds,
        "through": "nginx -> gunicorn (2 workers)",
        "requests": len(outcomes),
        "paths": paths,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "failed_requests": len(failures),
        "server_errors_500_or_more_but_not_503": sum(
            1 for o in failures if o.status >= 500 and o.status != 503
        ),
        "connection_errors": statuses.get(0, 0),
        "postgres_restart_seconds": round(postgres_back - restart_began, 3),
        "recovery_seconds_after_postgres_back": round(recovery_after_back, 3),
        "recovery_seconds_from_restart": round(last_failure - restart_began, 3)
        if last_failure
        else 0.0,
    }
    (ROOT / "bench" / "results" / "reliability.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    ok = (
        report["failed_requests"] <= 5
        and report["recovery_seconds_after_postgres_back"] <= 3
        and report["server_errors_500_or_more_but_not_503"] == 0
    )
    print("GOAL MET" if ok else "GOAL NOT MET")


if __name__ == "__main__":
    main()
