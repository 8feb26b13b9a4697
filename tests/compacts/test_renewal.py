"""Renewal with rules: a signature holds for the compact's renewal_months; staff can renew
only from renewal_window_days before it is due; after the due date it is overdue.

The edges are checked through the service and through the confirmation page, with "today"
fixed: a signature of 15 January 2025 under 12 months and 60 days is due on 15 January 2026,
and renewal opens on 16 November 2025.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compacts import services
from compacts.models import AuditEvent
from compacts.renewal import CURRENT, DUE, OVERDUE, RenewalTerms, add_months

from .factories import CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2025, 1, 15)
DUE_ON = datetime.date(2026, 1, 15)
OPENS_ON = datetime.date(2025, 11, 16)  # 60 days before DUE_ON
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def today(monkeypatch):
    """Set the date the app believes it is (every caller reads timezone.localdate())."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return set_today


@pytest.fixture
def signature(compact, city):
    return SignatureFactory(compact=compact, city=city, signed_on=SIGNED)


def test_month_arithmetic_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2025, 1, 15), 12) == datetime.date(2026, 1, 15)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 12, 1), 1) == datetime.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (OPENS_ON - ONE_DAY, CURRENT),  # one day before the window opens
        (OPENS_ON, DUE),  # the first day of the window
        (DUE_ON, DUE),  # the due date itself
        (DUE_ON + ONE_DAY, OVERDUE),
    ],
)
def test_status_at_the_edges(day, state):
    status = RenewalTerms(months=12, window_days=60).status(SIGNED, day)
    assert (status.state, status.due_on, status.opens_on) == (state, DUE_ON, OPENS_ON)
    assert status.can_renew is (state != CURRENT)


def test_the_term_starts_again_at_the_last_renewal(signature, today):
    signature.renewed_on = datetime.date(2025, 12, 1)
    today(datetime.date(2025, 12, 2))
    status = signature.renewal()
    assert (status.state, status.due_on) == (CURRENT, datetime.date(2026, 12, 1))


@pytest.mark.parametrize(
    ("day", "allowed"),
    [(OPENS_ON - ONE_DAY, False), (OPENS_ON, True), (DUE_ON, True), (DUE_ON + ONE_DAY, True)],
)
def test_the_service_renews_only_inside_the_window(staff, compact, signature, today, day, allowed):
    today(day)
    if allowed:
        renewed = services.signature_renew(actor=staff.user, compact=compact, city=staff.city)
        assert renewed.renewed_on == day
        assert renewed.renewal().due_on == add_months(day, 12)
    else:
        with pytest.raises(services.RenewalNotOpen, match=r"renewal opens on Nov\. 16, 2025"):
            services.signature_renew(actor=staff.user, compact=compact, city=staff.city)
        signature.refresh_from_db()
        assert signature.renewed_on is None
    assert AuditEvent.objects.filter(action="renew").exists() is allowed


def test_renewing_twice_in_a_row_is_refused(staff, compact, signature, today):
    today(DUE_ON)
    services.signature_renew(actor=staff.user, compact=compact, city=staff.city)
    with pytest.raises(services.RenewalNotOpen):
        services.signature_renew(actor=staff.user, compact=compact, city=staff.city)
    assert AuditEvent.objects.filter(action="renew").count() == 1


def test_a_compacts_own_terms_decide(staff, city, today):
    quarterly = CompactFactory(renewal_months=3, renewal_window_days=10)
    SignatureFactory(compact=quarterly, city=city, signed_on=SIGNED)  # due 15 April 2025
    today(datetime.date(2025, 4, 4))
    with pytest.raises(services.RenewalNotOpen):
        services.signature_renew(actor=staff.user, compact=quarterly, city=city)
    today(datetime.date(2025, 4, 5))
    services.signature_renew(actor=staff.user, compact=quarterly, city=city)


def test_a_window_as_long_as_the_term_is_refused_by_the_model():
    compact = CompactFactory.build(renewal_months=1, renewal_window_days=28)
    with pytest.raises(ValidationError) as error:
        compact.full_clean(exclude=["slug"])
    assert "renewal_window_days" in error.value.message_dict


# The confirmation page -------------------------------------------------------------------


def _renew_url(compact) -> str:
    return reverse("compacts:renew", args=[compact.slug])


def test_too_early_the_page_says_when_renewal_opens_and_offers_no_button(
    staff_client, compact, city, signature, today
):
    today(OPENS_ON - ONE_DAY)
    response = staff_client.get(_renew_url(compact), {"city": city.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "too early to renew" in html
    assert "Nov. 16, 2025" in html
    assert "<form" not in html.split("<main", 1)[1]


def test_too_early_a_post_is_refused_with_409(staff_client, compact, city, signature, today):
    today(OPENS_ON - ONE_DAY)
    response = staff_client.post(_renew_url(compact), {"city": city.pk})
    assert response.status_code == 409
    assert "too early to renew" in response.content.decode()
    signature.refresh_from_db()
    assert signature.renewed_on is None


@pytest.mark.parametrize("day", [OPENS_ON, DUE_ON, DUE_ON + ONE_DAY])
def test_inside_the_window_the_page_says_when_it_will_next_be_due(
    staff_client, compact, city, signature, today, day
):
    today(day)
    html = staff_client.get(_renew_url(compact), {"city": city.pk}).content.decode()
    assert "If you renew today, next due on" in html
    next_due = add_months(day, 12)
    assert f"{next_due:%b}. {next_due.day}, {next_due.year}" in html
    response = staff_client.post(_renew_url(compact), {"city": city.pk})
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.renewed_on == day


def test_a_closed_compact_cannot_be_renewed(staff_client, compact, city, signature, today):
    compact.is_open = False
    compact.save()
    today(DUE_ON)
    page = staff_client.get(_renew_url(compact), {"city": city.pk}).content.decode()
    assert "can no longer be renewed" in page
    assert staff_client.post(_renew_url(compact), {"city": city.pk}).status_code == 409


# Due and overdue, shown to staff and on the city page -------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (OPENS_ON - ONE_DAY, "Next due on Jan. 15, 2026"),
        (OPENS_ON, "Due by Jan. 15, 2026"),
        (DUE_ON + ONE_DAY, "Overdue: was due on Jan. 15, 2026"),
    ],
)
def test_the_city_page_shows_renewal_to_everyone(client, city, signature, today, day, text):
    today(day)
    assert text in client.get(city.get_absolute_url()).content.decode()


def test_the_compact_page_shows_staff_their_renewal(staff_client, compact, city, signature, today):
    today(DUE_ON + ONE_DAY)
    html = staff_client.get(compact.get_absolute_url()).content.decode()
    assert "Overdue: was due on Jan. 15, 2026" in html
    assert f"{_renew_url(compact)}?city={city.pk}" in html
    today(OPENS_ON - ONE_DAY)
    html = staff_client.get(compact.get_absolute_url()).content.decode()
    assert "renewal opens on Nov. 16, 2025" in html
    assert f"{_renew_url(compact)}?city={city.pk}" not in html


def test_the_compact_page_states_its_terms(client, compact):
    html = client.get(compact.get_absolute_url()).content.decode()
    assert "A signature holds for 12 months" in html
    assert "from 60 days before it is due" in html
