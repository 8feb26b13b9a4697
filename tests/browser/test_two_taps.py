"""A resident on a phone types what and where on the home page and reaches a pantry's phone
number in two taps: "Search", then the number on the first result card. axe-core finds
nothing on the pages on the way, the listing page included."""

import re

import pytest

from directory import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    demo.load()
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def test_food_and_a_zip_code_on_the_home_page_then_the_pantrys_number(phone, assert_accessible):
    phone.goto("/")
    phone.get_by_label("What do you need?").fill("food 78994")
    phone.get_by_role("button", name="Search").first.tap()  # tap 1
    phone.wait_for_url(re.compile(r"/directory/\?"))
    assert_accessible(phone, "results at 375 px")

    first_card = phone.locator("li.card.result").first
    assert "78994" in first_card.locator(".meta").first.inner_text()
    number = first_card.locator('a[href^="tel:"]').first
    number.scroll_into_view_if_needed()
    box = number.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a target a thumb can hit
    assert re.fullmatch(r"tel:\+?\d+", number.get_attribute("href"))  # tap 2 calls it
    name = first_card.locator("h3").inner_text().lower()
    assert "pantry" in name or "food" in name or "despensa" in name or "meal" in name

    first_card.locator("h3 a").tap()
    phone.wait_for_url(re.compile(r"/directory/services/"))
    assert phone.locator('a[href^="tel:"]').count() >= 1
    assert_accessible(phone, "listing at 375 px")
    # No sideways scrolling on the listing page on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
