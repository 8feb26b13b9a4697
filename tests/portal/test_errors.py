"""Error pages in the site's layout, the database-down 503, request ids and structured logs."""

import json
import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from compassion_portal.logs import JsonFormatter, RequestIdFilter, request_id_var

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client():
    """A client that receives the error page instead of the exception."""
    return Client(raise_request_exception=False)


def test_404_page_is_in_the_layout_with_a_way_home(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/"' in html
    assert html.count("<h1") == 1


def test_lost_database_answers_503_not_500(quiet_client):
    with mock.patch("compassion_portal.views.home_figures", side_effect=OperationalError("gone")):
        response = quiet_client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.content.decode()


def test_other_errors_answer_500_page_without_touching_the_database(
    quiet_client, django_assert_num_queries
):
    failing = mock.patch("compassion_portal.views.home_figures", side_effect=RuntimeError("bug"))
    # The home view makes no query before failing; the 500 page must make none either.
    with failing, django_assert_num_queries(0):
        response = quiet_client.get(reverse("home"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'href="/"' in html


def test_csrf_failure_page_is_friendly():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()


def test_every_response_carries_a_request_id(client):
    first = client.get(reverse("about"))["X-Request-ID"]
    second = client.get(reverse("about"))["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_proxys_request_id_is_kept_when_sane_and_replaced_when_not(client):
    kept = client.get(reverse("about"), HTTP_X_REQUEST_ID="lb-1234abcd")
    assert kept["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get(reverse("about"), HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"


def test_permissions_policy_denies_unused_features(client):
    header = client.get(reverse("home"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in header


def test_json_log_lines_carry_the_request_id():
    record = logging.makeLogRecord(
        {"name": "compacts.audit", "levelname": "INFO", "msg": "signed %s", "args": ("x",)}
    )
    record.action = "sign"
    token = request_id_var.set("abc123abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "abc123abc123"
    assert entry["message"] == "signed x"
    assert entry["action"] == "sign"
    assert entry["logger"] == "compacts.audit"
