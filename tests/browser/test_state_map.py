"""A resident looks at the partner cities by state: axe-core finds nothing on the map page on a
desktop or a 360 px phone, the map fits the phone, and the keyboard alone reaches a state's
square and follows it to that state's partner cities in the registry.
"""

import datetime

import pytest

from tests.compacts.factories import CityFactory, CompactFactory, SignatureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_SINCE = datetime.date(2023, 5, 1)
TEXAS = "Texas (TX): 2 partner cities, 3 active signatures"
NEW_YORK = "New York (NY): 1 partner city, 0 active signatures"


@pytest.fixture
def partners():
    hate, equity = CompactFactory.create_batch(2)
    riverbend = CityFactory(name="Riverbend", state="TX", partner_since=PARTNER_SINCE)
    lakeside = CityFactory(name="Lakeside", state="TX", partner_since=PARTNER_SINCE)
    SignatureFactory(compact=hate, city=riverbend)
    SignatureFactory(compact=equity, city=riverbend)
    SignatureFactory(compact=hate, city=lakeside)
    CityFactory(name="Hudson Falls", state="NY", partner_since=PARTNER_SINCE)
    SignatureFactory(compact=hate, city=CityFactory(name="Elm", state="CA"))  # not a partner


def test_the_map_passes_axe_on_a_desktop(page, partners, assert_accessible):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/cities/map/")
    assert page.get_by_role("link", name=TEXAS, exact=True).count() == 1
    assert page.get_by_role("img", name="California (CA): no partner city yet").count() == 1
    table = "Partner cities and their active compact signatures, by state"
    assert page.get_by_role("table", name=table).count() == 1
    assert_accessible(page, "state map on a desktop")


def test_the_map_fits_a_360_px_phone_and_passes_axe(page, partners, assert_accessible):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/cities/map/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    svg = page.locator("svg.state-map__svg").bounding_box()
    assert svg["width"] <= 360
    square = page.get_by_role("link", name=TEXAS, exact=True).bounding_box()
    # WCAG 2.5.8: a target of at least 24 by 24 CSS pixels.
    assert square["width"] >= 24
    assert square["height"] >= 24
    assert_accessible(page, "state map at 360 px")


def test_tab_reaches_a_state_and_enter_follows_it_to_the_registry(page, partners):
    page.goto("/cities/map/")
    focused_name = ""
    for _press in range(60):
        page.keyboard.press("Tab")
        focused_name = page.evaluate(
            "document.activeElement.classList.contains('state-tile')"
            " ? document.activeElement.getAttribute('aria-label') : ''"
        )
        if focused_name:
            break
    # The first state with partners in the squares' order (the states' A to Z order).
    assert focused_name == NEW_YORK
    # The focus is visible: the site's outline and a thick ring on the square itself.
    ring = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth"
    )
    assert ring == "6px"

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/cities/?state=NY&partner=yes")
    assert "1 city matches." in page.content()
    assert page.get_by_role("link", name="Hudson Falls, NY").count() == 1
