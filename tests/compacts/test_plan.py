"""A city's action plan: its rows, editing an item, its history, the public timeline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from compacts import action_plan, services
from compacts.models import AuditEvent, PlanItem, PlanItemChange
from compacts.plan import PlanStatus, PlanStep

from .factories import (
    CityStaffFactory,
    CommitmentFactory,
    CompactFactory,
    MayorTermFactory,
    PlanItemFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def _url(city, key: str) -> str:
    return reverse("compacts:plan_item", args=[city.slug, key])


def _form(**overrides) -> dict:
    data = {
        "status": "under_way",
        "responsible_role": "Office of the Mayor",
        "starts_on": "2026-01-05",
        "target_on": "2026-09-30",
        "evidence_url": "",
        "public_note": "",
        "version": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed(compact, city):
    """``compact`` with three commitments, signed by ``city``."""
    for position in (1, 2, 3):
        CommitmentFactory(compact=compact, position=position, text=f"Promise {position}.")
    return SignatureFactory(compact=compact, city=city)


# Rows ------------------------------------------------------------------------------------


def test_the_plan_is_the_guide_steps_then_the_signed_commitments(city, signed, other_city):
    unsigned = CompactFactory()
    CommitmentFactory(compact=unsigned, text="Not this city's promise.")
    rows = action_plan.city_plan(city, TODAY)
    assert [row.step for row in rows[: len(PlanStep)]] == list(PlanStep.values)
    assert [row.title for row in rows[len(PlanStep) :]] == [
        "Promise 1.",
        "Promise 2.",
        "Promise 3.",
    ]
    assert all(row.status == PlanStatus.NOT_STARTED and row.item is None for row in rows)
    # Another city that signed nothing has only the guide's steps.
    assert len(action_plan.city_plan(other_city, TODAY)) == len(PlanStep)


def test_a_withdrawn_signature_takes_its_commitments_off_the_plan(city, signed):
    signed.withdrawn_on, signed.withdrawal_reason = TODAY, "Council vote"
    signed.save()
    assert len(action_plan.city_plan(city, TODAY)) == len(PlanStep)
    commitment = signed.compact.commitments.first()
    assert action_plan.plan_row(city, f"commitment-{commitment.pk}", TODAY) is None


@pytest.mark.parametrize(
    "key", ["step-nope", "commitment-", "commitment-abc", "commitment-٣", "bridge_builder", ""]
)
def test_a_key_that_is_not_on_the_plan_is_not_found(client, city, key):
    assert action_plan.plan_row(city, key, TODAY) is None
    if key:
        assert client.get(_url(city, key)).status_code == 404


def test_the_timeline_puts_dated_items_first_by_target_date(city):
    PlanItemFactory(city=city, step=PlanStep.DIRECTORY, target_on=datetime.date(2027, 1, 1))
    PlanItemFactory(city=city, step=PlanStep.EXEMPLIFY, target_on=datetime.date(2026, 6, 1))
    order = [row.step for row in action_plan.timeline(action_plan.city_plan(city, TODAY))]
    assert order[:3] == [PlanStep.EXEMPLIFY, PlanStep.DIRECTORY, PlanStep.BRIDGE_BUILDER]


def test_due_and_overdue_depend_on_the_target_date_and_status(city):
    PlanItemFactory(city=city, step=PlanStep.DIRECTORY, target_on=TODAY - datetime.timedelta(1))
    PlanItemFactory(city=city, step=PlanStep.EXEMPLIFY, target_on=TODAY + datetime.timedelta(90))
    PlanItemFactory(
        city=city, step=PlanStep.STUDY_COMPASSION, target_on=TODAY + datetime.timedelta(91)
    )
    PlanItemFactory(
        city=city,
        step=PlanStep.CALL_A_MAYOR,
        target_on=TODAY - datetime.timedelta(30),
        status=PlanStatus.DONE,
    )
    summary = action_plan.summarise(action_plan.city_plan(city, TODAY))
    assert [row.step for row in summary.due] == [PlanStep.DIRECTORY, PlanStep.EXEMPLIFY]
    assert [row.step for row in summary.due if row.is_overdue] == [PlanStep.DIRECTORY]
    assert [row.step for row in summary.done] == [PlanStep.CALL_A_MAYOR]


# The service -----------------------------------------------------------------------------


def _update(staff, city, key, **changes):
    row = action_plan.plan_row(city, key, TODAY)
    values = {
        "status": PlanStatus.UNDER_WAY,
        "responsible_role": "",
        "starts_on": None,
        "target_on": None,
        "evidence_url": "",
        "public_note": "",
    }
    seen = changes.pop("seen_version", row.item.updated_at.isoformat() if row.item else "")
    values.update(changes)
    return services.plan_item_update(
        actor=staff.user, city=city, row=row, changes=values, seen_version=seen, ip="203.0.113.9"
    )


def test_the_first_edit_creates_the_item_its_history_and_an_audit_event(staff, city, signed):
    commitment = signed.compact.commitments.get(position=2)
    item = _update(staff, city, f"commitment-{commitment.pk}", responsible_role="Housing office")
    assert (item.commitment, item.step, item.status) == (commitment, "", PlanStatus.UNDER_WAY)
    change = PlanItemChange.objects.get()
    assert (change.item, change.status) == (item, PlanStatus.UNDER_WAY)
    event = AuditEvent.objects.get(action="plan_update")
    assert (event.plan_item, event.compact, event.actor) == (item, signed.compact, staff.user)
    assert event.detail == "status, responsible_role"
    assert event.ip_address == "203.0.113.9"


def test_saving_what_is_already_there_writes_nothing(staff, city):
    _update(staff, city, "step-directory")
    assert _update(staff, city, "step-directory") is None
    assert PlanItemChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="plan_update").count() == 1


def test_an_edit_made_on_an_old_copy_is_refused_and_writes_nothing(staff, city):
    _update(staff, city, "step-directory", public_note="First.")
    with pytest.raises(services.StaleEdit):
        _update(staff, city, "step-directory", public_note="Second.", seen_version="")
    item = PlanItem.objects.get()
    assert item.public_note == "First."
    assert PlanItemChange.objects.count() == 1


def test_done_needs_evidence_or_a_note(staff, city):
    with pytest.raises(services.PlanItemError):
        _update(staff, city, "step-directory", status=PlanStatus.DONE)
    assert not PlanItem.objects.exists()
    item = _update(staff, city, "step-directory", status=PlanStatus.DONE, public_note="Live.")
    assert item.status == PlanStatus.DONE


def test_staff_of_another_city_cannot_edit(city, other_city):
    outsider = CityStaffFactory(city=other_city)
    with pytest.raises(PermissionDenied):
        _update(outsider, city, "step-directory")
    assert not PlanItem.objects.exists()


# The pages -------------------------------------------------------------------------------


def test_staff_edit_an_item_and_everyone_sees_it_on_the_city_page(
    staff_client, client, city, signed
):
    commitment = signed.compact.commitments.get(position=1)
    key = f"commitment-{commitment.pk}"
    response = staff_client.post(
        _url(city, key),
        _form(
            status="done",
            evidence_url="https://riverbend.example.gov/council/2026-02-resolution",
            public_note="Council adopted the resolution <unanimously>.",
        ),
    )
    assert response.status_code == 302
    assert response.url == f"{city.get_absolute_url()}#plan-{key}"
    staff_client.logout()
    html = client.get(city.get_absolute_url()).content.decode()
    assert f'id="plan-{key}"' in html
    assert "https://riverbend.example.gov/council/2026-02-resolution" in html
    assert "Council adopted the resolution &lt;unanimously&gt;." in html
    assert "Office of the Mayor" in html
    assert "1 done, 0 under way, 11 not started" in html
    # The item's own page shows its history, and no form to a visitor.
    page = client.get(_url(city, key)).content.decode()
    assert "Council adopted the resolution" in page
    assert 'name="status"' not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_on": "2025-12-31"}, "The target date cannot be before the start date."),
        ({"starts_on": "31/31/2026"}, "Enter a valid date."),
        ({"status": "finished"}, "Select a valid choice."),
        ({"status": "done"}, "Say how it was done"),
        ({"evidence_url": "not a link at all"}, "Enter a valid URL."),
        ({"public_note": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_a_400(staff_client, city, overrides, message):
    response = staff_client.post(_url(city, "step-directory"), _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PlanItem.objects.exists()


def test_a_stale_form_is_refused_with_409_and_shows_the_other_change(staff, staff_client, city):
    opened = staff_client.get(_url(city, "step-directory")).context["form"]["version"].value()
    other = CityStaffFactory(city=city)
    _update(other, city, "step-directory", public_note="Their note.", seen_version=opened)
    response = staff_client.post(
        _url(city, "step-directory"), _form(public_note="My note.", version=opened)
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this item" in html
    assert "Their note." in html
    assert PlanItem.objects.get().public_note == "Their note."


def test_the_study_step_shows_the_team_progress_counts(client, city):
    html = client.get(city.get_absolute_url()).content.decode()
    study = html.split('id="plan-step-study"')[1].split("</li>")[0]
    assert 'id="team-progress-title"' in study


def test_a_city_page_with_a_40_item_plan_10_terms_and_2_signatures_runs_8_queries(
    client, city, django_assert_max_num_queries
):
    for index, compact in enumerate(CompactFactory.create_batch(2)):
        CommitmentFactory.create_batch(16 - index, compact=compact)
        SignatureFactory(compact=compact, city=city, signed_on=datetime.date(2020, 1, 1))
    for position, step in enumerate(PlanStep):
        PlanItemFactory(city=city, step=step, target_on=TODAY + datetime.timedelta(position))
    for commitment in CompactFactory._meta.model.objects.get(
        pk=city.signatures.first().compact_id
    ).commitments.all():
        PlanItemFactory(city=city, step="", commitment=commitment)
    for year in range(10):
        MayorTermFactory(city=city, starts_on=datetime.date(1990 + 3 * year, 1, 1))
    CityStaffFactory.create_batch(3, city=city)
    with django_assert_max_num_queries(8) as captured:
        response = client.get(city.get_absolute_url())
    assert len(response.context["plan_timeline"]) == 40
    assert len(response.context["terms"]) == 10
    assert len(response.context["signature_rows"]) == 2
    print(f"city page, 40-item plan, 10 terms: {len(captured.captured_queries)} queries")


def test_the_plan_item_page_of_a_step_never_edited_says_so(client, city):
    response = client.get(_url(city, "step-gather_leaders"))
    assert response.status_code == 200
    assert "no change has been recorded yet" in response.content.decode()
