"""Issue 16's journey: a city's plan that outlasts its mayor.

A staffer signs up, asks for staff access on the city page, an admin (signed in with
two-factor) approves, the staffer signs a compact, marks two plan items under way and one
done with evidence (after the form refuses "done" without any), finds renewal not yet
possible; an admin records a new mayor's term; the staffer opens the handover page, sees the
plan grouped as due, under way, done and not started, and re-affirms the compact under the
new mayor. axe-core checks every page on the way, forms with errors included, and the admin
pages the admin uses (the staff requests' list and the mayor's-term form).
"""

import datetime
import re
import time
from collections import Counter

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.core import mail
from django.utils import formats, timezone

from compacts.models import (
    AuditAction,
    AuditEvent,
    CityStaff,
    MayorTerm,
    PlanItem,
    Signature,
    StaffStatus,
)
from compacts.plan import PlanStatus, PlanStep
from tests.browser.test_compacts_journey import (
    EMAIL,
    _sign_up_and_verify,
    _submit,
    run_action_on_first_row,
)
from tests.compacts.factories import (
    CityFactory,
    CommitmentFactory,
    CompactFactory,
    MayorTermFactory,
)
from tests.factories import DEFAULT_PASSWORD, AdminFactory, current_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A TOTP code is good for its 30 s window only: one typed in the window's last seconds can
# reach the server in the next, so the admin waits for a fresh window then.
TOTP_MARGIN = 5
EVIDENCE_URL = "https://riverbend.example.org/resources"


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _admin_page(browser, live_server):
    """A browser context of its own for the admin, signed in through allauth with the
    second factor the admin requires; returns (context, page)."""
    admin = AdminFactory(email="admin@example.org")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    _submit(page)
    for _attempt in range(2):
        left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
        if left < TOTP_MARGIN:
            time.sleep(left + 0.5)
        page.fill("input[name=code]", current_totp_code(admin.totp_secret))
        _submit(page)
        if "/2fa/" not in page.url:
            break
    if not re.search(r"/admin/$", page.url):
        pytest.fail(f"Signing in stopped at {page.url}:\n{page.inner_text('body')[:1500]}")
    return context, page


def _approve_pending_request(page, assert_accessible) -> None:
    page.goto("/admin/compacts/citystaff/?status__exact=pending")
    assert_accessible(page, "admin: pending staff requests")
    run_action_on_first_row(page, "approve_staff")
    assert "Approved 1 request." in page.content()


def _record_mayor_term(page, city_label: str, mayor_name: str, starts_on, assert_accessible):
    """Through the admin's add form, choosing the city by its label in the city list."""
    page.goto("/admin/compacts/mayorterm/add/")
    assert_accessible(page, "admin: add a mayor's term")
    page.select_option("select[name=city]", label=city_label)
    page.fill("input[name=mayor_name]", mayor_name)
    page.fill("input[name=starts_on]", starts_on.isoformat())
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    assert "was added successfully" in page.content(), page.inner_text("body")[:1500]


def _update_plan_item(page, city, key: str, **fields) -> None:
    """Open the item from the city page's "Update" link and fill its form with ``fields``."""
    page.goto(city.get_absolute_url())
    item = page.locator(f"#plan-{key}")
    with page.expect_navigation():
        item.get_by_role("link", name=re.compile(r"^Update ")).click()
    assert page.url.endswith(f"/cities/{city.slug}/plan/{key}/")
    for name, value in fields.items():
        if name == "status":
            page.select_option("select[name=status]", value)
        elif name == "public_note":
            page.fill("textarea[name=public_note]", value)
        else:
            page.fill(f"input[name={name}]", value)


def _group(page, heading: str) -> list[str]:
    """The titles of the items listed under an h3 of the handover page (up to the next
    heading), in the order shown."""
    return page.evaluate(
        """(heading) => {
            const h3 = [...document.querySelectorAll("main h3")]
                .find((el) => el.textContent.trim() === heading);
            const titles = [];
            for (let el = h3.nextElementSibling; el && !/^H[1-3]$/.test(el.tagName);
                 el = el.nextElementSibling) {
                for (const li of el.querySelectorAll(":scope > li")) {
                    titles.push(li.querySelector("a").innerText.trim());
                }
            }
            return titles;
        }""",
        heading,
    )


