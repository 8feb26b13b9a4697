"""A resident searches the directory, filters, opens a listing and reports a problem.
axe-core must find nothing on any of those pages."""

import pytest

from directory import demo
from directory.models import Suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riverbend_directory():
    demo.load()


def test_resident_searches_filters_opens_and_reports(page, assert_accessible, riverbend_directory):
    page.goto("/directory/")
    assert page.get_by_role("heading", name="Browse by category").is_visible()
    assert_accessible(page, "directory, empty search")

    page.get_by_label("What do you need?").fill("food pantry")
    page.get_by_role("button", name="Search").click()
    results = page.locator("ol.results > li")
    assert results.count() > 3
    assert_accessible(page, "directory, with results")

    page.get_by_text("More filters", exact=True).click()  # the filters fold on every screen
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Search").click()
    assert page.locator("ol.results > li").count() >= 1
    first = page.locator("ol.results > li h3 a").first
    name = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.get_by_role("table", name="Opening hours").is_visible()
    assert_accessible(page, "a listing")

    page.get_by_role("link", name="Report a problem with this listing").click()
    page.get_by_label("Your email (optional)").fill("not an email")
    page.get_by_label("Your message").fill("short")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_text("Please correct the errors below.").is_visible()
    assert_accessible(page, "suggestion form with errors")

    page.get_by_label("Your email (optional)").fill("")
    page.get_by_label("Your message").fill("The Saturday hours changed to 9 until noon.")
    page.get_by_role("button", name="Send").click()
    suggestion = Suggestion.objects.get()
    assert suggestion.service.name == name
    # The page that answers is the message's own status page, with its reference.
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"Your message {suggestion.reference}"
    assert page.locator("main strong").inner_text() == "Received"
    assert_accessible(page, "a message's status page")


def test_no_results_page_is_accessible(page, assert_accessible, riverbend_directory):
    page.goto("/directory/?q=xylophone+repair")
    assert page.get_by_text("No listing matches your search.").is_visible()
    assert_accessible(page, "directory, no results")


def test_confidential_shelter_page_shows_no_address(page, riverbend_directory):
    page.goto("/directory/services/safe-harbor-emergency-shelter/")
    assert page.get_by_role("heading", name="Confidential location").is_visible()
    assert "Confidential Way" not in page.content()
