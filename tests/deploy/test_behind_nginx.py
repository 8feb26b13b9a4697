"""Behind a real nginx (Debian's), the portal knows its visitors: the rate limits and the audit
log count the address nginx saw, not nginx's own, and not one a visitor forges in
X-Forwarded-For.

The site runs as in production (DEBUG off, two gunicorn workers, TRUSTED_PROXY_COUNT=1) on a
scratch SQLite database of its own, behind an nginx on loopback ports that appends the
client's address to X-Forwarded-For (bench/_server.py writes its config). Each visitor
connects from an address of its own (127.0.0.2, 127.0.0.3, ...)."""

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench._server import ROOT, gunicorn, nginx, production_env
from tests.deploy.visitor import LOCKED_OUT, WRONG_CREDENTIALS, Visitor

LIMIT = 4  # suggestions an hour from one address
SUGGEST = "/directory/suggest/"
SETTINGS = "tests.deploy.server_settings"

pytestmark = pytest.mark.gunicorn


@dataclass
class Site:
    port: int  # nginx's
    database: Path
    access_log: Path  # nginx's: client, upstream, status, "request", "X-Forwarded-For sent on"
    made: dict[str, str]  # what scratch_site.py made

    def visitor(self, address: str) -> Visitor:
        return Visitor(address, self.port)


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py and module
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory, nginx_installed) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("behind-nginx")
    database = folder / "db.sqlite3"
    env = production_env(
        f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE=SETTINGS,
        REDIS_URL="",  # the database's cache table, which both workers share
        TRUSTED_PROXY_COUNT="1",
        RATE_LIMIT_SUGGEST_PER_HOUR=str(LIMIT),
    )
    run(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    made = json.loads(run(env, "-m", "tests.deploy.scratch_site"))
    with (
        gunicorn(env, workers=2, log_path=folder / "gunicorn.log") as (app, _pid),
        nginx([app], folder / "nginx") as (base, access_log),
    ):
        yield Site(int(base.rsplit(":", 1)[1]), database, access_log, made)


def suggest(visitor: Visitor, forged: str) -> int:
    """An empty suggestion, counted by the rate limit and then refused by the form (200)."""
    return visitor.post(SUGGEST, {"message": ""}, headers={"X-Forwarded-For": forged}).status


def test_a_forged_forwarded_for_does_not_dodge_the_rate_limit(site):
    first, second = site.visitor("127.0.0.2"), site.visitor("127.0.0.3")
    # Every suggestion claims another address; nginx appends the real one, which counts.
    statuses = [suggest(first, f"203.0.113.{n}") for n in range(LIMIT)]
    assert statuses == [200] * LIMIT
    assert suggest(first, "203.0.113.99") == 429
    # Another client behind the same nginx is not the first one's neighbour in the count.
    assert suggest(second, "203.0.113.0") == 200
    # The forged value did reach gunicorn, with the client's address appended after it.
    assert '"203.0.113.99, 127.0.0.2"' in site.access_log.read_text()


def test_ten_failed_sign_ins_lock_out_that_client_and_no_other(site):
    """allauth's limit: 10 failed sign-ins a minute per address (and 5 per email, which
    distinct emails stay under). Counted for nginx's address, one client would lock
    everyone out."""
    first, second = site.visitor("127.0.0.2"), site.visitor("127.0.0.3")
    for attempt in range(10):
        response = first.sign_in(
            f"nobody{attempt}@example.org",
            "not-the-password-1234",
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
        )
        assert response.status == 200
        assert WRONG_CREDENTIALS in response.text
    # Locked out: even the right password is refused, whatever address it claims.
    locked = first.sign_in(site.made["resident"], headers={"X-Forwarded-For": "198.51.100.77"})
    assert LOCKED_OUT in locked.text
    assert "sessionid" not in first.cookies
    # The other client signs in.
    response = second.sign_in(site.made["resident"])
    assert response.status == 302, response.text
    assert "sessionid" in second.cookies


def audit_addresses(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT action, ip_address FROM compacts_auditevent").fetchall()


def test_the_audit_log_records_the_client_not_the_proxy(site):
    applicant = site.visitor("127.0.0.4")
    assert applicant.sign_in(site.made["applicant"]).status == 302
    response = applicant.post(
        f"/cities/{site.made['city']}/request-access/",
        {"role": "staff", "job_title": "Policy adviser", "work_phone": "(512) 555-0100"},
        headers={"X-Forwarded-For": "203.0.113.50"},
    )
    assert response.status == 302, response.text
    assert audit_addresses(site.database) == [("request", "127.0.0.4")]


@pytest.mark.parametrize("forged", ["garbage", "", ",,,", "[::1", "1.2.3.4:99999, x"])
def test_a_malformed_forwarded_for_is_no_server_error(site, forged):
    response = site.visitor("127.0.0.5").sign_in(
        f"someone-{len(forged)}@example.org",  # under allauth's 5 failures per email
        "not-the-password-1234",
        headers={"X-Forwarded-For": forged},
    )
    assert response.status == 200
    assert WRONG_CREDENTIALS in response.text
