import datetime
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import NoReverseMatch, reverse

from tests.compacts.factories import CityFactory, CompactFactory, SignatureFactory
from tests.curriculum.factories import LessonCompletionFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "about"])
def test_page_renders_with_one_h1_and_landmarks(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'href="#main"'):
        assert landmark in html
    assert 'lang="en"' in html


def test_home_sends_each_audience_to_its_part(client):
    html = client.get(reverse("home")).content.decode()
    for name in ("compacts:compact_list", "directory:search", "curriculum:index"):
        assert f'href="{reverse(name)}"' in html


def test_navigation_links_every_section(client):
    html = client.get(reverse("about")).content.decode()
    for name in (
        "home",
        "about",
        "compacts:compact_list",
        "compacts:city_list",
        "directory:search",
        "curriculum:index",
        "account_login",
    ):
        assert f'href="{reverse(name)}"' in html
    assert 'aria-current="page"' in html


def test_signed_in_navigation_offers_the_account(user_client):
    html = user_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("account_profile")}"' in html
    assert f'href="{reverse("account_login")}"' not in html


def test_about_tells_the_guide_timeline(client):
    html = client.get(reverse("about")).content.decode()
    for fact in (
        "2017–2018",
        "325 mayors",
        "2019–2021",
        "2022–2023",
        "100 cities",
        "650",
        "Kansas City",
    ):
        assert fact in html
    assert "Civic infrastructure" in html
    assert "Start here" in html


def test_pages_answer_only_safe_methods(client):
    assert client.post(reverse("home")).status_code == 405
    assert client.post(reverse("about")).status_code == 405


def test_no_asset_is_loaded_from_another_site(client):
    html = client.get(reverse("home")).content.decode()
    assert 'src="http' not in html
    # The hreflang links name this page's addresses (absolute, as search engines ask); they
    # load nothing.
    head = re.sub(r'<link rel="alternate" hreflang="[a-z-]+" href="[^"]+">', "", html)
    assert 'href="http' not in head.split("<main", 1)[0]


def test_page_speaks_the_visitors_language_when_available(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert response.redirect_chain == [("/es/", 302)]
    assert response.headers["Content-Language"] == "es"
    assert 'lang="es"' in response.content.decode()


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_reports_503_when_the_database_does_not_answer(client):
    with mock.patch(
        "compassion_portal.views.connection.cursor", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database unavailable" in response.content


def test_the_site_serves_no_benchmark_page(client):
    """The bench's baseline page is served only under bench.settings (bench/urls.py)."""
    assert client.get("/bench/baseline/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bench_baseline")


def test_home_figures_take_four_queries_however_many_rows(client, django_assert_max_num_queries):
    compacts = [CompactFactory(introduced_on=datetime.date(2017 + n, 1, 1)) for n in range(3)]
    for compact in compacts:
        SignatureFactory.create_batch(8, compact=compact)
    CityFactory.create_batch(20, partner_since=datetime.date(2023, 1, 1))
    ServiceFactory.create_batch(25)
    LessonCompletionFactory.create_batch(25)
    # Compacts with their active signatures, the city registry, the directory's listings,
    # and lessons, courses and this month's completions together.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("home"))
    figures = response.context["figures"]
    assert [figure.value for figure in figures[:3]] == [8, 8, 8]
    assert [figure.url for figure in figures[:3]] == [c.get_absolute_url() for c in compacts]
    assert len(figures) == 3 + 7
