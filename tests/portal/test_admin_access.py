"""The admin opens only after allauth's sign-in, and only for staff with two-factor on."""

from urllib.parse import unquote

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from directory.models import Synonym
from tests.factories import DEFAULT_PASSWORD, AdminFactory, current_totp_code

pytestmark = pytest.mark.django_db


def test_anonymous_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response.url


def test_admin_sign_in_asks_for_the_second_factor(client):
    admin_user = AdminFactory()
    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": admin_user.email, "password": DEFAULT_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet

    response = client.post(
        reverse("mfa_authenticate"), {"code": current_totp_code(admin_user.totp_secret)}
    )
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_without_two_factor_is_sent_to_set_it_up(client):
    staff = AdminFactory(totp=False)
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    # allauth asks for the password again before a second factor can be added.
    assert reverse("mfa_activate_totp") in unquote(response.redirect_chain[-1][0])
    assert b"two-factor" in response.content.lower()


def test_signed_in_non_staff_is_refused(user_client):
    assert user_client.get("/admin/login/").status_code == 403
    response = user_client.get("/admin/")
    assert response.status_code == 302  # to the admin login, which refuses


def test_staff_with_two_factor_reaches_the_admin(client):
    client.force_login(AdminFactory())
    assert client.get("/admin/").status_code == 200


def test_two_factor_authenticators_are_listed_and_deleted_never_made_or_read(admin_client):
    """An admin can remove a lost authenticator; no admin can make one or read its secret."""
    owner = AdminFactory(email="owner@example.org")
    authenticator = Authenticator.objects.get(user=owner)
    change = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])
    assert admin_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    page = admin_client.get(change).content.decode()
    assert owner.totp_secret not in page
    assert 'name="type"' not in page  # read only
    admin_client.post(change, {"type": "recovery_codes"})
    authenticator.refresh_from_db()
    assert authenticator.type == Authenticator.Type.TOTP
    delete = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    admin_client.post(delete, {"post": "yes"})
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_synonyms_without_a_topic_have_a_filter_of_their_own(admin_client):
    Synonym.objects.create(term="zorblax", expands_to="food", topic="")
    Synonym.objects.create(term="quuxrent", expands_to="rental assistance", topic="housing")
    url = reverse("admin:directory_synonym_changelist")
    page = admin_client.get(url).content.decode()
    assert ">No topic</a>" in page
    assert 'href="?topic="' not in page
    blank = admin_client.get(url, {"topic": "-"}).content.decode()
    assert "zorblax" in blank
    assert "quuxrent" not in blank
