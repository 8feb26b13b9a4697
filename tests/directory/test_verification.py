"""Provider re-verification without accounts (issue 18, item 4): the daily emails and their
reminders, the signed, expiring, single-use links, the provider's page and the admin's queue
of proposed changes."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compassion_portal import daily
from directory import verification
from directory.models import (
    ChangeAction,
    ChangeSource,
    Metadata,
    Phone,
    ProposedChange,
    ProposedChangeStatus,
    ServiceStatus,
    VerificationRequest,
)
from tests.directory.factories import (
    OrganizationFactory,
    PhoneFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LINK = re.compile(r"https?://\S+/directory/verify/(?P<slug>[-\w]+)/(?P<token>[-\w]+)/")


def _stale(**fields):
    defaults = {
        "assured_date": timezone.localdate() - datetime.timedelta(days=400),
        "email": "desk@example.org",
    }
    return ServiceFactory(**{**defaults, **fields})


def _send(service, now=None) -> tuple[VerificationRequest, str]:
    """Email the listing its request and return it with the link's path from the email."""
    before = len(mail.outbox)
    request = verification.verification_request_send(service=service, now=now)
    assert request is not None
    assert len(mail.outbox) == before + 1
    match = LINK.search(mail.outbox[-1].body)
    return request, f"/directory/verify/{match['slug']}/{match['token']}/"


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


# The email and its link ---------------------------------------------------------------------


def test_the_email_names_the_site_and_links_on_site_url_with_an_unguessable_token():
    service = _stale(name="Riverbend Food Pantry")
    request, path = _send(service)
    email = mail.outbox[-1]
    assert email.to == ["desk@example.org"]
    assert "Riverbend Food Pantry" in email.subject
    assert "Compassion Portal" in email.subject
    assert f"{settings.SITE_URL}{path}" in email.body
    assert service.get_absolute_url() in email.body
    token = _token(path)
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    # Only the hash is kept; the token itself is nowhere in the database row.
    assert request.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(VerificationRequest.objects.values().get())
    assert request.expires_at == request.sent_at + verification.LINK_VALID_FOR


def test_the_organization_email_is_used_when_the_listing_has_none():
    service = _stale(email="", organization=OrganizationFactory(email="office@example.org"))
    _send(service)
    assert mail.outbox[-1].to == ["office@example.org"]


def test_reading_the_page_changes_nothing(client):
    service = _stale(description="Groceries every week.")
    link = ServiceAtLocationFactory(service=service)
    PhoneFactory(location=link.location, number="(555) 010-2000")
    request, path = _send(service)
    previous = service.assured_date
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert service.name in page
    assert "Groceries every week." in page
    assert "(555) 010-2000" in page
    assert link.location.address_1 in page
    assert "Everything is still right" in page
    assert "Something has changed" in page
    assert '<meta name="robots" content="noindex">' in page
    client.get(path)
    service.refresh_from_db()
    request.refresh_from_db()
    assert service.assured_date == previous
    assert request.used_at is None
    assert not Metadata.objects.exists()
    assert not ProposedChange.objects.exists()


def test_confirming_verifies_the_listing_today_logs_the_provider_and_uses_the_link(client):
    service = _stale()
    previous = service.assured_date
    _request, path = _send(service)
    response = client.post(path, {"choice": "confirm"})
    assert response.status_code == 200
    assert "Thank you for checking your listing" in response.content.decode()
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    entry = Metadata.objects.get(service=service)
    assert (entry.updated_by, entry.last_action_type) == (
        ChangeSource.PROVIDER,
        ChangeAction.VERIFY,
    )
    assert entry.previous_value == previous.isoformat()
    assert entry.actor is None
    # Single use: a second submission, or opening it again, says so (410), never a 500.
    for response in (client.post(path, {"choice": "confirm"}), client.get(path)):
        assert response.status_code == 410
        assert "This link was already used" in response.content.decode()
    assert Metadata.objects.filter(service=service).count() == 1


def test_an_expired_link_says_so_and_how_to_reach_us(client):
    service = _stale()
    request, path = _send(service)
    VerificationRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    for response in (client.get(path), client.post(path, {"choice": "confirm"})):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link has expired" in page
        assert reverse("directory:suggest") in page
    service.refresh_from_db()
    assert service.is_stale()


