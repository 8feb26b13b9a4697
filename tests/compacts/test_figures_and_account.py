import datetime

import pytest
from django.urls import reverse

from compacts.account import account_section
from compacts.models import CharterStatus, StaffStatus
from compassion_portal.views import home_figures

from .factories import CityFactory, CityStaffFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_home_figures(django_assert_num_queries):
    hate = CompactFactory(title="Hate Compact")
    equity = CompactFactory(title="Equity Compact", introduced_on=datetime.date(2020, 6, 1))
    SignatureFactory.create_batch(3, compact=hate)
    SignatureFactory(compact=equity)
    SignatureFactory(compact=equity, withdrawn_on="2024-01-01", withdrawal_reason="x")
    CityFactory.create_batch(2, partner_since=datetime.date(2023, 1, 1))
    CityFactory(charter_status=CharterStatus.AFFIRMED)
    # Two queries for the compacts and the city registry, one for the directory, one for the
    # curriculum.
    with django_assert_num_queries(4):
        figures = home_figures()
    assert [(str(f.label), f.value) for f in figures[:4]] == [
        ("signatures of the Hate Compact", 3),
        ("signatures of the Equity Compact", 1),
        ("partner cities", 2),
        ("affirmed Compassionate Cities", 1),
    ]
    assert figures[0].url == hate.get_absolute_url()


def test_home_page_shows_the_figures(client):
    SignatureFactory(compact=CompactFactory(title="Hate Compact"))
    html = client.get("/").content.decode()
    assert "signatures of the Hate Compact" in html


def test_figure_links_filter_the_registry(client):
    CityFactory(partner_since=datetime.date(2023, 1, 1), name="Partnered")
    CityFactory(name="Unpartnered")
    partner_figure = next(f for f in home_figures() if str(f.label) == "partner cities")
    names = [c.name for c in client.get(partner_figure.url).context["page_obj"]]
    assert names == ["Partnered"]


def test_account_section_lists_requests_with_status(user, city, other_city):
    CityStaffFactory(user=user, city=city, status=StaffStatus.PENDING)
    CityStaffFactory(user=user, city=other_city, status=StaffStatus.APPROVED)
    template, context = account_section(user)
    assert template == "compacts/includes/account_section.html"
    assert [(s.city.name, s.status) for s in context["requests"]] == [
        ("Lakeside", "approved"),
        ("Riverbend", "pending"),
    ]


def test_account_page_shows_the_section(user_client, user, city):
    CityStaffFactory(user=user, city=city, status=StaffStatus.PENDING)
    html = user_client.get(reverse("account_profile")).content.decode()
    assert "Your city staff requests" in html
    assert city.get_absolute_url() in html
    assert "Pending" in html
