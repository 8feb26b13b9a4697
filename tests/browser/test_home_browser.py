"""A visitor loads the home page, follows the navigation, and every page passes axe-core."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_LINKS = ["About", "Compacts", "Cities", "Directory", "Curriculum", "Sign in", "Home"]


def test_navigation_and_accessibility(page, assert_accessible):
    page.goto("/")
    assert page.locator("h1").count() == 1
    assert_accessible(page, "home")

    nav = page.get_by_role("navigation", name="Main")
    for name in NAV_LINKS:
        nav.get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1, f"{name} page should have exactly one h1"
        current = nav.get_by_role("link", name=name, exact=True).get_attribute("aria-current")
        # "Sign in" is not a section of the site, so nothing is marked current there.
        assert current == (None if name == "Sign in" else "page"), name
        assert_accessible(page, name)


def test_skip_link_moves_focus_to_main(page):
    page.goto("/about/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    skip.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_narrow_screen_has_no_sideways_scrolling(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/about/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
