"""A city's approved staffer works from the city page: sees what each compact needs, renews
one after a confirmation page, finds another not yet renewable, and a colleague asks for a
city that is not listed. axe-core finds nothing on the city page, the renewal confirmation
page or the join request page (with its errors too).
"""

import datetime

import pytest
from django.utils import timezone

from compacts.models import CityJoinRequest, Signature
from tests.compacts.factories import (
    CityFactory,
    CityStaffFactory,
    CommitmentFactory,
    CompactFactory,
    SignatureFactory,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    _submit(page)
    assert page.url.endswith("/accounts/profile/")


@pytest.fixture
def riverbend():
    today = timezone.localdate()
    city = CityFactory(name="Riverbend", state="TX", slug="riverbend-tx", mayor_name="Ana Ortiz")
    hate = CompactFactory(title="Compact to Combat Hate", slug="combat-hate")
    equity = CompactFactory(title="Compact on Racial Equity", slug="racial-equity")
    youth = CompactFactory(title="Compact for Young People", slug="young-people")
    CommitmentFactory(compact=hate, position=1, text="Reject extremism and bigotry.")
    SignatureFactory(compact=hate, city=city, signed_on=today - datetime.timedelta(days=330))
    SignatureFactory(compact=youth, city=city, signed_on=today)
    staff = CityStaffFactory(city=city, user=UserFactory(email="aide@riverbend.example.org"))
    return {"city": city, "hate": hate, "equity": equity, "youth": youth, "staff": staff}


def test_a_staffer_acts_from_the_city_page(page, riverbend, assert_accessible):
    city, hate = riverbend["city"], riverbend["hate"]
    _sign_in(page, riverbend["staff"].user.email)

    page.goto(city.get_absolute_url())
    actions = page.get_by_role("table", name="Compacts you can act on for Riverbend")
    assert actions.get_by_role("link", name="Sign Compact on Racial Equity").count() == 1
    assert actions.get_by_role("link", name="Renew Compact to Combat Hate").count() == 1
    assert actions.get_by_role("link", name="Withdraw Compact to Combat Hate").count() == 1
    # Signed today: withdraw, but no renewal until its window opens.
    assert actions.get_by_role("link", name="Renew Compact for Young People").count() == 0
    assert "Renewal opens on" in actions.inner_text()
    assert page.get_by_role("link", name="Request staff access").count() == 0
    assert_accessible(page, "city page for its staff")

    with page.expect_navigation():
        actions.get_by_role("link", name="Renew Compact to Combat Hate").click()
    assert page.get_by_role("heading", level=2, name="What renewing means").count() == 1
    assert "If you renew today, next due on" in page.content()
    assert_accessible(page, "renewal confirmation")
    _submit(page)
    assert page.url.endswith(city.get_absolute_url())
    assert "renewed its signature of Compact to Combat Hate" in page.content()
    assert Signature.objects.get(compact=hate).renewed_on == timezone.localdate()
    # Renewed: its own row now says when it is next due and offers no renewal.
    assert page.get_by_role("link", name="Renew Compact to Combat Hate").count() == 0
    assert_accessible(page, "city page after renewing")

    page.goto(f"/compacts/young-people/renew/?city={city.pk}")
    assert "It is too early to renew" in page.content()
    assert page.locator("main form").count() == 0
    assert_accessible(page, "renewal page before the window opens")


def test_someone_asks_for_a_city_that_is_not_listed(page, assert_accessible):
    user = UserFactory(email="clerk@cedar-hollow.example.org")
    _sign_in(page, user.email)
    page.goto("/cities/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ask for your city to be added").click()
    assert_accessible(page, "join request form")

    _submit(page)  # empty: every required field says what it needs
    assert page.locator("[aria-invalid=true]").count() >= 4
    assert_accessible(page, "join request form with errors")

    page.fill("input[name=city_name]", "Cedar Hollow")
    page.select_option("select[name=state]", "IA")
    page.select_option("select[name=role]", "chief_of_staff")
    page.fill("input[name=job_title]", "City clerk")
    page.fill("input[name=work_phone]", "call me")
    _submit(page)
    assert "Enter a phone number with digits" in page.content()
    assert not CityJoinRequest.objects.exists()

    page.fill("input[name=work_phone]", "(319) 555-0148")
    page.fill("textarea[name=message]", "Our council endorsed the Charter in May.")
    _submit(page)
    assert page.url.endswith("/accounts/profile/")
    assert "Cedar Hollow, IA" in page.content()
    assert CityJoinRequest.objects.get().requested_by == user
