"""On a 320 px wide phone no page scrolls sideways (WCAG 2.1 reflow, 1.4.10)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from compacts.models import City, Compact
from curriculum.models import Course, Lesson, Theme
from directory.models import Organization, Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pages() -> list[str]:
    service = Service.objects.public().order_by("pk").first()
    return [
        "/",
        reverse("about"),
        reverse("compacts:compact_list"),
        Compact.objects.order_by("pk").first().get_absolute_url(),
        reverse("compacts:city_list"),
        reverse("compacts:state_map"),
        City.objects.order_by("pk").first().get_absolute_url(),
        reverse(
            "compacts:plan_item", args=[City.objects.order_by("pk").first().slug, "step-study"]
        ),
        reverse("directory:search"),
        reverse("directory:search") + "?q=food",
        reverse("directory:search") + "?q=xylophone+repair",
        service.get_absolute_url(),
        Organization.objects.get(pk=service.organization_id).get_absolute_url(),
        reverse("directory:suggest"),
        reverse("curriculum:index"),
        Theme.objects.order_by("pk").first().get_absolute_url(),
        Course.objects.order_by("pk").first().get_absolute_url(),
        Lesson.objects.order_by("pk").first().get_absolute_url(),
        reverse("curriculum:community_models"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        "/no-such-page/",
    ]


def test_no_page_scrolls_sideways_at_320_px(page):
    call_command("load_demo", verbosity=0)
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for address in _pages():
        page.goto(address)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[address] = overflow
    assert too_wide == {}
