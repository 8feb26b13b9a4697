"""The HSDS API in `make bench` (issue "HSDS 3.0 in full"): its search's server time, and one
ndjson stream of every service through gunicorn with the worker's memory.

- ``measure_search``: ``/api/hsds/services?search=food`` in process, through the same
  PageTimer as the pages (whole server time p50/p95, SQL time, queries).
- ``measure_stream``: one gunicorn worker (gunicorn.conf.py, its timeout as configured) serves
  ``/api/hsds/services?format=ndjson``; the stream is read to its end, counting lines, and the
  worker's peak resident memory (VmHWM) is read before and after. A stream the worker cannot
  finish (killed by gunicorn's timeout, an error) is reported as such with the lines it sent.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

from _server import gunicorn, peak_rss_mib, worker_pids

SEARCH_PATH = "/api/hsds/services?search=food"
STREAM_PATH = "/api/hsds/services?format=ndjson"
GOALS = {"search_p95_ms": 50, "stream_worker_mib": 200}


def measure_search(timer) -> dict:
    figures, _text = timer.measure(SEARCH_PATH)
    return figures


def measure_stream(env: dict[str, str], expected: int) -> dict:
    """Stream every service as ndjson from a single worker; ``expected`` is how many public
    services the stream should hold."""
    with gunicorn({**env, "RATE_LIMIT_API_PER_HOUR": "1000000"}, workers=1) as (base, master):
        [worker] = worker_pids(master)
        before = peak_rss_mib(worker)
        parts = urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        started = time.monotonic()
        lines, complete, error = 0, False, ""
        try:
            connection.request("GET", STREAM_PATH)
            response = connection.getresponse()
            if response.status != 200:
                error = f"answered {response.status}"
            else:
                tail, last = b"", b""
                while chunk := response.read(1 << 16):
                    tail += chunk
                    *whole, tail = tail.split(b"\n")
                    lines += len(whole)
                    last = whole[-1] if whole else last
                complete = tail == b""
                if last:
                    json.loads(last)  # the stream ends with a whole JSON object
        except (OSError, http.client.HTTPException, ValueError) as problem:
            error = f"{type(problem).__name__}: {problem}"
        seconds = time.monotonic() - started
        alive = worker in worker_pids(master)
        after = peak_rss_mib(worker) if alive else None
    return {
        "path": STREAM_PATH,
        "lines": lines,
        "expected": expected,
        "complete": complete and lines == expected and alive,
        "seconds": round(seconds, 1),
        "worker_peak_mib_before": round(before, 1),
        "worker_peak_mib": round(after, 1) if after is not None else None,
        "worker_survived": alive,
        "error": error,
    }


def verdicts(api: dict) -> dict[str, bool]:
    stream = api["stream"]
    return {
        f"API search p95 <= {GOALS['search_p95_ms']} ms": api["search"]["page_p95_ms"]
        <= GOALS["search_p95_ms"],
        f"ndjson of every service streams, worker < {GOALS['stream_worker_mib']} MiB": bool(
            stream["complete"]
            and stream["worker_peak_mib"] is not None
            and stream["worker_peak_mib"] < GOALS["stream_worker_mib"]
        ),
    }


def print_api(api: dict) -> None:
    search, stream = api["search"], api["stream"]
    print()
    print("HSDS API")
    print(
        f"  {search['url']}: page {search['page_p50_ms']} / {search['page_p95_ms']} ms (p50 /"
        f" p95), SQL {search['sql_p50_ms']} / {search['sql_p95_ms']} ms,"
        f" {search['queries']} queries"
    )
    print(
        f"  {stream['path']}: {stream['lines']:,} of {stream['expected']:,} lines in"
        f" {stream['seconds']} s; worker peak {stream['worker_peak_mib_before']} MiB before,"
        f" {stream['worker_peak_mib']} MiB after"
        + ("" if stream["worker_survived"] else " (the worker did not survive the stream)")
        + (f"; {stream['error']}" if stream["error"] else "")
    )
    for goal, met in api["goals"].items():
        print(f"  [{'met' if met else 'MISSED'}] {goal}")
