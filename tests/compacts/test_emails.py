"""Decision emails link to the city page at SITE_URL, whatever address the admin used."""

import pytest
from django.core import mail
from django.urls import reverse

from compacts.models import StaffStatus

from .factories import CityStaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("action", "start"),
    [
        ("approve_staff", StaffStatus.PENDING),
        ("reject_staff", StaffStatus.PENDING),
        ("revoke_staff", StaffStatus.APPROVED),
    ],
)
def test_decision_emails_link_to_the_city_page_at_site_url(
    client, admin_user, city, settings, action, start, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    request = CityStaffFactory(city=city, status=start)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:compacts_citystaff_changelist"),
            {"action": action, "_selected_action": [request.pk]},
            HTTP_HOST="127.0.0.1:8000",  # the address an admin behind a proxy reaches
        )
    (message,) = mail.outbox
    assert "https://portal.example.org/cities/riverbend-tx/" in message.body
    assert "127.0.0.1" not in message.body
    assert "testserver" not in message.body


def test_the_default_site_url_is_local_and_has_no_trailing_slash(settings):
    assert settings.SITE_URL.startswith("http")
    assert not settings.SITE_URL.endswith("/")
