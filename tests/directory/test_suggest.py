"""Suggestions from the public: the form, the honeypot, the rate limit."""

import pytest
from django.urls import reverse

from directory.models import Suggestion, SuggestionKind, SuggestionStatus
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db
SUGGEST = reverse("directory:suggest")
GOOD = {
    "kind": SuggestionKind.NEW_LISTING,
    "message": "Eastside Pantry opened on 5th Street, Tuesdays 9-12.",
    "contact_name": "",
    "contact_email": "",
    "website": "",
}


def test_anyone_can_suggest_a_listing(client):
    response = client.post(SUGGEST, GOOD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert response.url == suggestion.get_absolute_url()
    assert suggestion.status == SuggestionStatus.NEW
    assert suggestion.kind == SuggestionKind.NEW_LISTING
    assert suggestion.service is None
    assert suggestion.ip_hash
    assert "203.0.113.9" not in suggestion.ip_hash
    assert client.get(response.url).status_code == 200


def test_report_a_problem_from_a_listing(client):
    service = ServiceFactory(name="Eastside Pantry")
    page = client.get(SUGGEST, {"service": service.slug})
    html = page.content.decode()
    assert "Report a problem" in html
    assert "Eastside Pantry" in html
    assert f'value="{service.slug}"' in html
    data = {**GOOD, "kind": SuggestionKind.PROBLEM, "service": service.slug}
    data["message"] = "The phone number rings a fax machine."
    assert client.post(SUGGEST + f"?service={service.slug}", data).status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.service == service
    assert suggestion.organization == service.organization


def test_unknown_listing_still_lets_people_write(client):
    response = client.get(SUGGEST, {"service": "no-such-listing"})
    assert response.status_code == 200
    assert "could not find that listing" in response.content.decode()


def test_the_honeypot_stores_nothing_but_looks_the_same(client):
    response = client.post(SUGGEST, {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Suggestion.objects.exists()


def test_errors_are_shown_beside_their_fields(client):
    response = client.post(SUGGEST, {**GOOD, "message": "short", "contact_email": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "at least 10 characters" in html
    assert 'aria-invalid="true"' in html
    assert not Suggestion.objects.exists()


def test_rate_limit_answers_429(client, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "directory.suggest": (2, 3600)}
    for _ in range(2):
        assert client.post(SUGGEST, GOOD).status_code == 302
    response = client.post(SUGGEST, GOOD)
    assert response.status_code == 429
    assert "several suggestions" in response.content.decode()
    assert Suggestion.objects.count() == 2
    assert client.get(SUGGEST).status_code == 200  # reading is never limited


def test_suggest_refuses_other_methods(client):
    assert client.put(SUGGEST).status_code == 405


@pytest.mark.parametrize("slug", ["\x00", "a\x00b", "x" * 300, "../etc"])
def test_odd_listing_references_are_ignored_not_errors(client, slug):
    assert client.get(SUGGEST, {"service": slug}).status_code == 200
    response = client.post(SUGGEST, {**GOOD, "service": slug})
    assert response.status_code == 200
    assert not Suggestion.objects.exists()