def test_a_plan_that_outlasts_the_mayor(page, browser, live_server, assert_accessible):
    today = timezone.localdate()
    compact = CompactFactory(title="Mayors' Compact to Combat Hate", slug="combat-hate")
    reject = CommitmentFactory(compact=compact, position=1, text="Reject extremism and bigotry.")
    report = CommitmentFactory(compact=compact, position=2, text="Report hate crimes openly.")
    city = CityFactory(name="Riverbend", state="TX", slug="riverbend-tx", mayor_name="Ana Ortiz")
    # Mayor Ortiz's term is on record from before the journey starts.
    MayorTermFactory(city=city, mayor_name="Ana Ortiz", starts_on=datetime.date(2020, 1, 6))
    CityFactory.create_batch(2)

    # 1. Sign up, verify the email address, and ask for staff access on the city page.
    _sign_up_and_verify(page)
    page.goto(city.get_absolute_url())
    assert page.get_by_role("heading", name="Riverbend's action plan").count() == 1
    assert page.locator("ol.plan-timeline > li").count() == len(PlanStep)  # nothing signed
    assert page.get_by_role("link", name=re.compile(r"^Update")).count() == 0
    assert_accessible(page, "city page for a signed-in visitor")
    with page.expect_navigation():
        page.get_by_role("link", name="Request staff access").click()
    assert_accessible(page, "staff request form")
    page.select_option("select[name=role]", "chief_of_staff")
    page.fill("input[name=job_title]", "Chief of staff")
    page.fill("input[name=work_phone]", "(512) 555-0142")
    _submit(page)
    assert page.url.endswith(city.get_absolute_url())
    assert "An administrator will check your request" in page.content()
    assert "Your request is pending" in page.locator("#staff-request-status").inner_text()
    assert page.get_by_role("link", name="Request staff access").count() == 0
    assert_accessible(page, "city page with a pending request")
    assert CityStaff.objects.get().status == StaffStatus.PENDING

    # 2. An admin, signed in with two-factor, approves the request.
    admin_context, admin = _admin_page(browser, live_server)
    _approve_pending_request(admin, assert_accessible)
    assert CityStaff.objects.get().status == StaffStatus.APPROVED
    assert "approved your request" in mail.outbox[-1].body

    # 3. The staffer signs the compact from the city page.
    page.goto(city.get_absolute_url())
    actions = page.get_by_role("table", name="Compacts you can act on for Riverbend")
    assert_accessible(page, "city page for approved staff")
    with page.expect_navigation():
        actions.get_by_role("link", name="Sign Mayors' Compact to Combat Hate").click()
    assert page.input_value("input[name=mayor_name]") == "Ana Ortiz"
    assert_accessible(page, "sign form")
    page.get_by_label("The mayor has authorised me").check()
    _submit(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for signing"
    assert_accessible(page, "signed confirmation")
    signature = Signature.objects.active().get(compact=compact, city=city)
    assert signature.signed_on == today

    # 4. The plan now has the compact's commitments; two items go under way, one is done.
    page.goto(city.get_absolute_url())
    timeline = page.locator("ol.plan-timeline > li")
    assert timeline.count() == len(PlanStep) + 2
    assert page.locator(f"#plan-commitment-{reject.pk}").count() == 1
    updates = page.locator("ol.plan-timeline").get_by_role("link", name=re.compile(r"^Update "))
    assert updates.count() == len(PlanStep) + 2
    assert_accessible(page, "city page with the signed compact's commitments in the plan")

    bridge_target = today + datetime.timedelta(days=30)  # within 90 days: due at handover
    _update_plan_item(
        page,
        city,
        "step-bridge_builder",
        status=PlanStatus.UNDER_WAY,
        responsible_role="Office of the Mayor",
        starts_on=today.isoformat(),
        target_on=bridge_target.isoformat(),
    )
    assert page.get_by_role("heading", level=1).inner_text() == "Designate a chief bridge-builder"
    assert "Not started: no change has been recorded yet." in page.content()
    assert_accessible(page, "plan item page with its form")
    _submit(page)
    assert page.url.endswith(f"{city.get_absolute_url()}#plan-step-bridge_builder")
    assert "is now under way" in page.content()
    bridge = page.locator("#plan-step-bridge_builder")
    assert "Under way" in bridge.inner_text()
    assert "Office of the Mayor" in bridge.inner_text()
    assert _date(bridge_target) in bridge.inner_text()
    assert_accessible(page, "city page after saving a plan item")

    reject_target = today + datetime.timedelta(days=200)  # not due yet
    _update_plan_item(
        page,
        city,
        f"commitment-{reject.pk}",
        status=PlanStatus.UNDER_WAY,
        responsible_role="Human Relations Commission",
        target_on=reject_target.isoformat(),
    )
    assert "Commitment of the Mayors' Compact to Combat Hate" in page.content()
    assert_accessible(page, "plan item page of a commitment")
    _submit(page)
    assert "is now under way" in page.content()

    # "Done" needs an evidence link or a public note: refused first, then accepted.
    _update_plan_item(page, city, "step-directory", status=PlanStatus.DONE)
    _submit(page)
    assert "Say how it was done: add an evidence link or a public note." in page.content()
    assert page.locator("input[name=evidence_url][aria-invalid=true]").count() == 1
    assert not PlanItem.objects.filter(city=city, step=PlanStep.DIRECTORY).exists()
    assert_accessible(page, "plan item form with errors")
    page.fill("input[name=evidence_url]", EVIDENCE_URL)
    page.fill("textarea[name=public_note]", "Published with the library, in four languages.")
    _submit(page)
    assert page.url.endswith(f"{city.get_absolute_url()}#plan-step-directory")
    assert "is now done" in page.content()
    directory = page.locator("#plan-step-directory")
    assert directory.get_by_role("link", name=EVIDENCE_URL).count() == 1
    assert "1 done, 2 under way, 8 not started" in page.locator(".plan-counts").inner_text()

    items = {
        (item.step or f"commitment-{item.commitment_id}"): item
        for item in PlanItem.objects.filter(city=city)
    }
    assert {key: item.status for key, item in items.items()} == {
        PlanStep.BRIDGE_BUILDER: PlanStatus.UNDER_WAY,
        f"commitment-{reject.pk}": PlanStatus.UNDER_WAY,
        PlanStep.DIRECTORY: PlanStatus.DONE,
    }
    assert items[PlanStep.BRIDGE_BUILDER].target_on == bridge_target
    assert items[PlanStep.DIRECTORY].evidence_url == EVIDENCE_URL
    assert items[PlanStep.DIRECTORY].changes.count() == 1  # the refused attempt left none

    # The item's public history.
    page.goto(f"{city.get_absolute_url()}plan/step-directory/")
    history = page.locator("ol.plan-history")
    assert history.get_by_role("link", name=EVIDENCE_URL).count() == 1
    assert_accessible(page, "plan item page with its history")

    # 5. Signed today: renewal is not possible yet, on the city page nor on the renew page.
    page.goto(city.get_absolute_url())
    actions = page.get_by_role("table", name="Compacts you can act on for Riverbend")
    assert actions.get_by_role("link", name=re.compile(r"^Renew ")).count() == 0
    assert "Renewal opens on" in actions.inner_text()
    page.goto(f"/compacts/{compact.slug}/renew/?city={city.pk}")
    assert "It is too early to renew" in page.content()
    assert page.locator("main form").count() == 0
    assert_accessible(page, "renew page before the window opens")

    # 6. A new mayor takes office today. A signature made today was made under the new
    # term already (re-affirmation is for signatures made *before* a term starts), and the
    # journey cannot wait months between signing and an election. So the signature is
    # dated back, in the database, to 200 days ago: within Mayor Ortiz's recorded term,
    # and not so old that its renewal falls due. Nothing else about it changes.
    signed_on = today - datetime.timedelta(days=200)
    Signature.objects.filter(pk=signature.pk).update(signed_on=signed_on)
    _record_mayor_term(admin, "Riverbend, TX", "Ben Carter", today, assert_accessible)
    admin_context.close()
    new_term = MayorTerm.objects.get(city=city, starts_on=today)
    assert new_term.mayor_name == "Ben Carter"
    assert new_term.ends_on is None
    assert MayorTerm.objects.get(city=city, mayor_name="Ana Ortiz").ends_on == (
        today - datetime.timedelta(days=1)
    )
    city.refresh_from_db()
    assert city.mayor_name == "Ben Carter"

    # 7. The staffer sees the handover page: the plan stayed, grouped for the new office.
    page.goto(city.get_absolute_url())
    assert "To be re-affirmed by the new mayor's office" in page.content()
    assert "1 done, 2 under way, 8 not started" in page.locator(".plan-counts").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Handover summary for a new mayor's office").click()
    assert page.url.endswith(f"/cities/{city.slug}/handover/")
    assert "Mayor Ben Carter, in office since" in page.content()
    bridge_title = str(PlanStep.BRIDGE_BUILDER.label)
    directory_title = str(PlanStep.DIRECTORY.label)
    assert _group(page, "Due") == [bridge_title]  # the commitment's target is 200 days away
    assert _group(page, "Under way") == [bridge_title, reject.text]
    assert _group(page, "Done") == [directory_title]
    assert _group(page, "Not started") == [
        str(step.label)
        for step in PlanStep
        if step not in (PlanStep.BRIDGE_BUILDER, PlanStep.DIRECTORY)
    ] + [report.text]
    done_list = page.locator("main h3:text-is('Done') + ul")
    assert done_list.get_by_role("link", name="evidence").get_attribute("href") == EVIDENCE_URL
    assert "Office of the Mayor" in page.locator("main h3:text-is('Due') ~ ul").first.inner_text()
    signatures = page.get_by_role("table", name="Active signatures of Riverbend")
    assert "To be re-affirmed" in signatures.inner_text()
    assert f"{_date(signed_on)}, by Mayor Ana Ortiz" in signatures.inner_text()
    assert_accessible(page, "handover page")

    # 8. Re-affirm from the handover page, after its confirmation page.
    with page.expect_navigation():
        signatures.get_by_role("link", name="Re-affirm Mayors' Compact to Combat Hate").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Re-affirm the Mayors' Compact to Combat Hate"
    )
    assert page.get_by_role("heading", name="What re-affirming means").count() == 1
    assert_accessible(page, "re-affirm confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Re-affirm under Mayor Ben Carter").click()
    assert page.url.endswith(f"/cities/{city.slug}/handover/")
    assert "re-affirmed its signature of Mayors' Compact to Combat Hate under Mayor Ben Carter" in (
        page.content()
    )
    signatures = page.get_by_role("table", name="Active signatures of Riverbend")
    assert f"Re-affirmed on {_date(today)} under Mayor Ben Carter" in signatures.inner_text()
    assert signatures.get_by_role("link", name=re.compile(r"^Re-affirm")).count() == 0
    assert_accessible(page, "handover page after re-affirming")

    signature.refresh_from_db()
    assert signature.reaffirmed_on == today
    assert signature.reaffirmed_by_mayor == "Ben Carter"
    assert signature.signed_on == signed_on  # the signature keeps its original date
    assert not signature.needs_reaffirmation(new_term)

    # Re-affirming again has nothing to do.
    page.goto(f"/compacts/{compact.slug}/reaffirm/?city={city.pk}")
    assert "there is nothing to re-affirm" in page.content()
    assert page.locator("main form").count() == 0
    assert_accessible(page, "re-affirm page with nothing to re-affirm")

    # Every change went through the services and was audited, by the right person.
    staffer = CityStaff.objects.get().user
    assert staffer.email == EMAIL
    events = AuditEvent.objects.filter(city=city)
    assert Counter(events.values_list("action", flat=True)) == Counter(
        {
            AuditAction.REQUEST: 1,
            AuditAction.APPROVE: 1,
            AuditAction.SIGN: 1,
            AuditAction.PLAN_UPDATE: 3,
            AuditAction.MAYOR_TERM: 1,
            AuditAction.REAFFIRM: 1,
        }
    )
    by_staffer = {AuditAction.REQUEST, AuditAction.SIGN, AuditAction.PLAN_UPDATE}
    by_staffer.add(AuditAction.REAFFIRM)
    for event in events:
        assert (event.actor == staffer) == (event.action in by_staffer), event
    assert events.get(action=AuditAction.REAFFIRM).detail == "Ben Carter"
    assert events.get(action=AuditAction.MAYOR_TERM).mayor_term == new_term
