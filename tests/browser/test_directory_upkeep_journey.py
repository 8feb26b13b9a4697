"""Issue 18's journey, in one browser run: how the people who keep the directory true work.

A resident reports that a pantry moved to Saturdays. An admin signs in with two-factor, sees the
to-do counts, answers the report (the resident's email arrives), moves the hours to Saturday with
the hours editor after previewing them, and the public page shows exactly the hours the admin saw
and a history line. The pantry's provider then gets the re-verification email (the file backend),
opens its link, is told what is wrong with a phone number typed badly, proposes a new one; the
admin approves it, and the listing shows the new phone and "Checked by the provider today".
axe-core checks every page passed, the provider's included."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from directory import verification
from directory.models import ProposedChange, ProposedChangeStatus, Schedule, Suggestion
from tests.browser.test_city_plan_journey import _admin_page
from tests.browser.test_compacts_journey import run_action_on_first_row
from tests.directory.factories import PhoneFactory
from tests.directory.test_admin_hours import weekday_pantry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+?(?P<path>/directory/verify/[-\w]+/[-\w]+/)")
OLD_PHONE = "(555) 010-2000"
NEW_PHONE = "(512) 555-0142"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _emails_to(folder: Path, address: str) -> list[str]:
    """The messages the file backend wrote for ``address`` (it ends each with a line of 79
    dashes, and may write several to one file)."""
    messages = []
    for file in sorted(folder.iterdir()):
        written = file.read_text().split("-" * 79)
        messages += [message for message in written if f"To: {address}" in message]
    return messages


def _week(page, caption: str) -> dict[str, str]:
    """Day -> hours, read from the hours table with this caption."""
    table = page.locator("table.hours", has=page.locator("caption", has_text=caption))
    rows = table.locator("tbody tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").inner_text()
        for i in range(rows.count())
    }


def _pantry():
    """A stale listing open Monday to Friday, 9 to 5, at its one location, with a phone."""
    service, _link = weekday_pantry(
        place="Riverbend Hall",
        name="Riverbend Food Pantry",
        email="pantry@example.org",
        assured_date=timezone.localdate() - datetime.timedelta(days=400),
    )
    PhoneFactory(service=service, number=OLD_PHONE)
    return service


def _resident_reports_the_move(page, service, assert_accessible) -> Suggestion:
    page.goto(service.get_absolute_url())
    assert_accessible(page, "the listing before")
    page.get_by_role("link", name="Report a problem with this listing").click()
    page.get_by_label("Your message").fill("The pantry moved to Saturdays, 10 to 1.")
    page.get_by_label("Your email (optional)").fill("resident@example.org")
    page.get_by_label("Email me when its status changes").check()
    assert_accessible(page, "the report form")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    suggestion = Suggestion.objects.get()
    assert page.get_by_role("heading", name=f"Your message {suggestion.reference}").is_visible()
    assert_accessible(page, "the report's status page")
    return suggestion


def _admin_answers_the_report(admin, suggestion, mail: Path, assert_accessible) -> None:
    assert admin.get_by_role("heading", name="To do").is_visible()
    assert_accessible(admin, "admin: home with the to-do counts")
    reports = admin.get_by_role("link", name=re.compile("New suggestions and problem reports"))
    stale = admin.get_by_role("link", name=re.compile("Listings nobody has checked for a year"))
    assert reports.inner_text().endswith(": 1")
    assert stale.inner_text().endswith(": 1")
    reports.click()
    admin.get_by_role("link", name=suggestion.reference).click()
    assert_accessible(admin, "admin: the report")
    admin.get_by_label("Status").select_option(label="In review")
    admin.get_by_label("Public reply").fill("Thank you: we are moving the hours to Saturdays.")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Save", exact=True).click()
    [email] = _emails_to(mail, "resident@example.org")
    assert suggestion.reference in email


def _admin_moves_the_hours_to_saturday(admin, service, assert_accessible) -> dict[str, str]:
    admin.goto(f"/admin/directory/service/{service.pk}/change/")
    before = _week(admin, "The week as residents see it")
    assert (before["Monday"], before["Saturday"]) == ("9 a.m. – 5 p.m.", "Closed")
    assert_accessible(admin, "admin: the listing with its hours panel")
    admin.get_by_role("link", name="edit these hours").click()
    row = admin.locator("#schedules-0")
    for day in WEEKDAYS:
        row.get_by_label(day).uncheck()
    row.get_by_label("Saturday").check()
    row.locator("input[type=time][name$=opens_at]").fill("10:00")
    row.locator("input[type=time][name$=closes_at]").fill("13:00")
    admin.get_by_role("button", name="Preview the hours residents will see").click()
    preview = admin.locator("#hours-preview-result")
    preview.get_by_text("Nothing is saved until you press Save.").wait_for()
    assert _week(admin, "Preview")["Saturday"] == "10 a.m. – 1 p.m."
    assert Schedule.objects.get().byday == "MO,TU,WE,TH,FR", "a preview saves nothing"
    assert_accessible(admin, "admin: the hours editor with its preview")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Save", exact=True).click()
    admin.goto(f"/admin/directory/service/{service.pk}/change/")
    return _week(admin, "The week as residents see it")


def test_admins_and_providers_keep_a_listing_true(
    browser, live_server, page, assert_accessible, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    service = _pantry()
    suggestion = _resident_reports_the_move(page, service, assert_accessible)

    context, admin = _admin_page(browser, live_server)
    _admin_answers_the_report(admin, suggestion, tmp_path, assert_accessible)
    page.goto(suggestion.get_absolute_url())
    assert page.get_by_text("In review").is_visible()
    admin_week = _admin_moves_the_hours_to_saturday(admin, service, assert_accessible)
    assert admin_week["Saturday"] == "10 a.m. – 1 p.m."
    assert all(admin_week[day] == "Closed" for day in WEEKDAYS)

    page.goto(service.get_absolute_url())
    assert _week(page, "Opening hours") == admin_week
    assert page.get_by_text("Hours changed today").is_visible()
    assert_accessible(page, "the listing with its new hours")

    # The provider: the scheduled job's email, the link, a mistake, a proposal.
    assert verification.verification_requests_send().sent == 1
    [email] = _emails_to(tmp_path, "pantry@example.org")
    path = LINK.search(email)["path"]
    page.goto(path)
    assert page.get_by_role("heading", name="Is this listing still right?").is_visible()
    assert page.get_by_text(OLD_PHONE).is_visible()
    assert _week(page, "Opening hours") == admin_week
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

    # The admin approves the proposal from the queue.
    admin.goto("/admin/directory/proposedchange/?status__exact=pending")
    assert admin.get_by_text(NEW_PHONE).is_visible()
    assert_accessible(admin, "admin: changes proposed by providers")
    run_action_on_first_row(admin, "approve")
    assert "Approved 1 change." in admin.content()
    context.close()

    page.goto(service.get_absolute_url())
    assert page.get_by_role("link", name=NEW_PHONE).is_visible()
    assert page.get_by_text(OLD_PHONE).count() == 0
    assert page.get_by_text("Checked by the provider today").is_visible()
    assert page.get_by_text("Phone changed by the provider today").is_visible()
    assert_accessible(page, "the listing checked by its provider")
