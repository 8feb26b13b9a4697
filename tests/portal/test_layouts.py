"""Every page shares one layout (templates/base.html): the header marks the page's section,
follows the visitor on every request and is never reused from another request."""

import re

import pytest
from django.urls import reverse

from tests.compacts.factories import CityFactory, CompactFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_current(html: str) -> list[str]:
    """The navigation links marked as the current page."""
    return re.findall(r'<a href="([^"]*)" aria-current="page">', html)


@pytest.mark.parametrize(
    ("page", "section"),
    [
        (lambda: reverse("home"), "home"),
        (lambda: reverse("about"), "about"),
        (lambda: reverse("compacts:compact_list"), "compacts:compact_list"),
        (lambda: CompactFactory().get_absolute_url(), "compacts:compact_list"),
        (lambda: reverse("compacts:city_list"), "compacts:city_list"),
        (lambda: CityFactory().get_absolute_url(), "compacts:city_list"),
        (lambda: reverse("directory:search"), "directory:search"),
        (lambda: reverse("directory:suggest"), "directory:search"),
        (lambda: reverse("curriculum:index"), "curriculum:index"),
    ],
)
def test_the_header_marks_only_the_current_section(client, page, section):
    html = client.get(page()).content.decode()
    assert nav_current(html) == [reverse(section)]


def test_an_unknown_address_marks_no_section(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert nav_current(response.content.decode()) == []


def test_the_header_follows_signing_in_and_out_at_once(client):
    directory = reverse("directory:search")
    assert "Sign in" in client.get(directory).content.decode()
    client.force_login(UserFactory())
    html = client.get(directory).content.decode()
    assert "Your account" in html
    assert "Sign in" not in html
    client.logout()
    assert "Sign in" in client.get(directory).content.decode()


def test_the_header_follows_the_language_of_each_request(client):
    # A Spanish browser is sent to /es/about/ (the address says the language).
    spanish = client.get("/about/", HTTP_ACCEPT_LANGUAGE="es", follow=True).content.decode()
    english = client.get("/about/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in spanish
    assert '<html lang="en">' in english
    assert ">Inicio<" in spanish
    assert ">Home<" in english


def test_messages_show_once(client):
    """A message queued by one request is shown by the next page, then gone."""
    from tests.directory.test_suggest import GOOD

    assert client.post(reverse("directory:suggest"), GOOD).status_code == 302
    search = reverse("directory:search")
    html = client.get(search).content.decode()
    assert '<div class="messages" role="status">' in html
    assert "Thank you. Someone will review your message" in html
    assert '<div class="messages"' not in client.get(search).content.decode()
