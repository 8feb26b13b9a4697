"""Two app servers behave as one: two gunicorns (two workers each) on different ports, sharing
the test's Postgres database and a Redis database, behind one nginx that takes them in turn.

Sessions, rate limits and the directory's cached reference data live in Redis (REDIS_URL), so a
sign-in on one server holds on the other, a limit counts the requests both served, and an
admin's change on one is on the other's next page. The project has no task queue yet, so there
is none to share.

Needs Postgres (the servers use the test database, so these tests commit and flush it) and
Redis on 127.0.0.1:6379; they skip without them on a laptop and fail in CI."""

import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.db import connection

from bench._server import gunicorn, nginx, production_env
from directory.models import Category
from tests.deploy.visitor import LOCKED_OUT, WRONG_CREDENTIALS, Visitor
from tests.directory.factories import CategoryFactory
from tests.environment import missing
from tests.factories import AdminFactory, UserFactory, current_totp_code

# A Redis database of these tests' own: CI's rate-limit run keeps the test process's cache in
# database 15, and a developer's portal may use 0.
REDIS_URL = "redis://127.0.0.1:6379/14"
LIMIT = 4  # suggestions an hour from one address
SETTINGS = "tests.deploy.server_settings"

pytestmark = [
    pytest.mark.gunicorn,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app servers share one Postgres database; SQLite is a file of one machine",
    ),
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Servers:
    first: int  # gunicorn's port
    second: int
    proxy: int  # nginx's port
    access_log: Path  # nginx's: client, upstream, status, "request", "X-Forwarded-For sent on"
    redis: redis.Redis

    def upstreams_of(self, request_line: str) -> list[str]:
        lines = self.access_log.read_text().splitlines()
        return [line.split()[1] for line in lines if request_line in line]


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def database_url_of_the_test_database() -> str:
    """DATABASE_URL, naming the test database that pytest-django made instead."""
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@pytest.fixture(scope="module")
def shared_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        missing(f"no Redis at {REDIS_URL} ({error}): two app servers share their cache in it")
    return client


@pytest.fixture(scope="module")
def servers(django_db_setup, nginx_installed, shared_redis, tmp_path_factory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("two-app-servers")
    env = production_env(
        database_url_of_the_test_database(),
        DJANGO_SETTINGS_MODULE=SETTINGS,
        REDIS_URL=REDIS_URL,
        TRUSTED_PROXY_COUNT="1",
        RATE_LIMIT_SUGGEST_PER_HOUR=str(LIMIT),
        DB_POOL_MAX_SIZE="2",
    )
    with (
        gunicorn(env, workers=2, log_path=folder / "first.log") as (first, _),
        gunicorn(env, workers=2, log_path=folder / "second.log") as (second, _),
        nginx([first, second], folder / "nginx") as (proxy, access_log),
    ):
        yield Servers(port_of(first), port_of(second), port_of(proxy), access_log, shared_redis)


@pytest.fixture(autouse=True)
def fresh_cache(servers) -> None:
    """Each test starts with no session, count or cached page data left by another."""
    servers.redis.flushdb()


def test_a_session_made_on_one_server_is_valid_on_the_other(servers):
    user = UserFactory()
    visitor = Visitor("127.0.0.2", servers.first)
    response = visitor.sign_in(user.email)
    assert response.status == 302, response.text
    profile = visitor.get("/accounts/profile/", port=servers.second)
    assert profile.status == 200
    assert user.email in profile.text
    # Without the cookie the second server sends the visitor to sign in.
    stranger = Visitor("127.0.0.2", servers.second).get("/accounts/profile/")
    assert stranger.status == 302
    assert stranger.location.startswith("/accounts/login/")


def suggest(visitor: Visitor, port: int) -> int:
    """An empty suggestion: counted by the rate limit, then refused by the form (200)."""
    return visitor.post("/directory/suggest/", {"message": ""}, port=port).status


def test_a_rate_limit_is_counted_across_both_servers(servers):
    visitor = Visitor("127.0.0.2", servers.first)
    ports = [servers.first, servers.second] * (LIMIT // 2)
    assert [suggest(visitor, port) for port in ports] == [200] * LIMIT
    # Each server served only half of the limit, and both refuse the next one.
    assert suggest(visitor, servers.first) == 429
    assert suggest(visitor, servers.second) == 429
    assert suggest(Visitor("127.0.0.3", servers.second), servers.second) == 200
    assert servers.redis.keys("*ratelimit:directory.suggest:*")


def test_failed_sign_ins_through_nginx_are_counted_across_both_servers(servers):
    resident = UserFactory()
    first, second = Visitor("127.0.0.2", servers.proxy), Visitor("127.0.0.3", servers.proxy)
    for attempt in range(10):
        response = first.sign_in(
            f"nobody{attempt}@example.org",
            "not-the-password-1234",
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
        )
        assert WRONG_CREDENTIALS in response.text
    # nginx sent the failed sign-ins to both servers in turn.
    upstreams = servers.upstreams_of('"POST /accounts/login/')
    assert {f"127.0.0.1:{servers.first}", f"127.0.0.1:{servers.second}"} <= set(upstreams)
    assert LOCKED_OUT in first.sign_in(resident.email).text
    assert second.sign_in(resident.email).status == 302


def sign_in_as_admin(visitor: Visitor, admin) -> None:
    """allauth's sign-in, then its second step with the admin's current TOTP code."""
    response = visitor.sign_in(admin.email)
    assert response.location == "/accounts/2fa/authenticate/", response.text
    response = visitor.post(
        "/accounts/2fa/authenticate/", {"code": current_totp_code(admin.totp_secret)}
    )
    assert response.status == 302, response.text


def category_names_on(port: int) -> str:
    return Visitor("127.0.0.3", port).get("/directory/").text


def test_an_admin_change_on_one_server_is_seen_on_the_other_at_once(servers):
    category = CategoryFactory(name="Food pantry", slug="food-pantry")
    assert "Food pantry" in category_names_on(servers.second)  # now in the shared cache
    # A change that bypasses the admin (no signal, no invalidation) stays unseen: both
    # servers read the category names from the cache, not from the database.
    Category.objects.filter(pk=category.pk).update(name="Renamed quietly")
    assert "Food pantry" in category_names_on(servers.first)
    assert "Food pantry" in category_names_on(servers.second)

    admin = Visitor("127.0.0.2", servers.first)
    sign_in_as_admin(admin, AdminFactory())
    change = f"/admin/directory/category/{category.pk}/change/"
    assert admin.get(change).status == 200
    response = admin.post(
        change,
        {
            "name": "Food bank",
            "slug": "food-pantry",
            "code": "",
            "description": "",
            "parent": "",
            "taxonomy": "",
            "_save": "Save",
        },
    )
    assert response.status == 302, response.text

    page = category_names_on(servers.second)
    assert "Food bank" in page
    assert "Food pantry" not in page
    assert "Renamed quietly" not in page
