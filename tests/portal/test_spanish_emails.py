"""Account emails speak the language the person used, name the site (SITE_NAME) and link to
SITE_URL, never to the host and port the request came in on."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 2024"


def sign_up(client, prefix: str, email: str) -> mail.EmailMessage:
    response = client.post(
        f"{prefix}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_confirmation_email_of_a_spanish_sign_up_is_spanish_and_names_the_site(client):
    message = sign_up(client, "/es", "ana@example.org")
    assert message.subject.startswith("[Portal de la Compasión] ")
    body = message.body
    assert body.startswith("Hola:")
    assert "ana@example.org" in body
    assert "una cuenta en Portal de la Compasión" in body
    assert body.rstrip().endswith(f"Portal de la Compasión\n{settings.SITE_URL}")
    link = re.search(r"https?://\S+/confirm-email/\S+", body).group(0)
    assert link.startswith(f"{settings.SITE_URL}/es/accounts/confirm-email/")
    for english_or_host in ("Hello", "Thank you", "testserver", "127.0.0.1", "example.com"):
        assert english_or_host not in body
    # The link opens the Spanish confirmation page.
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_the_confirmation_email_of_an_english_sign_up_is_english(client):
    message = sign_up(client, "", "sam@example.org")
    assert message.subject.startswith("[Compassion Portal] ")
    assert message.body.startswith("Hello,")
    assert message.body.rstrip().endswith(f"Compassion Portal\n{settings.SITE_URL}")
    assert f"{settings.SITE_URL}/accounts/confirm-email/" in message.body
    assert "testserver" not in message.body


def test_the_password_reset_email_is_in_the_language_it_was_asked_in(client):
    UserFactory(email="luz@example.org")
    response = client.post("/es/accounts/password/reset/", {"email": "luz@example.org"})
    assert response.status_code == 302
    body = mail.outbox[0].body
    assert "Alguien pidió restablecer la contraseña de su cuenta en Portal de la Compasión" in body
    assert f"{settings.SITE_URL}/es/accounts/password/reset/key/" in body
    assert "testserver" not in body


@override_settings(SITE_NAME="Riverbend Cares")
def test_an_installation_names_itself(client):
    message = sign_up(client, "/es", "eva@example.org")
    assert "una cuenta en Riverbend Cares" in message.body
    assert "Portal de la Compasión" not in message.body
