"""The admin's home page lists what waits for an admin, each count a link to its list."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission

from compacts.models import StaffStatus
from directory.models import ServiceStatus, SuggestionStatus
from tests.compacts.factories import CityStaffFactory
from tests.directory.factories import ServiceFactory, SuggestionFactory
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


def to_do(html: str) -> dict[str, tuple[str, int]]:
    """The to-do list's items: label -> (link, count)."""
    section = html.split('id="to-do-heading"', 1)[1].split("</section>", 1)[0]
    return {
        label: (href.replace("&amp;", "&"), int(count))
        for href, label, count in re.findall(
            r'<a href="([^"]+)">([^<:]+): <strong>(\d+)</strong></a>', section
        )
    }


def test_the_admin_home_counts_what_waits_with_links_to_it(client):
    CityStaffFactory.create_batch(2, status=StaffStatus.PENDING)
    CityStaffFactory()  # approved: nothing to do
    SuggestionFactory(status=SuggestionStatus.NEW)
    SuggestionFactory(status=SuggestionStatus.ACCEPTED)
    today = datetime.date.today()
    ServiceFactory(assured_date=today - datetime.timedelta(days=400))
    ServiceFactory(assured_date=None)
    ServiceFactory(assured_date=today)
    ServiceFactory(assured_date=None, status=ServiceStatus.DEFUNCT)  # counted, as its list shows it
    client.force_login(AdminFactory())
    items = to_do(client.get("/admin/").content.decode())
    assert items == {
        "Staff requests to decide": ("/admin/compacts/citystaff/?status__exact=pending", 2),
        "Cities asking to join": ("/admin/compacts/cityjoinrequest/?status__exact=pending", 0),
        "New suggestions and problem reports": (
            "/admin/directory/suggestion/?status__exact=new",
            1,
        ),
        "Listings nobody has checked for a year": ("/admin/directory/service/?stale=yes", 3),
    }
    # Each link opens its list with just those rows.
    listed = client.get("/admin/directory/service/?stale=yes").content.decode()
    assert re.search(r'class="paginator">\s*3 services\s', listed)


def test_an_admin_sees_only_the_counts_of_what_they_may_see(client):
    editor = AdminFactory(is_superuser=False)
    editor.user_permissions.add(Permission.objects.get(codename="view_suggestion"))
    SuggestionFactory(status=SuggestionStatus.NEW)
    client.force_login(editor)
    items = to_do(client.get("/admin/").content.decode())
    assert list(items) == ["New suggestions and problem reports"]
