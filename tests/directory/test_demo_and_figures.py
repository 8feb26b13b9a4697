import pytest
from django.core.cache import cache
from django.urls import reverse

from compassion_portal.views import home_figures
from directory import demo
from directory.models import Location, Organization, Schedule, Service, ServiceStatus
from directory.search import directory_totals
from directory.search.reference import TOTALS_CACHE_KEY
from tests.directory.factories import ServiceFactory
from tests.directory.searching import found

pytestmark = pytest.mark.django_db


def test_demo_directory_is_complete_and_idempotent(django_assert_max_num_queries):
    summary = demo.load()
    services = Service.objects.filter(is_demo=True)
    assert 140 <= services.count() <= 160
    assert Organization.objects.filter(is_demo=True).values("kind").distinct().count() == 5
    assert services.filter(languages__code="es").count() >= 10
    assert Location.objects.filter(is_confidential=True).count() == 1
    assert services.stale().count() >= 3
    assert Schedule.objects.filter(opens_at="19:00", closes_at="07:00").exists()
    assert Schedule.objects.filter(opens_at="00:00", closes_at="00:00").exists()
    assert not Organization.objects.filter(is_demo=True, city__slug="").exists()
    assert Organization.objects.filter(city__slug="riverbend-tx").count() == 24
    assert "changed this run" in summary

    before = {s.pk: (s.last_modified, s.modified_at, s.search_text) for s in Service.objects.all()}
    counts = (Schedule.objects.count(), Location.objects.count())
    again = demo.load()
    assert again.endswith("0 changed this run")
    after = {s.pk: (s.last_modified, s.modified_at, s.search_text) for s in Service.objects.all()}
    assert after == before
    assert (Schedule.objects.count(), Location.objects.count()) == counts

    names = found("clases de ingles")
    assert "Clases de inglés para adultos" in names


def test_home_figures_count_public_listings(django_assert_max_num_queries):
    ServiceFactory()
    ServiceFactory(status=ServiceStatus.DEFUNCT)
    organization = ServiceFactory().organization
    ServiceFactory(organization=organization)
    # One query for the directory, five for the other apps' figures.
    with django_assert_max_num_queries(4):
        figures = {str(figure.label): figure for figure in home_figures()}
    listings = figures["directory listings"]
    organizations = figures["organizations in the directory"]
    assert listings.value == 3
    assert organizations.value == 2
    assert listings.url == organizations.url == reverse("directory:search")


def test_the_directorys_totals_are_counted_once_every_few_minutes(django_assert_num_queries):
    ServiceFactory()
    assert directory_totals() == {"listings": 1, "organizations": 1}
    ServiceFactory()
    with django_assert_num_queries(0):
        assert directory_totals() == {"listings": 1, "organizations": 1}  # from the cache
    cache.delete(TOTALS_CACHE_KEY)  # as when BROWSE_CACHE_SECONDS have passed
    assert directory_totals() == {"listings": 2, "organizations": 2}
