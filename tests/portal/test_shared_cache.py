"""Without REDIS_URL, production keeps its cache in the database, so that every gunicorn worker
counts the same rate limits. Shown with two real workers: each serves half of the counted
suggestions, and the one over the limit is refused whichever worker takes it."""

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4  # suggestions per hour from one address
SUGGEST = "/directory/suggest/"


@pytest.mark.django_db
def test_migrate_creates_the_cache_table():
    assert "portal_cache" in connection.introspection.table_names()


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    """A production environment on a scratch SQLite database that `migrate` made."""
    folder = tmp_path_factory.mktemp("two-workers")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "ALLOWED_HOSTS"}
    }
    env.update(
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="tests.portal.two_workers_settings",
        RATE_LIMIT_SUGGEST_PER_HOUR=str(LIMIT),
        LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return env


@contextlib.contextmanager
def two_workers(env: dict[str, str], logs: Path) -> Iterator[tuple[int, int, Path]]:
    """gunicorn with the project's config and two sync workers; yields (port, master pid,
    access log), each access line being "<pid> METHOD PATH QUERY STATUS"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    access_log = logs / "access.log"
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    errors = logs / "gunicorn.log"
    with errors.open("w") as error_log:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn config
            [
                *(sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"),
                *("--access-logfile", str(access_log)),
                *("--access-logformat", "%(p)s %(m)s %(U)s %(q)s %(s)s"),
                "--no-control-socket",  # leaves a developer's own gunicorn alone
                "compassion_portal.wsgi",
            ],
            cwd=ROOT,
            env=server_env,
            stdout=error_log,
            stderr=error_log,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{errors.read_text()}")
                time.sleep(0.2)
        yield port, server.pid, access_log
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def csrf_token(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{SUGGEST}", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie")
    return next(re.match(r"csrftoken=(\w+)", c).group(1) for c in cookies if "csrftoken=" in c)


def suggestion_body(token: str) -> bytes:
    """A suggestion without a message: sent (and counted), then refused by the form."""
    return f"csrfmiddlewaretoken={token}&message=".encode()


def start_suggestion(port: int, label: str, token: str) -> socket.socket:
    """Send a suggestion's headers but not its body: the worker that accepts the connection
    waits for the body, and takes no other request until it comes."""
    client = socket.create_connection(("127.0.0.1", port), timeout=20)
    client.sendall(
        f"POST {SUGGEST}?attempt={label} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(suggestion_body(token))}\r\nCookie: csrftoken={token}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    return client


def finish_suggestion(client: socket.socket, token: str) -> int:
    """Send the body and return the response's status."""
    with client:
        client.sendall(suggestion_body(token))
        response = b""
        while b"\r\n" not in response:
            chunk = client.recv(4096)
            if not chunk:
                break
            response += chunk
    return int(response.split(b" ", 2)[1])


def suggestions_in_access_log(access_log: Path, expected: int) -> dict[str, tuple[int, int]]:
    """{attempt label: (worker pid, status)} of the POSTs, once all of them are logged."""
    deadline = time.monotonic() + 10
    while True:
        lines = [line.split() for line in access_log.read_text().splitlines()]
        posts = {
            line[3].removeprefix("attempt="): (int(line[0].strip("<>")), int(line[4]))
            for line in lines
            if line[1] == "POST"
        }
        if len(posts) >= expected or time.monotonic() > deadline:
            return posts
        time.sleep(0.1)


def send_suggestions(port: int) -> dict[str, int]:
    """LIMIT suggestions in pairs, each pair's first one held by one worker while the other
    worker serves the second; then one more. Returns each suggestion's status by label."""
    token = csrf_token(port)
    statuses = {}
    for pair in range(LIMIT // 2):
        held = start_suggestion(port, f"held-{pair}", token)
        time.sleep(0.2)  # until a worker has accepted it
        other = start_suggestion(port, f"other-{pair}", token)
        statuses[f"other-{pair}"] = finish_suggestion(other, token)
        statuses[f"held-{pair}"] = finish_suggestion(held, token)
    statuses["over"] = finish_suggestion(start_suggestion(port, "over", token), token)
    return statuses


def worker_pids(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return {int(pid) for pid in children.split()}


@pytest.mark.gunicorn
@pytest.mark.parametrize(
    ("per_worker_cache", "over_the_limit"),
    [
        # The production settings: the database cache, shared by both workers.
        ("0", 429),
        # A cache per worker would let each worker count only its own half: no 429.
        ("1", 200),
    ],
    ids=["database-cache", "per-worker-cache"],
)
def test_two_workers_share_one_rate_limit(
    production_env, tmp_path, per_worker_cache, over_the_limit
):
    env = {**production_env, "PER_WORKER_CACHE": per_worker_cache}
    with two_workers(env, tmp_path) as (port, master_pid, access_log):
        statuses = send_suggestions(port)
        workers = worker_pids(master_pid)
    served = suggestions_in_access_log(access_log, expected=LIMIT + 1)

    counted = {label: status for label, status in statuses.items() if label != "over"}
    assert set(counted.values()) == {200}  # each re-renders the form: a message is required
    assert statuses["over"] == over_the_limit
    assert {label: status for label, (_, status) in served.items()} == statuses
    # Both workers served counted suggestions, two each: every pair was split between them.
    for pair in range(LIMIT // 2):
        assert served[f"held-{pair}"][0] != served[f"other-{pair}"][0]
    counted_by = {served[label][0] for label in counted}
    assert len(counted_by) == 2
    assert counted_by == workers
