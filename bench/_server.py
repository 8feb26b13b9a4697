"""Shared plumbing for the scripts under bench/: a scratch Postgres database and a gunicorn.

Every script talks only to 127.0.0.1: the database on this machine and a gunicorn it starts.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAIN_PORT = 5432
# A cluster of its own for the scripts that restart Postgres, so that they never pull the
# server out from under anything else on this machine.
SCRATCH_CLUSTER, SCRATCH_PORT = "bench", 5433


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def psql(sql: str, port: int = MAIN_PORT) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc", sql, "postgres"],
        check=True,
        capture_output=True,
    )


def fresh_database(name: str, port: int = MAIN_PORT) -> str:
    """Drop and recreate ``name``; return its DATABASE_URL."""
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", port)
    psql(f"CREATE DATABASE {name}", port)
    return f"postgres://postgres@127.0.0.1:{port}/{name}"


def ensure_scratch_cluster() -> int:
    """Create (once) and start the scratch Postgres cluster; return its port."""
    version = pg_version()
    if not Path(f"/etc/postgresql/{version}/{SCRATCH_CLUSTER}").exists():
        subprocess.run(
            [
                "pg_createcluster",
                "-p",
                str(SCRATCH_PORT),
                version,
                SCRATCH_CLUSTER,
                "--",
                "--auth=trust",
            ],
            check=True,
            capture_output=True,
        )
    if not postgres_ready(SCRATCH_PORT):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, SCRATCH_CLUSTER, "start"],
            check=True,
            capture_output=True,
        )
    return SCRATCH_PORT


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The production settings plus the baseline page (bench/settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_site(env: dict[str, str]) -> None:
    """Migrate, load the demo content (no known-password accounts: DEBUG is off), collect static."""
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, **extra_env: str) -> Iterator[tuple[str, int]]:
    """Run gunicorn with the project's config on a free port; yield (base url, master pid)."""
    port = free_port()
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_MAX_REQUESTS": "0",
        **extra_env,
    }
    results = ROOT / "bench" / "results"  # not in git: a fresh clone has no such folder
    results.mkdir(parents=True, exist_ok=True)
    log = open(results / "gunicorn.log", "a")  # noqa: SIM115
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "compassion_portal.wsgi",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz")
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process has ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def restart_scratch_postgres() -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), SCRATCH_CLUSTER, "restart"],
        check=True,
        capture_output=True,
    )


def postgres_ready(port: int = MAIN_PORT) -> bool:
    command = ["pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"]
    return subprocess.run(command, check=False).returncode == 0
