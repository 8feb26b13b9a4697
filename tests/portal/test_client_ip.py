"""The visitor's address behind TRUSTED_PROXY_COUNT reverse proxies: the entry that many places
from the right of X-Forwarded-For, whatever the visitor put further left; the connection's own
address when there is no proxy or the header is not what the proxies write. allauth's rate
limits read the same setting, so both count the same visitor."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory

from compassion_portal.ratelimit import client_ip, rate_limit

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.5"  # REMOTE_ADDR: the proxy nearest to gunicorn


def request_from(forwarded_for: str | None = None, remote_addr: str = PROXY):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return RequestFactory().post("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.fixture
def proxies(settings):
    def trust(count: int) -> None:
        settings.TRUSTED_PROXY_COUNT = count
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = count

    return trust


@pytest.mark.parametrize("forwarded_for", [None, "198.51.100.7", "203.0.113.1, 198.51.100.7"])
def test_without_a_trusted_proxy_the_header_is_ignored(proxies, forwarded_for):
    proxies(0)
    assert client_ip(request_from(forwarded_for)) == PROXY


def test_the_default_trusts_no_proxy():
    assert django_settings.TRUSTED_PROXY_COUNT == 0


def test_one_proxy_gives_the_rightmost_address(proxies):
    proxies(1)
    assert client_ip(request_from("198.51.100.7")) == "198.51.100.7"


def test_two_proxies_give_the_second_address_from_the_right(proxies):
    # The load balancer saw the visitor (198.51.100.7); nginx saw the load balancer (10.0.0.2).
    proxies(2)
    assert client_ip(request_from("198.51.100.7, 10.0.0.2")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "forwarded_for"),
    [
        # What the visitor sent comes first; each proxy appends what it saw.
        (1, "203.0.113.66, 198.51.100.7"),
        (1, "203.0.113.66,203.0.113.67,  198.51.100.7"),
        (1, "garbage, 198.51.100.7"),
        (2, "203.0.113.66, 198.51.100.7, 10.0.0.2"),
        (2, "1.1.1.1, 2.2.2.2, 3.3.3.3, 198.51.100.7, 10.0.0.2"),
    ],
)
def test_forged_entries_on_the_left_are_ignored(proxies, count, forwarded_for):
    proxies(count)
    assert client_ip(request_from(forwarded_for)) == "198.51.100.7"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("198.51.100.7:51234", "198.51.100.7"),
        ("2001:db8::7", "2001:db8::7"),
        ("[2001:db8::7]", "2001:db8::7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:DB8:0:0:0:0:0:7", "2001:db8::7"),
    ],
)
def test_addresses_are_read_in_the_spellings_proxies_use(proxies, forwarded_for, expected):
    proxies(1)
    assert client_ip(request_from(forwarded_for)) == expected


@pytest.mark.parametrize(
    ("count", "forwarded_for"),
    [
        (1, None),
        (1, ""),
        (1, "   "),
        (1, ","),
        (1, "198.51.100.7,"),
        (1, "unknown"),
        (1, "not an address"),
        (1, "300.1.2.3"),
        (1, "198.51.100.7:port"),
        (1, "198.51.100.7:123456"),
        (1, "[2001:db8::7"),
        (1, "[2001:db8::7]x"),
        (1, "\N{FULLWIDTH DIGIT ONE}98.51.100.7"),
        (1, "198.51.100.7\x00"),
        (1, "x" * 10_000),
        (2, "198.51.100.7"),  # shorter than the proxies it should have passed
        (3, "198.51.100.7, 10.0.0.2"),
    ],
)
def test_a_malformed_or_short_header_falls_back_to_the_connection(proxies, count, forwarded_for):
    proxies(count)
    assert client_ip(request_from(forwarded_for)) == PROXY


def test_no_address_at_all_is_unknown(proxies):
    proxies(1)
    assert client_ip(request_from("garbage", remote_addr="")) == "unknown"


@pytest.mark.parametrize(
    ("count", "forwarded_for"),
    [
        (0, "203.0.113.66"),
        (1, "203.0.113.66, 198.51.100.7"),
        (1, "198.51.100.7"),
        (2, "203.0.113.66, 198.51.100.7, 10.0.0.2"),
        (2, "198.51.100.7, 10.0.0.2"),
    ],
)
def test_allauth_counts_the_same_visitor(proxies, count, forwarded_for):
    """allauth's rate limits (sign-in failures, sign-up, password reset) key on its adapter's
    address, which the same setting drives."""
    proxies(count)
    request = request_from(forwarded_for)
    assert get_adapter(request).get_client_ip(request) == client_ip(request)


@pytest.mark.django_db
def test_the_rate_limit_counts_each_visitor_behind_the_proxy(proxies, settings):
    proxies(1)
    settings.PORTAL_RATE_LIMITS = {"test.scope": (2, 60)}

    @rate_limit("test.scope")
    def view(request):
        return HttpResponse("ok")

    # Each attempt claims another address on the left; nginx appends the real one.
    first_visitor = [view(request_from(f"203.0.113.{n}, 198.51.100.7")) for n in range(3)]
    assert [response.status_code for response in first_visitor] == [200, 200, 429]
    assert view(request_from("198.51.100.8")).status_code == 200


@pytest.mark.parametrize("forwarded_for", ["198.51.100.7", "", "not an address"])
def test_a_header_shorter_than_the_proxies_write_is_no_error_for_allauth(proxies, forwarded_for):
    """Two proxies, and a visitor who reached the inner one directly: allauth's own reading
    raised ImproperlyConfigured (a 500 on sign-in); the portal's answers the connection."""
    proxies(2)
    request = request_from(forwarded_for)
    assert get_adapter(request).get_client_ip(request) == PROXY


@pytest.mark.django_db
def test_signing_in_with_a_short_header_behind_two_proxies_is_no_error(client, proxies):
    proxies(2)
    response = client.post(
        "/accounts/login/",
        {"login": "someone@example.org", "password": "not-the-password-1"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 200  # the form again, with its error


def test_allauth_trusts_as_many_proxies_as_the_portal():
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == django_settings.TRUSTED_PROXY_COUNT


def settings_in_a_fresh_interpreter(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    return subprocess.run(  # noqa: S603 - our own settings, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DJANGO_SETTINGS_MODULE": "compassion_portal.settings",
            "DEBUG": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_environment_sets_both_counts():
    result = settings_in_a_fresh_interpreter(TRUSTED_PROXY_COUNT="2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "2"]


@pytest.mark.parametrize("raw", ["-1", "one"])
def test_a_wrong_count_stops_the_site(raw):
    result = settings_in_a_fresh_interpreter(TRUSTED_PROXY_COUNT=raw)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be" in result.stderr
