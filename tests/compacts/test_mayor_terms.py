"""Mayors' terms: recording a new term, re-affirming signatures, the handover page."""

import datetime

import pytest
from django.urls import reverse

from compacts import services
from compacts.models import AuditEvent, City, MayorTerm
from compacts.plan import PlanStatus, PlanStep
from tests.factories import AdminFactory

from .factories import MayorTermFactory, PlanItemFactory, SignatureFactory

pytestmark = pytest.mark.django_db

NEW_TERM = datetime.date(2026, 1, 5)


@pytest.fixture
def today(monkeypatch):
    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return set_today


@pytest.fixture
def admin_user(db):
    return AdminFactory()


def _record(admin_user, city, name, starts_on):
    return services.mayor_term_record(
        actor=admin_user, city=city, mayor_name=name, starts_on=starts_on
    )


# Recording terms -------------------------------------------------------------------------


def test_a_new_term_ends_the_last_one_and_changes_the_citys_mayor(admin_user, city):
    first = _record(admin_user, city, "Ana Ortiz", datetime.date(2022, 1, 3))
    second = _record(admin_user, city, "  Rosa   Vidal ", NEW_TERM)
    first.refresh_from_db()
    assert first.ends_on == datetime.date(2026, 1, 4)
    assert (second.mayor_name, second.ends_on) == ("Rosa Vidal", None)
    assert City.objects.get(pk=city.pk).mayor_name == "Rosa Vidal"
    event = AuditEvent.objects.filter(action="mayor_term").latest("at")
    assert (event.mayor_term, event.actor) == (second, admin_user)


def test_recording_an_earlier_term_keeps_the_current_mayor(admin_user, city):
    _record(admin_user, city, "Rosa Vidal", NEW_TERM)
    older = _record(admin_user, city, "Sam Lee", datetime.date(2018, 1, 1))
    assert older.ends_on == datetime.date(2026, 1, 4)
    assert City.objects.get(pk=city.pk).mayor_name == "Rosa Vidal"


def test_two_terms_cannot_start_the_same_day(admin_user, city):
    _record(admin_user, city, "Rosa Vidal", NEW_TERM)
    with pytest.raises(services.MayorTermError):
        _record(admin_user, city, "Someone Else", NEW_TERM)
    assert MayorTerm.objects.count() == 1


def test_the_admin_records_a_term_through_the_service(client, admin_user, city):
    MayorTermFactory(city=city, mayor_name="Ana Ortiz", starts_on=datetime.date(2022, 1, 3))
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:compacts_mayorterm_add"),
        {"city": city.pk, "mayor_name": "Rosa Vidal", "starts_on": "2026-01-05"},
    )
    assert response.status_code == 302
    assert MayorTerm.objects.get(mayor_name="Ana Ortiz").ends_on == datetime.date(2026, 1, 4)
    assert City.objects.get(pk=city.pk).mayor_name == "Rosa Vidal"
    assert AuditEvent.objects.filter(action="mayor_term", actor=admin_user).exists()
    # A second term on the same day is a form error in the admin, not a 500.
    response = client.post(
        reverse("admin:compacts_mayorterm_add"),
        {"city": city.pk, "mayor_name": "Other", "starts_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert MayorTerm.objects.count() == 2


# Re-affirming ----------------------------------------------------------------------------


@pytest.fixture
def old_signature(compact, city):
    return SignatureFactory(compact=compact, city=city, signed_on=datetime.date(2023, 6, 1))


def test_signatures_made_before_a_new_term_are_marked_for_reaffirmation(
    client, admin_user, city, compact, old_signature, today
):
    today(datetime.date(2026, 2, 1))
    html = client.get(city.get_absolute_url()).content.decode()
    assert "To be re-affirmed" not in html  # no term on record: nothing to ask
    _record(admin_user, city, "Rosa Vidal", NEW_TERM)
    html = client.get(city.get_absolute_url()).content.decode()
    assert "To be re-affirmed by the new mayor's office" in html
    assert "in office since" in html
    # A signature made under the new mayor is not.
    old_signature.signed_on = datetime.date(2026, 1, 20)
    old_signature.save()
    assert "To be re-affirmed" not in client.get(city.get_absolute_url()).content.decode()


def test_a_term_that_has_not_begun_asks_nothing_yet(admin_user, city, old_signature, today):
    today(datetime.date(2025, 12, 31))
    _record(admin_user, city, "Rosa Vidal", NEW_TERM)
    term = city.mayor_terms.current_on(datetime.date(2025, 12, 31))
    assert not old_signature.needs_reaffirmation(term)


def test_staff_reaffirm_and_the_renewal_clock_starts_again(
    staff, staff_client, admin_user, city, compact, old_signature, today
):
    today(datetime.date(2026, 2, 1))
    _record(admin_user, city, "Rosa Vidal", NEW_TERM)
    url = reverse("compacts:reaffirm", args=[compact.slug])
    page = staff_client.get(url, {"city": city.pk})
    assert page.status_code == 200
    assert "Re-affirm under Mayor Rosa Vidal" in page.content.decode()
    response = staff_client.post(url, {"city": city.pk})
    assert response.status_code == 302
    assert response.url == reverse("compacts:handover", args=[city.slug])
    old_signature.refresh_from_db()
    assert (old_signature.reaffirmed_on, old_signature.reaffirmed_by_mayor) == (
        datetime.date(2026, 2, 1),
        "Rosa Vidal",
    )
    assert old_signature.signed_on == datetime.date(2023, 6, 1)  # the original date stays
    assert old_signature.renewal().due_on == datetime.date(2027, 2, 1)
    assert AuditEvent.objects.filter(action="reaffirm", signature=old_signature).count() == 1
    # Twice is refused, with a 409 and nothing written.
    again = staff_client.post(url, {"city": city.pk})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="reaffirm").count() == 1


def test_without_a_new_term_reaffirming_is_refused(staff, city, compact, old_signature):
    with pytest.raises(services.NoReaffirmationNeeded):
        services.signature_reaffirm(actor=staff.user, compact=compact, city=city)


# The handover page -----------------------------------------------------------------------


def test_the_handover_page_lists_what_is_done_under_way_and_due(
    staff_client, admin_user, city, compact, old_signature, today
):
    today(datetime.date(2026, 2, 1))
    _record(admin_user, city, "Ana Ortiz", datetime.date(2022, 1, 3))
    _record(admin_user, city, "Rosa Vidal", NEW_TERM)
    PlanItemFactory(
        city=city,
        step=PlanStep.DIRECTORY,
        status=PlanStatus.DONE,
        evidence_url="https://x.example/d",
    )
    PlanItemFactory(
        city=city,
        step=PlanStep.BRIDGE_BUILDER,
        status=PlanStatus.UNDER_WAY,
        target_on=datetime.date(2026, 1, 15),
    )
    response = staff_client.get(reverse("compacts:handover", args=[city.slug]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert [row.step for row in summary.done] == [PlanStep.DIRECTORY]
    assert [row.step for row in summary.under_way] == [PlanStep.BRIDGE_BUILDER]
    assert [row.step for row in summary.due] == [PlanStep.BRIDGE_BUILDER]
    html = response.content.decode()
    assert "Mayor Rosa Vidal, in office since" in html
    assert "(past its target date)" in html
    assert reverse("compacts:reaffirm", args=[compact.slug]) in html
    assert "Mayor Ana Ortiz" in html  # the terms on record
