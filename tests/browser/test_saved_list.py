"""On a phone, a resident puts two listings on a list, opens it and prints it."""

import datetime

import pytest

from directory.search import refresh_search_vectors
from tests.directory.factories import (
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _listing(name: str, organization: str, verified: datetime.date | None):
    service = ServiceFactory(name=name, organization__name=organization, assured_date=verified)
    link = ServiceAtLocationFactory(service=service, location__address_1="1200 Longfellow Avenue")
    PhoneFactory(service=service, number="(555) 010-2000")
    ScheduleFactory(service_at_location=link)
    return service


def _sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_resident_lists_two_listings_and_prints_them(page, assert_accessible):
    pantry = _listing(
        "Eastside community food pantry", "Riverbend Food Bank", datetime.date(2026, 2, 3)
    )
    clinic = _listing("Walk-in clinic for families", "Riverbend Community Health", None)
    page.set_viewport_size({"width": 375, "height": 740})

    for service in (pantry, clinic):
        page.goto(service.get_absolute_url())
        page.get_by_role("button", name="Add to my list").click()
        page.wait_for_url(f"**{service.get_absolute_url()}")
        assert page.get_by_role("status").inner_text().startswith(f"Added “{service.name}”")
        assert page.get_by_role("button", name="Remove from my list").is_visible()

    page.get_by_role("link", name="See my list").click()
    page.wait_for_url("**/directory/list/")
    names = page.locator(".saved-entry h2").all_inner_texts()
    assert names == [pantry.name, clinic.name]
    assert page.get_by_text("Last verified Feb. 3, 2026").is_visible()
    assert page.get_by_text("Not verified").is_visible()
    assert_accessible(page, "the list page")
    # On paper the remove buttons go, as the forms they submit do.
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name=f"Remove “{pantry.name}” from my list").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Print this list").click()
    page.wait_for_url("**/directory/list/print/")
    assert page.get_by_text("Printed on").is_visible()
    qr_code = page.get_by_role("img", name="QR code of this list’s web address")
    assert qr_code.is_visible()
    assert qr_code.bounding_box()["width"] >= 100  # big enough for a camera
    assert_accessible(page, "the print page")

    # Paper: the buttons and links of the screen are gone, the QR code stays.
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Back to my list").is_visible()
    assert qr_code.is_visible()
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for address in ("/directory/list/", "/directory/list/print/"):
        page.goto(address)
        if (overflow := _sideways_overflow(page)) > 0:
            too_wide[address] = overflow
    assert too_wide == {}

    # Removing one from the list page leaves the other.
    page.goto("/directory/list/")
    page.get_by_role("button", name=f"Remove “{pantry.name}” from my list").click()
    page.wait_for_url("**/directory/list/")
    assert page.locator(".saved-entry h2").all_inner_texts() == [clinic.name]


def test_the_empty_list_and_the_clear_question_are_accessible(page, assert_accessible):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/directory/list/")
    assert page.get_by_role("heading", name="Your list is empty").is_visible()
    assert _sideways_overflow(page) <= 0
    assert_accessible(page, "the empty list")
    listing = _listing("Legal aid clinic", "Riverbend Legal Aid", None)
    page.goto(listing.get_absolute_url())
    page.get_by_role("button", name="Add to my list").click()
    page.goto("/directory/list/clear/")
    assert_accessible(page, "the clear question")
    page.get_by_role("button", name="Yes, clear my list").click()
    page.wait_for_url("**/directory/list/")
    assert page.get_by_role("heading", name="Your list is empty").is_visible()


def test_a_result_card_adds_its_listing_and_removes_it_again(page, assert_accessible):
    """Every card's button submits the one "add" (or "remove") form of the results page with
    its own listing's number, and the resident comes back to the same results."""
    pantry = _listing("Eastside food pantry", "Riverbend Food Bank", None)
    _listing("Westside food pantry", "Riverbend Food Bank", None)
    refresh_search_vectors()
    page.goto("/directory/?q=pantry")
    cards = page.locator("ol.results > li")
    assert cards.count() == 2
    card = cards.filter(has_text=pantry.name)
    card.get_by_role("button", name="Add to my list").click()
    page.wait_for_url("**/directory/?q=pantry")
    assert page.get_by_role("status").first.inner_text().startswith(f"Added “{pantry.name}”")
    card = page.locator("ol.results > li").filter(has_text=pantry.name)
    assert card.get_by_role("button", name="Remove from my list").is_visible()
    # The other card still offers to add its own listing.
    other = page.locator("ol.results > li").filter(has_text="Westside food pantry")
    assert other.get_by_role("button", name="Add to my list").is_visible()
    assert_accessible(page, "results with a listing on the list")

    page.emulate_media(media="print")
    assert not card.get_by_role("button", name="Remove from my list").is_visible()
    page.emulate_media(media="screen")

    card.get_by_role("button", name="Remove from my list").click()
    page.wait_for_url("**/directory/?q=pantry")
    assert page.get_by_role("status").first.inner_text().startswith(f"Removed “{pantry.name}”")
    assert (
        page.locator("ol.results > li")
        .filter(has_text=pantry.name)
        .get_by_role("button", name="Add to my list")
        .is_visible()
    )