def test_links_expire_after_30_days():
    service = _stale()
    request, _path = _send(service)
    assert verification.link_problem(request, request.sent_at + datetime.timedelta(days=29)) == ""
    assert verification.link_problem(request, request.sent_at + datetime.timedelta(days=30)) == (
        "expired"
    )


def test_a_tampered_token_or_another_listings_token_is_not_found(client):
    service = _stale()
    other = _stale()
    _request, path = _send(service)
    token = _token(path)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (
        f"/directory/verify/{service.slug}/{tampered}/",
        f"/directory/verify/{other.slug}/{token}/",
        f"/directory/verify/{service.slug}/{'x' * 200}/",
    ):
        assert client.get(wrong).status_code == 404
        assert client.post(wrong, {"choice": "confirm"}).status_code == 404
    # The other listing's own link does not open this one either.
    _other_request, other_path = _send(other)
    assert client.get(f"/directory/verify/{service.slug}/{_token(other_path)}/").status_code == 404
    service.refresh_from_db()
    assert service.is_stale()


def test_a_post_without_the_csrf_token_is_refused():
    service = _stale()
    _request, path = _send(service)
    response = Client(enforce_csrf_checks=True).post(path, {"choice": "confirm"})
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.is_stale()


def test_using_one_link_uses_up_the_listings_other_links(client):
    service = _stale()
    start = timezone.now() - datetime.timedelta(days=15)
    _first, first_path = _send(service, now=start)
    _reminder, reminder_path = _send(service)
    assert client.post(reminder_path, {"choice": "confirm"}).status_code == 200
    assert client.get(first_path).status_code == 410


# Proposing changes --------------------------------------------------------------------------


def _proposal(service, **changes) -> dict:
    values = verification.current_values(service)
    return {"choice": "propose", **values, **changes}


