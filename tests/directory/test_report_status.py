"""A resident's suggestion or report has a reference, a status page and, if they asked, an
email when its status changes; their name and email are forgotten 90 days after it closes."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from compassion_portal import daily
from directory.models import REFERENCE_ALPHABET, Suggestion, SuggestionStatus
from directory.report_contacts import forget_report_contacts
from directory.services import suggestions_forget_contacts, suggestions_set_status
from tests.directory.factories import ServiceFactory, SuggestionFactory
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "directory.suggest": (10**6, 60)}


SUGGEST = reverse("directory:suggest")
MESSAGE = {
    "kind": "problem",
    "message": "The pantry now opens on Saturdays only.",
    "contact_name": "Luz Ortega",
    "contact_email": "luz@example.org",
    "website": "",
}


def _send(client, prefix: str = "", **fields) -> Suggestion:
    response = client.post(f"{prefix}{SUGGEST}", {**MESSAGE, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    suggestion = Suggestion.objects.latest("pk")
    assert response.url == suggestion.get_absolute_url()
    return suggestion


def test_a_message_gets_an_unguessable_reference_and_a_status_page(client):
    service = ServiceFactory(name="Eastside Pantry")
    suggestion = _send(client, service=service.slug)
    assert len(suggestion.reference) == 10
    assert set(suggestion.reference) <= set(REFERENCE_ALPHABET)
    assert len({_send(client).reference for _ in range(20)}) == 20
    page = client.get(suggestion.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Your message {suggestion.reference}" in html
    assert "Received" in html
    assert "Eastside Pantry" in html
    assert 'name="robots" content="noindex"' in html
    # Nothing the sender wrote, nor who they are.
    for private in ("Saturdays only", "Luz Ortega", "luz@example.org"):
        assert private not in html


@pytest.mark.parametrize("reference", ["AAAA", "aaaaaaaaaa", "0OOOOOOOOO", "ABCDEFGHJK"])
def test_a_wrong_reference_is_not_found(client, reference):
    SuggestionFactory()
    assert client.get(reverse("directory:report_status", args=[reference])).status_code == 404


def test_notify_needs_an_email(client):
    response = client.post(SUGGEST, {**MESSAGE, "contact_email": "", "notify": "on"})
    assert response.status_code == 200
    assert "Give your email so that we can write to you." in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_sender_who_asked_is_emailed_each_change_in_their_language(
    client, django_capture_on_commit_callbacks
):
    suggestion = _send(client, "/es", notify="on")
    assert suggestion.language == "es"
    admin = AdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        suggestions_set_status([suggestion], status=SuggestionStatus.IN_REVIEW, reviewer=admin)
    with django_capture_on_commit_callbacks(execute=True):
        suggestions_set_status(
            [suggestion],
            status=SuggestionStatus.ACCEPTED,
            reviewer=admin,
            public_reply="Corregimos el horario: ahora dice sábados de 9 a 12.",
        )
    assert [message.to for message in mail.outbox] == [["luz@example.org"]] * 2
    last = mail.outbox[-1]
    assert suggestion.reference in last.subject
    assert "Corregido" in last.subject
    assert "Corregimos el horario" in last.body
    assert f"{settings.SITE_URL}/es/directory/reports/{suggestion.reference}/" in last.body
    page = client.get(suggestion.get_absolute_url()).content.decode()
    assert "Corregimos el horario" in page


def test_a_sender_who_did_not_ask_gets_no_email(django_capture_on_commit_callbacks):
    suggestion = SuggestionFactory(contact_email="sam@example.org", notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        suggestions_set_status([suggestion], status=SuggestionStatus.REJECTED, reviewer=None)
    assert mail.outbox == []


def test_the_same_status_again_changes_nothing_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    suggestion = SuggestionFactory(contact_email="sam@example.org", notify=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert suggestions_set_status([suggestion], status="accepted", reviewer=None) == 1
        assert suggestions_set_status([suggestion], status="accepted", reviewer=None) == 0
    assert len(mail.outbox) == 1


def test_closing_starts_the_clock_and_reopening_stops_it():
    suggestion = SuggestionFactory()
    suggestions_set_status([suggestion], status=SuggestionStatus.REJECTED, reviewer=None)
    suggestion.refresh_from_db()
    assert suggestion.closed_at is not None
    suggestions_set_status([suggestion], status=SuggestionStatus.IN_REVIEW, reviewer=None)
    suggestion.refresh_from_db()
    assert suggestion.closed_at is None


def test_contacts_are_forgotten_90_days_after_closing_and_not_before():
    now = timezone.now()
    old = SuggestionFactory(
        contact_name="A", contact_email="a@example.org", notify=True, status="accepted"
    )
    recent = SuggestionFactory(contact_name="B", contact_email="b@example.org", status="rejected")
    still_open = SuggestionFactory(contact_name="C", contact_email="c@example.org")
    Suggestion.objects.filter(pk=old.pk).update(closed_at=now - datetime.timedelta(days=91))
    Suggestion.objects.filter(pk=recent.pk).update(closed_at=now - datetime.timedelta(days=89))
    Suggestion.objects.filter(pk=still_open.pk).update(
        created_at=now - datetime.timedelta(days=400)
    )
    assert suggestions_forget_contacts(now) == 1
    old.refresh_from_db()
    assert (old.contact_name, old.contact_email, old.notify) == ("", "", False)
    assert old.message  # the report itself stays
    assert Suggestion.objects.get(pk=recent.pk).contact_email == "b@example.org"
    assert Suggestion.objects.get(pk=still_open.pk).contact_email == "c@example.org"
    assert suggestions_forget_contacts(now) == 0


def test_the_command_forgets_and_schedules_once(capsys):
    SuggestionFactory(contact_email="a@example.org", status="accepted")
    Suggestion.objects.update(closed_at=timezone.now() - datetime.timedelta(days=100))
    call_command("forget_report_contacts")
    assert "of 1 report(s)" in capsys.readouterr().out
    call_command("forget_report_contacts", "--schedule")
    call_command("forget_report_contacts", "--schedule")
    assert daily.queued_runs(forget_report_contacts).count() == 1


def test_the_admin_changes_status_and_reply_through_the_service(
    client, django_capture_on_commit_callbacks
):
    suggestion = SuggestionFactory(contact_email="sam@example.org", notify=True)
    client.force_login(AdminFactory())
    url = reverse("admin:directory_suggestion_change", args=[suggestion.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "accepted", "public_reply": "Fixed the phone."})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.public_reply) == ("accepted", "Fixed the phone.")
    assert suggestion.closed_at is not None
    assert len(mail.outbox) == 1
    # The sender's words and address cannot be edited in the admin.
    client.post(url, {"status": "accepted", "public_reply": "Fixed.", "message": "changed"})
    suggestion.refresh_from_db()
    assert suggestion.message != "changed"


def test_only_admins_who_may_change_suggestions_can_set_a_status(client):
    suggestion = SuggestionFactory()
    viewer = AdminFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_suggestion"))
    client.force_login(viewer)
    client.post(
        reverse("admin:directory_suggestion_changelist"),
        {"action": "mark_fixed", "_selected_action": [suggestion.pk]},
    )
    client.post(
        reverse("admin:directory_suggestion_change", args=[suggestion.pk]),
        {"status": "accepted", "public_reply": "x"},
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW
