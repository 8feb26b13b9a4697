"""When a signature must be renewed, and when it may be.

A compact says how long a signature holds (``Compact.renewal_months``, 12 by default) and how
many days before the due date renewal opens (``Compact.renewal_window_days``, 60 by default).
A signature's term starts on the day it was signed or last renewed:

- before ``due_on - window_days`` renewal is not possible yet ("current");
- from that day up to and including ``due_on`` the city may renew ("due");
- after ``due_on`` it is "overdue", and may still renew: a late renewal is better than none.

Renewing starts a new term on the day of renewal, so the next due date is counted from it.
Dates are the project's local dates (``timezone.localdate()``), as ``signed_on`` is.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

CURRENT = "current"
DUE = "due"
OVERDUE = "overdue"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` calendar months on; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class RenewalStatus:
    state: str  # CURRENT, DUE or OVERDUE
    due_on: datetime.date
    opens_on: datetime.date
    today: datetime.date

    @property
    def can_renew(self) -> bool:
        return self.state != CURRENT

    @property
    def is_due(self) -> bool:
        return self.state == DUE

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)


@dataclass(frozen=True)
class RenewalTerms:
    months: int
    window_days: int

    def due_on(self, term_start: datetime.date) -> datetime.date:
        return add_months(term_start, self.months)

    def status(
        self, term_start: datetime.date, today: datetime.date | None = None
    ) -> RenewalStatus:
        today = today or timezone.localdate()
        due_on = self.due_on(term_start)
        opens_on = due_on - datetime.timedelta(days=self.window_days)
        if today < opens_on:
            state = CURRENT
        elif today <= due_on:
            state = DUE
        else:
            state = OVERDUE
        return RenewalStatus(state=state, due_on=due_on, opens_on=opens_on, today=today)

    def next_due_if_renewed(self, today: datetime.date | None = None) -> datetime.date:
        return self.due_on(today or timezone.localdate())
