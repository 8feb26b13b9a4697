"""Every page of the admin, for the people who keep the directory and the registry: with the
demo content loaded, each registered model's list, its add form and the change form of its
first row pass axe-core (WCAG 2.2 AA), including what the admin's own widgets build after the
page loads (autocomplete boxes, tabular inlines, editable lists; static/js/admin-a11y.js)."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from directory.models import HsdsRecord, Organization
from tests.browser.conftest import axe_violations
from tests.browser.test_city_plan_journey import _admin_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _admin_urls(superuser) -> list[str]:
    """The list, add and first change page of every registered model this admin may open."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(_Request(superuser)):
            urls.append(reverse(f"{name}_add"))
        first = model_admin.get_queryset(_Request(superuser)).order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
    return urls


class _Request:
    """Enough of a request for a ModelAdmin's permission and queryset methods."""

    def __init__(self, user) -> None:
        self.user = user
        self.GET = {}


def test_every_admin_page_passes_axe(browser, live_server, axe):
    call_command("load_demo", stdout=io.StringIO())
    # The demo has no row kept as given: one, so that its read-only page is checked too.
    HsdsRecord.objects.create(
        table="contacts",
        hsds_id="c-1",
        data={"id": "c-1", "name": "Ana Ruiz", "email": "ana@example.org"},
        organization=Organization.objects.order_by("pk").first(),
    )
    context, page = _admin_page(browser, live_server)
    superuser = get_user_model().objects.get(email="admin@example.org")
    failures = []
    for url in _admin_urls(superuser):
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        page.wait_for_timeout(50)  # the admin's widgets build themselves on load
        failures += [f"{url} {violation}" for violation in axe_violations(axe, page)]
    context.close()
    assert failures == [], "\n".join(failures)


def test_the_check_sees_an_unnamed_field(page, axe):
    """The positive control: a field without a label is reported."""
    page.set_content('<html lang="en"><title>t</title><main><input type="text"></main></html>')
    assert any(line.startswith("- label ") for line in axe_violations(axe, page))
