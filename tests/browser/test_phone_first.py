"""Phone first, at 375x740: the home page's search is in the first screenful, the directory
shows its first result there too, and the filters fold into a disclosure that opens by mouse,
touch and keyboard, with JavaScript or without. axe-core finds nothing; nothing scrolls
sideways at 320 px.

Measured on the demo directory (375x740): the first result card of /directory/?q=food began
1,359 px down the page when the whole filter form came first, and begins about 600 px down now.
"""

import re

import pytest

from directory import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
TAP = 44  # px: the smallest tap target we accept for the search's controls
# What the demo's Riverbend food search looks like: the demo puts listings in 78990-78995.
WORDS, ZIP = "food", "78994"
# The top of the first result card must be this far down the page at most (about 600 px
# measured; 1,359 px before): low enough that its name is read without scrolling.
FIRST_RESULT_TOP = 700


@pytest.fixture
def riverbend_directory():
    demo.load()


def _phone_page(browser, live_server, **options):
    """A page in a context like a phone's: 375x740, touch, the viewport meta tag honoured."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def phone(browser, live_server):
    context, page = _phone_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def phone_without_javascript(browser, live_server):
    context, page = _phone_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    return box


def assert_in_first_screen(locator, what: str) -> None:
    """Wholly inside the first 375x740 screenful, before any scrolling."""
    box = _box(locator)
    assert box["y"] >= 0, (what, box)
    assert box["y"] + box["height"] <= PHONE["height"], (what, box)
    assert box["x"] >= 0, (what, box)
    assert box["x"] + box["width"] <= PHONE["width"], (what, box)


def assert_tappable(locator, what: str) -> None:
    assert _box(locator)["height"] >= TAP, what


def home_search(page):
    return page.get_by_role("search", name="Search the directory")


def more_filters(page):
    return page.locator("details.more-filters")


def assert_on_results(page) -> None:
    assert re.search(r"/directory/\?q=food&zip=78994$", page.url), page.url
    assert page.locator("ol.results > li").count() >= 1
    form = page.get_by_role("search", name="Search the directory")
    assert form.get_by_label("What do you need?").input_value() == WORDS
    assert form.get_by_label("ZIP code").input_value() == ZIP


# --- (a) the home page --------------------------------------------------------------------


def test_home_search_is_in_the_first_screen_and_finds_food(phone, riverbend_directory):
    phone.goto("/")
    search = home_search(phone)
    what = search.get_by_label("What do you need?")
    where = search.get_by_label("ZIP code")
    button = search.get_by_role("button", name="Search")
    for control, name in ((what, "what"), (where, "where"), (button, "button")):
        assert_in_first_screen(control, name)
        assert_tappable(control, name)
    assert phone.evaluate("scrollY") == 0
    assert where.get_attribute("inputmode") == "numeric"
    assert where.get_attribute("autocomplete") == "postal-code"

    what.tap()
    what.fill(WORDS)
    where.tap()
    where.fill(ZIP)
    button.tap()
    phone.wait_for_url(re.compile(r"/directory/\?"))
    assert_on_results(phone)


def test_home_search_submits_with_the_enter_key(phone, riverbend_directory):
    phone.goto("/")
    search = home_search(phone)
    search.get_by_label("What do you need?").fill(WORDS)
    search.get_by_label("ZIP code").fill(ZIP)
    search.get_by_label("ZIP code").press("Enter")
    phone.wait_for_url(re.compile(r"/directory/\?"))
    assert_on_results(phone)


# --- (b) the directory --------------------------------------------------------------------


def test_first_result_is_in_the_first_screen(phone, riverbend_directory):
    phone.goto("/directory/?q=food")
    first = phone.locator("ol.results > li").first
    top = _box(first)["y"]
    assert top < FIRST_RESULT_TOP, f"the first result begins {top:.0f} px down"
    assert_in_first_screen(first.locator("h3 a"), "the first result's name")
    search = phone.get_by_role("search", name="Search the directory")
    for name in ("What do you need?", "ZIP code"):
        assert_in_first_screen(search.get_by_label(name), name)
        assert_tappable(search.get_by_label(name), name)
    assert_tappable(search.get_by_role("button", name="Search", exact=True), "Search")
    assert_tappable(more_filters(phone).locator("summary"), "More filters")


def test_more_filters_closed_by_default_open_by_click_and_keyboard(phone, riverbend_directory):
    phone.goto("/directory/?q=food")
    details, summary = more_filters(phone), phone.get_by_text("More filters", exact=True)
    category = phone.get_by_label("Category")
    assert details.evaluate("d => d.open") is False
    assert not category.is_visible()

    summary.tap()
    assert details.evaluate("d => d.open") is True
    assert category.is_visible()
    summary.click()
    assert not category.is_visible()

    summary.focus()
    phone.keyboard.press("Enter")
    assert category.is_visible()
    phone.keyboard.press("Space")
    assert not category.is_visible()
    phone.keyboard.press("Space")
    assert category.is_visible()

    category.select_option("food-pantry")
    phone.get_by_role("button", name="Show results").click()
    phone.wait_for_url(re.compile(r"category=food-pantry"))
    assert "q=food" in phone.url
    assert more_filters(phone).evaluate("d => d.open") is True
    assert phone.get_by_label("Category").input_value() == "food-pantry"
    assert phone.locator("ol.results > li").count() >= 1


def test_more_filters_open_when_a_filter_is_set(phone, riverbend_directory):
    phone.goto("/directory/?q=food&category=food")
    assert more_filters(phone).evaluate("d => d.open") is True
    assert phone.get_by_label("Category").is_visible()
    assert phone.get_by_label("Category").input_value() == "food"


def test_wide_screens_keep_the_filters_beside_the_results(page, riverbend_directory):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/directory/?q=food&category=food")
    form = _box(page.get_by_role("search", name="Search the directory"))
    first = _box(page.locator("ol.results > li").first)
    assert form["x"] + form["width"] <= first["x"]
    assert first["y"] < 400


# --- (c) without JavaScript ---------------------------------------------------------------


def test_everything_works_without_javascript(phone_without_javascript, riverbend_directory):
    page = phone_without_javascript
    page.goto("/")
    search = home_search(page)
    assert_in_first_screen(search.get_by_role("button", name="Search"), "button")
    search.get_by_label("What do you need?").fill(WORDS)
    search.get_by_label("ZIP code").fill(ZIP)
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/directory/\?"))
    assert_on_results(page)
    assert _box(page.locator("ol.results > li").first)["y"] < FIRST_RESULT_TOP

    language = page.get_by_label("Language")
    assert not language.is_visible()
    page.get_by_text("More filters", exact=True).tap()
    assert language.is_visible()
    language.select_option("es")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_url(re.compile(r"language=es"))
    assert more_filters(page).evaluate("d => d.open") is True
    assert page.get_by_label("Language").input_value() == "es"


# --- (d) axe-core and (e) no sideways scrolling -------------------------------------------

PAGES = [
    "/",
    "/directory/",
    "/directory/?q=food",
    "/directory/?q=food&zip=78994&category=food",
    "/directory/?q=xylophone+repair",
]


def test_axe_finds_nothing_at_375_px(phone, assert_accessible, riverbend_directory):
    for address in PAGES:
        phone.goto(address)
        assert_accessible(phone, f"{address} at 375 px")
    phone.goto("/directory/?q=food")
    phone.get_by_text("More filters", exact=True).click()
    assert_accessible(phone, "/directory/?q=food at 375 px, filters opened")


def test_nothing_scrolls_sideways_at_320_px(page, riverbend_directory):
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for address in PAGES:
        page.goto(address)
        if address.startswith("/directory/"):
            details = more_filters(page)
            details.evaluate("d => { d.open = true; }")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[address] = overflow
    assert too_wide == {}
