"""The admin's unmet-needs report, and a resident's message status page, in a browser: axe-core
finds nothing on them, and a frequent miss becomes a to-do from the report."""

import pytest

from directory.models import Suggestion, UnmetSearch
from tests.browser.test_city_plan_journey import _admin_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_unmet_needs_report_turns_a_miss_into_a_to_do(browser, live_server, assert_accessible):
    UnmetSearch.objects.create(week="2026-03-09", need="diapers", zip="97483", searches=9)
    UnmetSearch.objects.create(week="2026-03-09", need="legal aid", zip="", searches=4)
    context, page = _admin_page(browser, live_server)
    page.goto("/admin/directory/unmetsearch/")
    assert page.get_by_role("heading", name="Unmet needs").is_visible()
    assert_accessible(page, "admin: unmet needs report")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the to-do list diapers 97483").click()
    assert page.get_by_text("Added to the to-do list as message").is_visible()
    suggestion = Suggestion.objects.get()
    assert "97483" in suggestion.message
    assert_accessible(page, "admin: unmet needs report after adding a to-do")
    # The to-do's status page, as a resident would see their own message's.
    page.goto(suggestion.get_absolute_url())
    assert_accessible(page, "a message's status page")
    context.close()
