"""Issue 18's provider journey: a stale listing's provider gets the re-verification email (the
file backend), opens its link, is told what is wrong with a phone number typed badly, proposes
a new one, an admin (signed in with two-factor) approves it in the queue, and the listing's
public page shows the new phone, verified today. axe-core checks every provider page, the
error state and the used link's page included."""

import datetime
import re

import pytest
from django.utils import formats, timezone

from directory import verification
from directory.models import ProposedChange, ProposedChangeStatus
from tests.browser.test_city_plan_journey import _admin_page
from tests.directory.factories import PhoneFactory, ServiceAtLocationFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+?(?P<path>/directory/verify/[-\w]+/[-\w]+/)")
NEW_PHONE = "(512) 555-0142"


def test_a_provider_proposes_a_new_phone_and_an_admin_approves_it(
    browser, live_server, page, assert_accessible, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    service = ServiceFactory(
        name="Riverbend Food Pantry",
        email="pantry@example.org",
        assured_date=timezone.localdate() - datetime.timedelta(days=400),
    )
    ServiceAtLocationFactory(service=service)
    PhoneFactory(service=service, number="(555) 010-2000")

    assert verification.verification_requests_send().sent == 1
    [email_file] = list(tmp_path.iterdir())
    email = email_file.read_text()
    assert "To: pantry@example.org" in email
    path = LINK.search(email)["path"]

    page.goto(path)
    assert page.get_by_role("heading", name="Is this listing still right?").is_visible()
    assert page.get_by_text("(555) 010-2000").is_visible()
    assert_accessible(page, "provider: the listing to check")

    page.get_by_label("Phone").fill("555-0142")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the changes").click()
    assert page.get_by_text("A U.S. phone number has 10 digits").is_visible()
    assert_accessible(page, "provider: the proposal with an error")

    page.get_by_label("Phone").fill(NEW_PHONE)
    page.get_by_label("Anything else we should know").fill("Our new direct line.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the changes").click()
    assert page.get_by_role("heading", name="Thank you, your changes reached us").is_visible()
    assert_accessible(page, "provider: thank you")
    assert ProposedChange.objects.get().status == ProposedChangeStatus.PENDING

    page.goto(path)
    assert page.get_by_role("heading", name="This link was already used").is_visible()
    assert_accessible(page, "provider: a used link")

    context, admin = _admin_page(browser, live_server)
    admin.goto("/admin/directory/proposedchange/?status__exact=pending")
    assert admin.get_by_text(NEW_PHONE).is_visible()
    assert_accessible(admin, "admin: changes proposed by providers")
    admin.locator("input[name=_selected_action]").first.check()
    admin.select_option("select[name=action]", "approve")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Run").or_(admin.get_by_role("button", name="Go")).click()
    assert "Approved 1 change." in admin.content()
    context.close()

    page.goto(service.get_absolute_url())
    assert page.get_by_role("link", name=NEW_PHONE).is_visible()
    assert page.get_by_text("(555) 010-2000").count() == 0
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert page.locator("dd", has_text=today).first.is_visible()
