"""A mayor's staff member signs up, gets approved in the admin, signs a compact and withdraws.

axe-core checks every compacts and cities page on the way, the forms with errors included.
"""

import re

import pytest
from django.core import mail

from compacts.models import CityStaff, Signature, StaffStatus
from tests.compacts.factories import CityFactory, CommitmentFactory, CompactFactory
from tests.factories import DEFAULT_PASSWORD, AdminFactory, current_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "aide@riverbend.example.org"


def run_action_on_first_row(page, action: str) -> None:
    """On an admin list page: tick the first row, choose ``action`` and run it."""
    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.get_by_role("button", name="Run").or_(page.get_by_role("button", name="Go")).click()


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()


def _sign_up_and_verify(page) -> None:
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", DEFAULT_PASSWORD)
    page.fill("input[name=password2]", DEFAULT_PASSWORD)
    _submit(page)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(link.group(1))
    _submit(page)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    _submit(page)
    assert page.url.endswith("/accounts/profile/")


def _admin_approves(browser, live_server) -> None:
    admin = AdminFactory(email="admin@example.org")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    # The admin signs in through allauth, with the second factor it requires.
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    _submit(page)
    page.fill("input[name=code]", current_totp_code(admin.totp_secret))
    _submit(page)
    page.goto("/admin/compacts/citystaff/?status__exact=pending")
    run_action_on_first_row(page, "approve_staff")
    assert "Approved 1 request." in page.content()
    context.close()


def test_staff_journey_sign_and_withdraw(page, browser, live_server, assert_accessible):
    compact = CompactFactory(title="Mayors' Compact to Combat Hate", slug="combat-hate")
    CommitmentFactory(compact=compact, position=1, text="Reject extremism and bigotry.")
    city = CityFactory(name="Riverbend", state="TX", slug="riverbend-tx", mayor_name="Ana Ortiz")
    CityFactory.create_batch(3)

    page.goto("/compacts/")
    assert_accessible(page, "compact list")
    page.goto("/cities/")
    assert_accessible(page, "city registry")
    page.goto("/cities/?state=ZZ&page=abc")
    assert "were not understood" in page.content()
    assert_accessible(page, "city registry with an unknown filter")

    _sign_up_and_verify(page)

    # Ask for staff access from the city's page.
    page.goto(city.get_absolute_url())
    assert_accessible(page, "city page")
    with page.expect_navigation():
        page.get_by_role("link", name="Request staff access").click()
    _submit(page)  # empty: errors shown
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert_accessible(page, "staff request form with errors")
    page.select_option("select[name=role]", "chief_of_staff")
    page.fill("input[name=job_title]", "Chief of staff")
    page.fill("input[name=work_phone]", "(512) 555-0142")
    _submit(page)
    assert "An administrator will check your request" in page.content()
    assert CityStaff.objects.get().status == StaffStatus.PENDING

    _admin_approves(browser, live_server)
    assert CityStaff.objects.get().status == StaffStatus.APPROVED
    assert "approved your request" in mail.outbox[-1].body

    # Sign from the compact page.
    page.goto(compact.get_absolute_url())
    assert_accessible(page, "compact page for staff")
    with page.expect_navigation():
        page.get_by_role("link", name="Sign for Riverbend").click()
    assert page.input_value("input[name=mayor_name]") == "Ana Ortiz"
    assert_accessible(page, "sign form")
    _submit(page)  # the mayor's authorisation is not confirmed yet
    assert "Confirm that the mayor authorised this signature." in page.content()
    assert_accessible(page, "sign form with errors")
    page.get_by_label("The mayor has authorised me").check()
    _submit(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for signing"
    assert_accessible(page, "signed confirmation")

    # The public list shows the city.
    page.goto(compact.get_absolute_url())
    assert page.get_by_role("table").get_by_text("Mayor Ana Ortiz, Riverbend, TX").count() == 1
    page.goto("/cities/?compact=combat-hate")
    assert page.get_by_role("link", name="Riverbend, TX").count() == 1
    assert_accessible(page, "registry filtered by compact")

    # Withdraw, after a confirmation step with a reason.
    page.goto(compact.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("link", name="Withdraw for Riverbend").click()
    assert_accessible(page, "withdraw confirmation")
    _submit(page)
    assert page.locator("textarea[aria-invalid=true]").count() == 1
    assert_accessible(page, "withdraw confirmation with errors")
    page.fill("textarea[name=reason]", "The new council voted to leave the compact.")
    _submit(page)
    assert "withdrew its signature" in page.content()
    assert page.get_by_role("table").count() == 0  # no signatory left
    assert_accessible(page, "compact page after withdrawing")
    assert not Signature.objects.active().exists()
