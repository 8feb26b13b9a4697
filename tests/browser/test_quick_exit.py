"""A person on a family-violence listing leaves at once; "back" does not return to it."""

import pytest

from tests.directory.factories import CategoryFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "https://www.weather.gov/"


@pytest.mark.parametrize("how", ["click", "escape"])
def test_quick_exit_leaves_without_a_way_back(page, how):
    violence = CategoryFactory(name="Family violence", slug="family-violence", is_sensitive=True)
    listing = ServiceFactory(name="Safe line", categories=[violence])
    # The neutral site is answered here: tests never reach the network.
    page.route(
        NEUTRAL, lambda route: route.fulfill(body="<h1>Weather</h1>", content_type="text/html")
    )
    page.goto("/directory/")
    page.goto(listing.get_absolute_url())
    if how == "click":
        page.get_by_role("link", name="Leave this site now").click()
    else:
        page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    page.go_back()
    assert page.url.endswith("/directory/")  # the listing is gone from the history
