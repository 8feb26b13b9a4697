"""Shared plumbing for the scripts under bench/ and the deployment tests (tests/deploy/): a
scratch Postgres database, a gunicorn, and an nginx in front of it.

Every script talks only to 127.0.0.1: the database on this machine and the servers it starts.
"""

import contextlib
import os
import secrets
import shutil
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
def gunicorn(
    env: dict[str, str], workers: int = 2, log_path: Path | None = None, **extra_env: str
) -> Iterator[tuple[str, int]]:
    """Run gunicorn with the project's config on a free port; yield (base url, master pid).
    Its output goes to ``log_path`` (default: bench/results/gunicorn.log)."""
    port = free_port()
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_MAX_REQUESTS": "0",
        **extra_env,
    }
    if log_path is None:
        results = ROOT / "bench" / "results"  # not in git: a fresh clone has no such folder
        results.mkdir(parents=True, exist_ok=True)
        log_path = results / "gunicorn.log"
    log = open(log_path, "a")  # noqa: SIM115
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            # No control socket: it is one path per user, which a second gunicorn (or a
            # developer's own) would fight over.
            "--no-control-socket",
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
            process.wait()
        log.close()


def nginx_binary() -> str | None:
    """Debian's nginx (apt-get install nginx), wherever PATH or /usr/sbin has it."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def nginx_config(folder: Path, port: int, upstreams: list[str]) -> str:
    """A reverse proxy on 127.0.0.1:``port`` in front of the gunicorns at ``upstreams``
    (their base urls, as gunicorn() yields them), taken in turn. It keeps its pid, logs and
    temporary files in ``folder``, so it runs as root or not without touching /etc/nginx or
    /var; bodies and responses stay in memory, so its workers (nobody, under root) never need
    the folder.

    The access log's lines are: client address, upstream, status, "request line",
    "X-Forwarded-For as sent on to the upstream".
    """
    servers = "\n".join(
        f"        server {upstream.removeprefix('http://')};" for upstream in upstreams
    )
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return f"""daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{
    worker_connections 256;
}}
http {{
    log_format proxied '$remote_addr $upstream_addr $status "$request" '
                       '"$proxy_add_x_forwarded_for"';
    access_log {folder / "access.log"} proxied;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;
    upstream portal {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(upstreams: list[str], folder: Path) -> Iterator[tuple[str, Path]]:
    """Run nginx (not as a daemon) in front of ``upstreams`` on a free port until the block
    ends; yield (base url, access log). The upstreams must already answer /healthz."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, port, upstreams))
    output = open(folder / "nginx.out", "a")  # noqa: SIM115
    # -e: the error log from the very start, before the config names it (else nginx tries
    # /var/log/nginx/error.log first); -p: relative paths under the folder.
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
        stdout=output,
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(base + "/healthz", timeout=20)
        except RuntimeError as error:
            log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
            raise RuntimeError(f"{error}; nginx said:\n{log}") from error
        yield base, folder / "access.log"
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


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
