"""The admin's home page lists what waits for an admin, each count a link to its list."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from compacts.models import StaffStatus
from directory.models import (
    ImportJob,
    ImportStatus,
    ProposedChange,
    ServiceStatus,
    SuggestionStatus,
)
from tests.compacts.factories import CityStaffFactory, CompactFactory, SignatureFactory
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
    now = timezone.now()
    imports = [
        ("skipped.zip", ImportStatus.FINISHED, 3, now),
        ("failed.zip", ImportStatus.FAILED, 0, now),
        ("clean.zip", ImportStatus.FINISHED, 0, now),
        ("old.zip", ImportStatus.FINISHED, 5, now - datetime.timedelta(days=31)),
    ]
    for name, status, skipped, when in imports:
        job = ImportJob.objects.create(
            file_name=name, size=1, package=b"", status=status, skipped=skipped
        )
        ImportJob.objects.filter(pk=job.pk).update(created_at=when)  # auto_now_add on create
    listing = ServiceFactory()
    ProposedChange.objects.create(service=listing, field_name="email", proposed_value="a@b.org")
    ProposedChange.objects.create(
        service=listing, field_name="url", proposed_value="https://b.org", status="declined"
    )
    # Renewal (12 months, opening 60 days before): due, overdue, not yet, and three that
    # never count (withdrawn, a closed compact, re-affirmed recently).
    year_ago = today - datetime.timedelta(days=340)
    SignatureFactory(signed_on=year_ago)
    SignatureFactory(signed_on=today - datetime.timedelta(days=500))
    SignatureFactory(signed_on=today - datetime.timedelta(days=200))
    SignatureFactory(signed_on=year_ago, withdrawn_on=today, withdrawal_reason="Council vote")
    SignatureFactory(signed_on=year_ago, compact=CompactFactory(is_open=False))
    SignatureFactory(signed_on=year_ago, reaffirmed_on=today - datetime.timedelta(days=10))
    client.force_login(AdminFactory())
    items = to_do(client.get("/admin/").content.decode())
    assert items == {
        "Staff requests to decide": ("/admin/compacts/citystaff/?status__exact=pending", 2),
        "Cities asking to join": ("/admin/compacts/cityjoinrequest/?status__exact=pending", 0),
        "Signatures whose renewal is due or overdue": (
            "/admin/compacts/signature/?renewal=due",
            2,
        ),
        "New suggestions and problem reports": (
            "/admin/directory/suggestion/?status__exact=new",
            1,
        ),
        "Changes providers proposed to their listings": (
            "/admin/directory/proposedchange/?status__exact=pending",
            1,
        ),
        "Listings nobody has checked for a year": ("/admin/directory/service/?stale=yes", 3),
        "HSDS imports of the last 30 days that skipped rows or failed": (
            "/admin/directory/importjob/?to_look_at=yes",
            2,
        ),
    }
    # Each link opens its list with just those rows.
    renewals = client.get("/admin/compacts/signature/?renewal=due").content.decode()
    assert re.search(r'class="paginator">\s*2 signatures\s', renewals)
    listed = client.get("/admin/directory/service/?stale=yes").content.decode()
    assert re.search(r'class="paginator">\s*3 services\s', listed)
    imports_listed = client.get("/admin/directory/importjob/?to_look_at=yes").content.decode()
    assert "skipped.zip" in imports_listed
    assert "failed.zip" in imports_listed
    assert "clean.zip" not in imports_listed
    assert "old.zip" not in imports_listed


def test_an_admin_sees_only_the_counts_of_what_they_may_see(client):
    editor = AdminFactory(is_superuser=False)
    editor.user_permissions.add(Permission.objects.get(codename="view_suggestion"))
    SuggestionFactory(status=SuggestionStatus.NEW)
    client.force_login(editor)
    items = to_do(client.get("/admin/").content.decode())
    assert list(items) == ["New suggestions and problem reports"]
