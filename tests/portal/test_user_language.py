"""The portal writes to each person in their language (User.language): the one they signed
up or signed in with, or last chose with the header's switch, whoever sets the email off."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from compacts import reminders, services
from compassion_portal.models import User
from tests.compacts.factories import CityFactory, CityStaffFactory, SignatureFactory
from tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 2024"


def test_signing_up_in_spanish_stores_spanish(client):
    client.post(
        "/es/accounts/signup/",
        {"email": "ana@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="ana@example.org").language == "es"


def test_signing_up_in_english_stores_english(client):
    client.post(
        "/accounts/signup/",
        {"email": "sam@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="sam@example.org").language == "en"


def test_signing_in_on_a_page_of_a_language_stores_it(client):
    user = UserFactory(email="luz@example.org")
    assert user.language == "en"
    client.post("/es/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    user.refresh_from_db()
    assert user.language == "es"
    client.logout()
    client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_language_switch_stores_a_signed_in_persons_choice(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "es"
    # A language the portal does not speak changes nothing.
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "es"


def test_the_language_switch_still_works_for_visitors(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_an_english_admin_approving_a_spanish_speaker_sends_spanish(
    client, django_capture_on_commit_callbacks
):
    city = CityFactory(name="Riverbend", slug="riverbend-tx")
    request = CityStaffFactory(city=city, status="pending", user=UserFactory(language="es"))
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:compacts_citystaff_changelist"),
            {"action": "approve_staff", "_selected_action": [request.pk]},
        )
    (message,) = mail.outbox
    assert message.subject == "Ya puede actuar en nombre de Riverbend, TX en Portal de la Compasión"
    assert message.body.startswith("Hola:")
    assert f"{settings.SITE_URL}/es/cities/riverbend-tx/" in message.body
    assert "Hello" not in message.body


def test_a_renewal_reminder_goes_to_each_staffer_in_their_language(monkeypatch):
    city = CityFactory(slug="riverbend-tx")
    spanish = CityStaffFactory(city=city, user=UserFactory(language="es")).user
    english = CityStaffFactory(city=city, user=UserFactory(language="en")).user
    SignatureFactory(city=city, signed_on=datetime.date(2025, 1, 15))
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *a, **k: datetime.date(2026, 1, 2)
    )
    reminders.send_due_reminders()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[spanish.email].body.startswith("Hola:")
    assert "/es/compacts/" in by_address[spanish.email].body
    assert by_address[english.email].body.startswith("Hello,")
    assert f"{settings.SITE_URL}/compacts/" in by_address[english.email].body


def test_a_message_from_a_fellow_city_reaches_each_recipient_in_their_language():
    home, peer = CityFactory(), CityFactory()
    SignatureFactory(city=peer)
    spanish = CityStaffFactory(city=peer, user=UserFactory(language="es")).user
    english = CityStaffFactory(city=peer, user=UserFactory(language="en")).user
    sender = CityStaffFactory(city=home).user
    services.peer_contact(actor=sender, from_city=home, to_city=peer, message="Hi")
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[spanish.email].subject.startswith("Un mensaje del personal de")
    assert by_address[english.email].subject.startswith("A message from the staff of")