def test_a_proposal_creates_pending_changes_and_a_thank_you(client):
    service = _stale(email="old@example.org")
    PhoneFactory(service=service, number="(555) 010-2000")
    request, path = _send(service)
    response = client.post(
        path,
        _proposal(
            service,
            phone="(512) 555-0142",
            hours="Saturdays 9am to noon",
            note="We moved the pantry to Saturdays.",
        ),
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "Thank you, your changes reached us" in response.content.decode()
    changes = {change.field_name: change for change in ProposedChange.objects.all()}
    assert set(changes) == {"phone", "hours"}
    assert changes["phone"].current_value == "(555) 010-2000"
    assert changes["phone"].proposed_value == "(512) 555-0142"
    assert changes["phone"].status == ProposedChangeStatus.PENDING
    assert changes["hours"].provider_note == "We moved the pantry to Saturdays."
    request.refresh_from_db()
    assert request.used_at is not None
    service.refresh_from_db()
    assert service.is_stale()  # verified only once an admin approves
    assert client.post(path, _proposal(service, phone="(512) 555-0199")).status_code == 410


def test_a_note_alone_is_a_proposal(client):
    service = _stale()
    _request, path = _send(service)
    response = client.post(path, _proposal(service, note="The service has ended."))
    assert response.status_code == 200
    assert ProposedChange.objects.get().field_name == "note"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"url": "http://"}, "Enter a valid URL."),
        ({"phone": "call us"}, "Enter a phone number with digits"),
        ({"phone": "555-0142"}, "A U.S. phone number has 10 digits"),
        ({"description": "x" * 4001}, "Ensure this value has at most 4000 characters"),
        ({}, "Nothing was changed."),
    ],
)
def test_proposed_values_are_checked_with_clear_messages(client, changes, message):
    service = _stale()
    request, path = _send(service)
    response = client.post(path, _proposal(service, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProposedChange.objects.exists()
    request.refresh_from_db()
    assert request.used_at is None  # the provider can correct it and send again


# The admin's queue --------------------------------------------------------------------------


def _propose(client, service, **changes) -> list[ProposedChange]:
    _request, path = _send(service)
    assert client.post(path, _proposal(service, **changes)).status_code == 200
    return list(ProposedChange.objects.filter(service=service))


def test_approving_a_phone_applies_it_logs_the_provider_and_verifies_the_listing(client):
    service = _stale()
    phone = PhoneFactory(service=service, number="(555) 010-2000")
    [change] = _propose(client, service, phone="(512) 555-0142")
    admin = AdminFactory()
    assert verification.proposed_change_approve(change=change, actor=admin)
    phone.refresh_from_db()
    service.refresh_from_db()
    change.refresh_from_db()
    assert phone.number == "(512) 555-0142"
    assert service.assured_date == timezone.localdate()
    assert (change.status, change.decided_by) == (ProposedChangeStatus.APPROVED, admin)
    logged = Metadata.objects.get(service=service, resource_type="phone")
    assert (logged.field_name, logged.previous_value, logged.replacement_value) == (
        "number",
        "(555) 010-2000",
        "(512) 555-0142",
    )
    assert logged.updated_by == ChangeSource.PROVIDER
    assert logged.actor == admin
    assert Metadata.objects.filter(
        service=service, last_action_type=ChangeAction.VERIFY, updated_by=ChangeSource.PROVIDER
    ).exists()
    # Deciding twice does nothing more.
    assert not verification.proposed_change_approve(change=change, actor=admin)
    assert Metadata.objects.filter(service=service).count() == 2


def test_approving_a_phone_for_a_listing_without_its_own_adds_one(client):
    service = _stale()
    [change] = _propose(client, service, phone="(512) 555-0142")
    verification.proposed_change_approve(change=change, actor=AdminFactory())
    assert Phone.objects.get(service=service).number == "(512) 555-0142"
    assert Metadata.objects.get(resource_type="phone").last_action_type == ChangeAction.CREATE


def test_approving_email_website_and_description_applies_them(client):
    service = _stale(email="old@example.org", url="https://old.example.org/")
    changes = _propose(
        client,
        service,
        email="new@example.org",
        url="https://new.example.org/food",
        description="Groceries on Saturdays.",
    )
    admin = AdminFactory()
    for change in changes:
        verification.proposed_change_approve(change=change, actor=admin)
    service.refresh_from_db()
    assert (service.email, service.url, service.description) == (
        "new@example.org",
        "https://new.example.org/food",
        "Groceries on Saturdays.",
    )
    assert set(
        Metadata.objects.filter(service=service, resource_type="service")
        .exclude(last_action_type=ChangeAction.VERIFY)
        .values_list("field_name", flat=True)
    ) == {"email", "url", "description"}


def test_the_admin_approves_and_declines_from_the_queue(client):
    first = _stale(email="one@example.org")
    second = _stale(email="two@example.org")
    [approved] = _propose(client, first, email="new-one@example.org")
    [declined] = _propose(client, second, email="new-two@example.org")
    client.force_login(AdminFactory())
    queue = reverse("admin:directory_proposedchange_changelist")
    response = client.get(queue, {"status__exact": "pending"})
    assert response.status_code == 200
    assert "new-one@example.org" in response.content.decode()
    client.post(queue, {"action": "approve", "_selected_action": [approved.pk]})
    client.post(queue, {"action": "decline", "_selected_action": [declined.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email == "new-one@example.org"
    assert second.email == "two@example.org"
    assert ProposedChange.objects.get(pk=declined.pk).status == ProposedChangeStatus.DECLINED


def test_a_view_only_admin_can_read_the_queue_but_not_approve_or_decline(client):
    service = _stale(email="one@example.org")
    [change] = _propose(client, service, email="new@example.org")
    viewer = AdminFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_proposedchange"))
    client.force_login(viewer)
    queue = reverse("admin:directory_proposedchange_changelist")
    response = client.get(queue)
    assert response.status_code == 200
    assert 'value="approve"' not in response.content.decode()
    for action in ("approve", "decline"):
        client.post(queue, {"action": action, "_selected_action": [change.pk]})
    change.refresh_from_db()
    service.refresh_from_db()
    assert change.status == ProposedChangeStatus.PENDING
    assert service.email == "one@example.org"
    # Nor can a proposal or a sent request be edited or deleted in the admin.
    url = reverse("admin:directory_proposedchange_change", args=[change.pk])
    client.post(url, {"proposed_value": "x@example.org"})
    change.refresh_from_db()
    assert change.proposed_value == "new@example.org"


def test_no_admin_can_add_edit_or_delete_proposals_or_requests(client):
    service = _stale()
    [change] = _propose(client, service, email="new@example.org")
    client.force_login(AdminFactory())
    assert client.get(reverse("admin:directory_proposedchange_add")).status_code == 403
    assert (
        client.post(reverse("admin:directory_proposedchange_delete", args=[change.pk])).status_code
        == 403
    )
    request = VerificationRequest.objects.get()
    page = client.get(reverse("admin:directory_verificationrequest_change", args=[request.pk]))
    assert page.status_code == 200
    assert request.token_hash not in page.content.decode()
    assert client.get(reverse("admin:directory_verificationrequest_add")).status_code == 403


# The daily job ------------------------------------------------------------------------------


def _at(days: int, start: datetime.datetime) -> datetime.datetime:
    return start + days * DAY


def test_only_due_listings_with_an_address_are_emailed():
    due = _stale()
    never = _stale(assured_date=None)
    by_organization = _stale(email="", organization=OrganizationFactory(email="o@example.org"))
    _stale(email="", organization=OrganizationFactory(email=""))  # nobody to write to
    ServiceFactory(email="fresh@example.org")  # verified today
    ServiceFactory(  # checked 364 days ago: not due yet
        email="fresh@example.org", assured_date=timezone.localdate() - datetime.timedelta(days=364)
    )
    _stale(status=ServiceStatus.DEFUNCT)
    report = verification.verification_requests_send()
    assert (report.sent, report.failed) == (3, 0)
    assert set(VerificationRequest.objects.values_list("service", flat=True)) == {
        due.pk,
        never.pk,
        by_organization.pk,
    }


def test_reminders_come_14_and_28_days_after_the_first_email_and_then_no_more():
    service = _stale()
    start = timezone.now()
    sent_on = []
    for day in range(0, 60):
        report = verification.verification_requests_send(now=_at(day, start))
        if report.sent:
            sent_on.append(day)
    assert sent_on == [0, 14, 28]
    assert list(
        VerificationRequest.objects.order_by("sent_at").values_list("reminder", flat=True)
    ) == [0, 1, 2]
    assert "Reminder" in mail.outbox[1].subject
    # Every email has its own link; each one's token is different.
    tokens = {LINK.search(email.body)["token"] for email in mail.outbox}
    assert len(tokens) == 3
    assert service.verification_requests.count() == 3


def test_running_twice_the_same_day_sends_one_email():
    _stale()
    start = timezone.now()
    assert verification.verification_requests_send(now=start).sent == 1
    assert (
        verification.verification_requests_send(now=start + datetime.timedelta(hours=1)).sent == 0
    )
    assert len(mail.outbox) == 1
    # Nor a reminder on the day of the first email, or twice on the reminder's day.
    assert verification.verification_requests_send(now=_at(14, start)).sent == 1
    assert verification.verification_requests_send(now=_at(14, start)).sent == 0
    assert len(mail.outbox) == 2


def test_no_reminder_once_the_provider_answered(client):
    service = _stale()
    start = timezone.now() - datetime.timedelta(days=20)
    _request, path = _send(service, now=start)
    client.post(path, _proposal(service, note="We close in June."))
    assert verification.verification_requests_send(now=_at(14, start)).sent == 0
    assert verification.verification_requests_send(now=_at(28, start)).sent == 0


def test_no_reminder_once_the_listing_was_verified_and_a_new_round_when_it_is_stale_again():
    service = _stale()
    start = timezone.now()
    verification.verification_requests_send(now=start)
    # An admin checks it with the provider by phone: no longer due.
    service.assured_date = timezone.localdate(_at(3, start))
    service.save()
    assert verification.verification_requests_send(now=_at(14, start)).sent == 0
    # A year and a bit later it is stale again: a new round begins with a first email.
    later = _at(3 + 366, start)
    assert verification.verification_requests_send(now=later).sent == 1
    assert VerificationRequest.objects.latest("sent_at").reminder == 0


def test_a_failed_email_is_tried_again_next_run(monkeypatch):
    _stale()

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(verification, "send_mail", broken)
    report = verification.verification_requests_send()
    assert (report.sent, report.failed) == (0, 1)
    assert not VerificationRequest.objects.exists()
    monkeypatch.undo()
    assert verification.verification_requests_send().sent == 1


def test_the_command_sends_now_and_schedules_once(capsys):
    _stale()
    call_command("send_verification_requests")
    assert "Sent 1 verification request(s)." in capsys.readouterr().out
    call_command("send_verification_requests", "--schedule")
    call_command("send_verification_requests", "--schedule")
    assert daily.queued_runs(verification.send_verification_requests).count() == 1
