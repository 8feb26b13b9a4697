"""Security headers and cookies with the production settings, on public, account and admin pages.

The production values are read by executing settings.py afresh with a production environment
(DEBUG off, HTTPS on), so this checks the settings file itself, not values copied into a test.
"""

import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from tests.compacts.factories import CityFactory, CompactFactory
from tests.curriculum.factories import LessonFactory, ThemeFactory
from tests.directory.factories import ServiceFactory
from tests.factories import DEFAULT_PASSWORD, UserFactory

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "compassion_portal" / "settings.py"
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "X_FRAME_OPTIONS",
]

PUBLIC_PAGES = [
    "home",
    "about",
    "compacts:compact_list",
    "compacts:city_list",
    "directory:search",
    "directory:suggest",
    "curriculum:index",
    "curriculum:community_models",
]
ACCOUNT_PAGES = ["account_login", "account_signup", "account_reset_password"]
# Detail pages: (url name, factory making the object the page shows).
DETAIL_PAGES = [
    ("compacts:compact_detail", CompactFactory),
    ("compacts:city_detail", CityFactory),
    ("directory:service_detail", ServiceFactory),
    ("directory:organization_detail", lambda: ServiceFactory().organization),
    ("curriculum:theme_detail", ThemeFactory),
    ("curriculum:lesson_detail", LessonFactory),
]


@pytest.fixture
def production(settings, monkeypatch):
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    fresh = runpy.run_path(str(SETTINGS_FILE))
    for name in SECURITY_SETTINGS:
        setattr(settings, name, fresh[name])
    return fresh


def _assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "default-src 'self'" in csp


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES + ACCOUNT_PAGES)
def test_pages_send_the_security_headers(client, production, name):
    response = client.get(reverse(name), secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "factory"), DETAIL_PAGES)
def test_detail_pages_send_the_security_headers(client, production, name, factory):
    response = client.get(reverse(name, args=[factory().slug]), secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_signed_in_account_page_sends_the_security_headers(client, production):
    client.force_login(UserFactory())
    response = client.get(reverse("account_profile"), secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_admin_login_sends_the_security_headers(client, production):
    response = client.get("/admin/login/", secure=True, follow=True)
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, production):
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response.url.startswith("https://")


@pytest.mark.django_db
def test_cookies_are_host_prefixed_secure_and_lax(client, production):
    response = client.get(reverse("account_login"), secure=True)
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    assert csrf["path"] == "/"
    assert not csrf["domain"]

    user = UserFactory()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": DEFAULT_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]


@pytest.mark.django_db
def test_pages_for_a_signed_in_person_are_never_stored(client):
    """A page served to someone signed in may show what is theirs: private, no-store. The
    same page for an anonymous visitor stays cacheable."""
    lesson = LessonFactory()
    anonymous = client.get(lesson.get_absolute_url())
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(UserFactory())
    for address in (
        lesson.get_absolute_url(),
        reverse("curriculum:progress"),
        "/accounts/profile/",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, address
