"""Renewal reminders: approved staff with a verified email are emailed once per due date when
their city's signature can be renewed; the daily run is queued once on the task queue.

"Today" is fixed as in test_renewal.py: a signature of 15 January 2025 under 12 months and
60 days is due on 15 January 2026, and renewal opens on 16 November 2025.
"""

import datetime
import threading
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from compacts import reminders, services
from compacts.models import AuditAction, AuditEvent, Signature, StaffStatus
from tests.directory.importing import run_import_worker
from tests.factories import UserFactory

from .factories import CityStaffFactory, CompactFactory, SignatureFactory

SIGNED = datetime.date(2025, 1, 15)
DUE_ON = datetime.date(2026, 1, 15)
OPENS_ON = datetime.date(2025, 11, 16)  # 60 days before DUE_ON
ONE_DAY = datetime.timedelta(days=1)
UTC = datetime.UTC


@pytest.fixture
def today(monkeypatch):
    """Set the date the app believes it is (every caller reads timezone.localdate())."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return set_today


@pytest.fixture
def signature(compact, city):
    return SignatureFactory(compact=compact, city=city, signed_on=SIGNED)


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# When an email goes out ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "emails"),
    [
        (OPENS_ON - ONE_DAY, 0),  # the day before the window opens
        (OPENS_ON, 1),  # the day it opens
        (DUE_ON, 1),  # the due date
        (DUE_ON + 30 * ONE_DAY, 1),  # overdue
    ],
)
def test_staff_are_emailed_from_the_day_renewal_opens(today, signature, staff, day, emails):
    today(day)

    report = reminders.send_due_reminders()

    assert len(mail.outbox) == emails
    assert report.emails == emails
    signature.refresh_from_db()
    assert signature.renewal_reminder_sent_for == (DUE_ON if emails else None)


@pytest.mark.django_db
def test_a_second_run_sends_nothing_new(today, signature, staff):
    today(OPENS_ON)
    reminders.send_due_reminders()
    today(OPENS_ON + ONE_DAY)
    report = reminders.send_due_reminders()
    today(DUE_ON + ONE_DAY)  # overdue now, but still the same due date
    reminders.send_due_reminders()

    assert len(mail.outbox) == 1
    assert report.as_data() == {"signatures": 0, "emails": 0, "failed": []}
    assert AuditEvent.objects.filter(action=AuditAction.REMIND).count() == 1


@pytest.mark.django_db
def test_after_renewing_the_next_cycle_is_reminded_when_it_is_due_again(
    today, compact, city, signature, staff
):
    today(OPENS_ON)
    reminders.send_due_reminders()
    renewed = datetime.date(2025, 12, 1)
    today(renewed)
    services.signature_renew(actor=staff.user, compact=compact, city=city)
    next_due = datetime.date(2026, 12, 1)
    next_opens = next_due - 60 * ONE_DAY

    today(next_opens - ONE_DAY)
    reminders.send_due_reminders()
    assert len(mail.outbox) == 1

    today(next_opens)
    reminders.send_due_reminders()
    assert len(mail.outbox) == 2
    signature.refresh_from_db()
    assert signature.renewal_reminder_sent_for == next_due
    assert "Dec. 1, 2026" in mail.outbox[1].body


# Who is emailed ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_approved_staff_member_gets_one_email_of_their_own(today, city, signature):
    first, second = CityStaffFactory(city=city), CityStaffFactory(city=city)
    today(OPENS_ON)

    report = reminders.send_due_reminders()

    assert [message.to for message in mail.outbox] == [[first.user.email], [second.user.email]]
    assert report.as_data() == {"signatures": 1, "emails": 2, "failed": []}


@pytest.mark.django_db
def test_only_approved_active_staff_of_the_city_with_a_verified_email_are_emailed(
    today, city, other_city, signature, staff
):
    for status in (StaffStatus.PENDING, StaffStatus.REJECTED, StaffStatus.REVOKED):
        CityStaffFactory(city=city, status=status)
    CityStaffFactory(city=city, user=UserFactory(verified=False))
    CityStaffFactory(city=city, user=UserFactory(is_active=False))
    CityStaffFactory(city=other_city)
    today(OPENS_ON)

    reminders.send_due_reminders()

    assert _recipients() == [staff.user.email]


@pytest.mark.django_db
def test_staff_whose_primary_address_is_unverified_are_written_to_their_verified_one(
    today, city, signature
):
    member = CityStaffFactory(city=city, user=UserFactory(verified=False))
    member.user.emailaddress_set.create(email="work@riverbend.example.org", verified=True)
    today(OPENS_ON)

    reminders.send_due_reminders()

    assert _recipients() == ["work@riverbend.example.org"]


@pytest.mark.django_db
def test_withdrawn_signatures_and_closed_compacts_get_no_reminder(today, city, staff):
    SignatureFactory(
        city=city, signed_on=SIGNED, withdrawn_on=SIGNED + ONE_DAY, withdrawal_reason="Council"
    )
    SignatureFactory(city=city, signed_on=SIGNED, compact=CompactFactory(is_open=False))
    today(OPENS_ON)

    assert reminders.send_due_reminders().as_data() == {"signatures": 0, "emails": 0, "failed": []}
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_city_with_no_staff_to_tell_is_reminded_once_someone_is_approved(today, city, signature):
    today(OPENS_ON)
    reminders.send_due_reminders()
    signature.refresh_from_db()
    assert signature.renewal_reminder_sent_for is None

    member = CityStaffFactory(city=city)
    reminders.send_due_reminders()

    assert _recipients() == [member.user.email]


# What the email says -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_email_names_the_site_the_compact_the_city_and_links_to_the_renew_page(
    today, settings, compact, city, signature, staff
):
    settings.SITE_NAME = "Riverbend Cares"
    settings.SITE_URL = "https://portal.example.org"
    today(OPENS_ON)

    reminders.send_due_reminders()

    (message,) = mail.outbox
    renew_path = reverse("compacts:renew", kwargs={"slug": compact.slug})
    assert f"https://portal.example.org{renew_path}?city={city.pk}\n" in message.body
    assert "Riverbend Cares" in message.subject
    assert "Mayors' Compact to Combat Hate" in message.subject
    assert "Riverbend" in message.subject
    assert "is due" in message.subject
    assert "Riverbend Cares" in message.body
    assert "Riverbend, TX signed the Mayors' Compact to Combat Hate" in message.body
    assert "due on Jan. 15, 2026" in message.body
    assert "confirms that it still stands by the compact's commitments" in message.body
    assert "holds for 12 months" in message.body
    for host in ("testserver", "localhost", "127.0.0.1", "8000"):
        assert host not in message.subject + message.body


@pytest.mark.django_db
def test_an_overdue_reminder_says_it_is_overdue_and_by_how_long(today, signature, staff):
    today(DUE_ON + 3 * ONE_DAY)

    reminders.send_due_reminders()

    (message,) = mail.outbox
    assert "overdue" in message.subject
    assert "was due on Jan. 15, 2026 and is 3 days overdue" in message.body


@pytest.mark.django_db
def test_the_email_is_in_the_sites_language_whatever_the_caller_has_active(today, signature, staff):
    """The portal stores no language per person yet: reminders use LANGUAGE_CODE."""
    today(OPENS_ON)
    with translation.override("es"):
        reminders.send_due_reminders()

    (message,) = mail.outbox
    assert "/es/" not in message.body
    assert "Jan. 15, 2026" in message.body


# What is recorded ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reminder_is_audited(today, compact, city, signature, staff):
    CityStaffFactory(city=city)
    today(OPENS_ON)

    reminders.send_due_reminders()

    (event,) = AuditEvent.objects.filter(action=AuditAction.REMIND)
    assert event.actor is None
    assert (event.signature, event.city, event.compact) == (signature, city, compact)
    assert event.detail == "due 2026-01-15; emailed 2 of 2"


@pytest.mark.django_db
def test_one_failing_address_does_not_stop_the_others(today, monkeypatch, city, signature):
    failing, working = CityStaffFactory(city=city), CityStaffFactory(city=city)
    send_mail = services.send_mail

    def send_or_fail(subject, body, sender, to):
        if to == [failing.user.email]:
            raise ConnectionRefusedError("mailbox unavailable")
        return send_mail(subject, body, sender, to)

    monkeypatch.setattr(services, "send_mail", send_or_fail)
    today(OPENS_ON)

    report = reminders.send_due_reminders()

    assert _recipients() == [working.user.email]
    assert report.as_data() == {"signatures": 1, "emails": 1, "failed": [failing.user.email]}
    signature.refresh_from_db()
    assert signature.renewal_reminder_sent_for == DUE_ON  # the one who got it is not re-sent
    (event,) = AuditEvent.objects.filter(action=AuditAction.REMIND)
    assert event.detail == f"due 2026-01-15; emailed 1 of 2; not sent to {failing.user.email}"
    reminders.send_due_reminders()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_when_no_email_can_be_sent_nothing_is_recorded_and_the_next_run_tries_again(
    today, monkeypatch, signature, staff
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    send_mail = services.send_mail
    monkeypatch.setattr(services, "send_mail", down)
    today(OPENS_ON)
    assert reminders.send_due_reminders().failed == [staff.user.email]
    signature.refresh_from_db()
    assert signature.renewal_reminder_sent_for is None
    assert not AuditEvent.objects.filter(action=AuditAction.REMIND).exists()

    monkeypatch.setattr(services, "send_mail", send_mail)
    reminders.send_due_reminders()
    assert _recipients() == [staff.user.email]


@pytest.mark.django_db
def test_a_signature_reminded_by_another_worker_after_this_one_read_it_is_not_sent_again(
    today, monkeypatch, signature, staff
):
    """Two workers read the same candidates; the other one locks and reminds first. This one
    reads the marker again under its own lock and sends nothing."""
    read_candidates = reminders.signatures_to_remind

    def read_then_lose_the_race(day):
        candidates = read_candidates(day)
        other_worker = reminders.ReminderReport()
        for signature_id in candidates:
            reminders._remind(signature_id, day, other_worker)
        return candidates

    monkeypatch.setattr(reminders, "signatures_to_remind", read_then_lose_the_race)
    today(OPENS_ON)

    report = reminders.send_due_reminders()

    assert report.emails == 0
    assert _recipients() == [staff.user.email]
    assert AuditEvent.objects.filter(action=AuditAction.REMIND).count() == 1


@pytest.mark.django_db
def test_a_signature_renewed_after_it_was_read_is_not_reminded(
    today, monkeypatch, compact, city, signature, staff
):
    read_candidates = reminders.signatures_to_remind

    def read_then_renew(day):
        candidates = read_candidates(day)
        services.signature_renew(actor=staff.user, compact=compact, city=city)
        return candidates

    monkeypatch.setattr(reminders, "signatures_to_remind", read_then_renew)
    today(OPENS_ON)

    assert reminders.send_due_reminders().emails == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_command_reports_what_it_sent_and_fails_when_an_address_failed(
    today, monkeypatch, capsys, signature, staff
):
    today(OPENS_ON)
    call_command("send_renewal_reminders")
    assert "Sent 1 renewal reminder email(s) for 1 signature(s)." in capsys.readouterr().out

    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", down)
    today(DUE_ON + 200 * ONE_DAY)  # still the same due date: nothing to send
    call_command("send_renewal_reminders")
    other = SignatureFactory(city=signature.city, signed_on=SIGNED)
    with pytest.raises(CommandError, match="1 email"):
        call_command("send_renewal_reminders")
    other.refresh_from_db()
    assert other.renewal_reminder_sent_for is None


# Two workers at once, on Postgres ------------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"
)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_signature_locked_by_another_worker_is_passed_over(today):
    signature = SignatureFactory(signed_on=SIGNED)
    CityStaffFactory(city=signature.city)
    today(OPENS_ON)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                Signature.objects.select_for_update().get(pk=signature.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=other_worker)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        assert reminders.send_due_reminders().emails == 0
    finally:
        release.set()
        holder.join(timeout=30)
    assert mail.outbox == []

    assert reminders.send_due_reminders().emails == 1


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_send_each_reminder_once(today, monkeypatch):
    signatures = [SignatureFactory(signed_on=SIGNED) for _ in range(6)]
    staff = [CityStaffFactory(city=signature.city) for signature in signatures]
    today(OPENS_ON)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    send = reminders._send

    def slow_send(*args, **kwargs):
        threading.Event().wait(0.02)  # keep each lock held while the other worker looks
        return send(*args, **kwargs)

    monkeypatch.setattr(reminders, "_send", slow_send)

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            reminders.send_due_reminders()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert _recipients() == sorted(member.user.email for member in staff)
    assert AuditEvent.objects.filter(action=AuditAction.REMIND).count() == 6


# The daily run on the task queue -------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "next_run"),
    [
        (datetime.datetime(2025, 11, 16, 7, 59, tzinfo=UTC), datetime.datetime(2025, 11, 16, 8)),
        (datetime.datetime(2025, 11, 16, 8, 0, tzinfo=UTC), datetime.datetime(2025, 11, 17, 8)),
        (datetime.datetime(2025, 12, 31, 23, 0, tzinfo=UTC), datetime.datetime(2026, 1, 1, 8)),
    ],
)
def test_the_next_run_is_at_eight_oclock_in_the_sites_time_zone(now, next_run):
    assert reminders.next_run_at(now) == next_run.replace(tzinfo=UTC)


def test_eight_oclock_is_local_time_in_the_configured_time_zone(settings):
    settings.TIME_ZONE = "America/Chicago"
    chicago = zoneinfo.ZoneInfo("America/Chicago")

    # 9:00 on Saturday 7 March 2026 in Chicago (UTC-6); daylight saving time starts overnight.
    run_at = reminders.next_run_at(datetime.datetime(2026, 3, 7, 15, 0, tzinfo=UTC))

    assert run_at == datetime.datetime(2026, 3, 8, 8, 0, tzinfo=chicago)
    assert run_at.astimezone(UTC).hour == 13  # 8:00 CDT (UTC-5), not 14:00 UTC


@pytest.mark.django_db
def test_scheduling_twice_queues_one_run():
    now = datetime.datetime(2025, 11, 16, 9, 30, tzinfo=UTC)

    first = reminders.schedule_daily_reminders(now)
    second = reminders.schedule_daily_reminders(now + ONE_DAY)

    tomorrow_at_eight = datetime.datetime(2025, 11, 17, 8, tzinfo=UTC)
    assert first == (tomorrow_at_eight, True)
    assert second == (tomorrow_at_eight, False)
    (queued,) = reminders.queued_runs()
    assert queued.run_after == tomorrow_at_eight


@pytest.mark.django_db
def test_the_command_schedules_the_daily_run_once(capsys):
    call_command("send_renewal_reminders", "--schedule")
    call_command("send_renewal_reminders", "--schedule")

    out = capsys.readouterr().out
    assert "Queued the daily renewal reminders for" in out
    assert "already queued for" in out
    assert reminders.queued_runs().count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_task_runs_in_the_db_worker_and_queues_tomorrows_run(today, signature, staff):
    today(OPENS_ON)
    result = reminders.send_renewal_reminders.enqueue()

    run_import_worker()

    assert _recipients() == [staff.user.email]
    finished = DBTaskResult.objects.get(pk=result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == {"signatures": 1, "emails": 1, "failed": []}
    (queued,) = reminders.queued_runs()
    assert queued.run_after > finished.finished_at
    assert queued.run_after - finished.finished_at <= datetime.timedelta(days=1)
    assert queued.run_after.astimezone(UTC).time() == datetime.time(8)


@pytest.mark.django_db
def test_a_run_that_finds_tomorrows_run_queued_queues_no_other(today, signature, staff):
    reminders.schedule_daily_reminders()
    today(OPENS_ON)

    reminders.send_renewal_reminders.call()

    assert reminders.queued_runs().count() == 1
    assert len(mail.outbox) == 1
