"""Emailing a city's staff when a signature's renewal is due, once a day on the task queue.

``send_due_reminders`` looks at every active signature of an open compact. When renewal can be
made (it is due or overdue, see renewal.py) and no reminder was sent for its current due date
(``Signature.renewal_reminder_sent_for``), every approved staff member of the city with a
verified email gets one email, and the signature records the due date with an audit event
(REMIND). Renewing starts a new term with a new due date, so the next cycle is reminded again.

Two workers running at once send once: each signature is handled in a transaction of its own
that locks its row first (``skip_locked``: the other worker passes over it) and reads the
marker again under the lock; on SQLite, which has no row locks, the transaction is exclusive
(one writer from its first statement), as django-tasks' own worker takes its tasks.

One address that fails does not stop the others: each person gets their own email, a failure
is logged and named in the audit event's detail, and the signature is marked reminded once at
least one email has gone out, so the staff who got it are not emailed again tomorrow. When
none could be sent (the mail server is down) nothing is recorded and tomorrow's run tries
again. A worker that dies mid-way rolls its signature's transaction back: its staff may get
the same reminder twice, never none.

django-tasks has no cron: the task ``send_renewal_reminders`` queues its own next run, at
``REMINDER_HOUR`` o'clock (``settings.TIME_ZONE``) of the next day, unless a run is queued
already, so one daily chain exists however often ``schedule_daily_reminders`` is called
(`manage.py send_renewal_reminders --schedule`, which `make run` and `make serve` call).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction

from compassion_portal import daily

from .models import AuditAction, Signature
from .permissions import staff_addresses
from .renewal import RenewalStatus
from .services import _audit, _send, site_link

logger = logging.getLogger(__name__)

REMINDER_HOUR = 8  # o'clock in settings.TIME_ZONE, when the daily run is queued for


@dataclass
class ReminderReport:
    """What one run did: signatures reminded, emails sent, and addresses that failed."""

    signatures: int = 0
    emails: int = 0
    failed: list[str] = field(default_factory=list)

    def as_data(self) -> dict:
        return {"signatures": self.signatures, "emails": self.emails, "failed": self.failed}


def _reminder_context(signature: Signature, renewal: RenewalStatus) -> dict:
    compact, city = signature.compact, signature.city

    def renew_path() -> str:
        return reverse("compacts:renew", kwargs={"slug": compact.slug})

    return {
        "compact": compact,
        "city": city,
        "renewal": renewal,
        "renew_url": site_link(lambda: f"{renew_path()}?city={city.pk}"),
    }


def _remind(signature_id: int, today: datetime.date, report: ReminderReport) -> None:
    """Email the staff of one signature whose renewal can be made, once per due date."""
    with exclusive_transaction():
        signature = (
            Signature.objects.active()
            .filter(pk=signature_id, compact__is_open=True)
            .select_related("compact", "city")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if signature is None:
            return  # another worker holds it, or it was withdrawn or its compact closed
        renewal = signature.renewal(today)
        if not renewal.can_renew or signature.renewal_reminder_sent_for == renewal.due_on:
            return  # renewed, or reminded, since the candidates were read
        recipients = staff_addresses(signature.city_id)
        context = _reminder_context(signature, renewal)
        sent, failed = [], []
        for address, language in recipients:  # each in the recipient's own language
            try:
                _send("compacts/email/renewal_due", context, address, language)
            except Exception:
                logger.exception(
                    "Renewal reminder for signature %s not sent to %s", signature.pk, address
                )
                failed.append(address)
            else:
                sent.append(address)
        report.emails += len(sent)
        report.failed += failed
        if not sent:
            return  # no staff to tell, or none could be told: the next run tries again
        signature.renewal_reminder_sent_for = renewal.due_on
        signature.save(update_fields=["renewal_reminder_sent_for"])
        detail = f"due {renewal.due_on.isoformat()}; emailed {len(sent)} of {len(recipients)}"
        if failed:
            detail += "; not sent to " + ", ".join(failed)
        _audit(
            actor=None,
            action=AuditAction.REMIND,
            city=signature.city,
            compact=signature.compact,
            signature=signature,
            ip=None,
            detail=detail,
        )
        report.signatures += 1


def signatures_to_remind(today: datetime.date) -> list[int]:
    """Ids of the active signatures of open compacts that can be renewed on ``today`` and
    whose staff have not been reminded of their current due date."""
    return [
        signature.pk
        for signature in Signature.objects.renewable_on(today)
        if signature.renewal_reminder_sent_for != signature.renewal(today).due_on
    ]


def send_due_reminders() -> ReminderReport:
    """Remind the staff of every signature whose renewal can be made today (once per due
    date); what `manage.py send_renewal_reminders` runs, and the daily task."""
    today = timezone.localdate()
    report = ReminderReport()
    for signature_id in signatures_to_remind(today):
        _remind(signature_id, today, report)
    return report


# The daily chain ----------------------------------------------------------------------------


def next_run_at(now: datetime.datetime) -> datetime.datetime:
    """The first REMINDER_HOUR o'clock (settings.TIME_ZONE) after ``now``."""
    return daily.next_run_at(now, REMINDER_HOUR)


def queued_runs():
    """The runs of the daily task waiting in the queue (not yet started)."""
    return daily.queued_runs(send_renewal_reminders)


def schedule_daily_reminders(
    now: datetime.datetime | None = None,
) -> tuple[datetime.datetime, bool]:
    """Queue the next daily run unless one is queued already; returns when the queued run
    will start and whether this call queued it."""
    return daily.schedule(send_renewal_reminders, REMINDER_HOUR, now)


@task()
def send_renewal_reminders() -> dict:
    """The daily task: queue tomorrow's run first (so that a failure here does not end the
    chain), then remind staff of the renewals that can be made today."""
    schedule_daily_reminders()
    return send_due_reminders().as_data()
