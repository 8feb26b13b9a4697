"""English at /..., Spanish at /es/...: the addresses, the header's switch, the hreflang links
and the remembered choice (compassion_portal/languages.py, urls.py)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH_PATHS = {
    "home": "/",
    "about": "/about/",
    "account_profile": "/accounts/profile/",
    "account_login": "/accounts/login/",
    "account_signup": "/accounts/signup/",
    "admin:index": "/admin/",
    "compacts:compact_list": "/compacts/",
    "compacts:city_list": "/cities/",
    "directory:search": "/directory/",
    "directory:list_print": "/directory/list/print/",
    "curriculum:index": "/curriculum/",
}


@pytest.mark.parametrize(("name", "path"), ENGLISH_PATHS.items())
def test_every_page_keeps_its_english_address_and_has_a_spanish_one(name, path):
    assert reverse(name) == path
    with translation.override("es"):
        assert reverse(name) == f"/es{path}"


def test_the_health_check_and_the_language_view_have_no_prefix():
    with translation.override("es"):
        assert reverse("healthz") == "/healthz"
        assert reverse("set_language") == "/i18n/setlang/"


def test_a_spanish_address_serves_the_page_in_spanish(client):
    response = client.get("/es/about/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert 'href="/es/directory/"' in html  # its links stay in Spanish


def test_the_header_offers_the_same_page_in_the_other_language(client):
    html = client.get("/directory/?q=food&page=2").content.decode()
    switch = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    assert 'action="/i18n/setlang/" method="post"' in switch
    assert 'name="csrfmiddlewaretoken"' in switch
    assert 'name="next" value="/es/directory/?q=food&amp;page=2"' in switch
    assert 'name="language" value="es"' in switch
    assert '<span lang="es">Español</span>' in switch

    html = client.get("/es/directory/?q=comida").content.decode()
    switch = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    assert 'name="next" value="/directory/?q=comida"' in switch
    assert '<span lang="en">English</span>' in switch


def test_the_switch_keeps_the_search_and_nothing_else_of_the_address(client):
    html = client.get("/directory/?q=food&zip=78201&utm=%22evil&next=//evil.example").content
    switch = re.search(r'<form class="language-switch".*?</form>', html.decode(), re.S).group(0)
    assert 'name="next" value="/es/directory/?q=food&amp;zip=78201"' in switch
    assert "evil" not in html.decode()


def test_each_page_names_its_addresses_in_each_language_in_its_head(client):
    site = settings.SITE_URL
    for path in ("/cities/?state=TX", "/es/cities/"):
        html = client.get(path).content.decode()
        head = html.split("</head>", 1)[0]
        assert f'<link rel="alternate" hreflang="en" href="{site}/cities/">' in head
        assert f'<link rel="alternate" hreflang="es" href="{site}/es/cities/">' in head
        assert f'<link rel="alternate" hreflang="x-default" href="{site}/cities/">' in head


def test_an_error_page_offers_no_alternates_but_keeps_its_language(client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert 'hreflang="' not in html
    assert 'href="/es/"' in html  # back to the Spanish home page


def test_choosing_spanish_is_remembered_and_choosing_english_too(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/es/directory/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/directory/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["httponly"]

    # Later, an address without a prefix (a bookmark, the site's name typed in) is Spanish.
    response = client.get("/cities/?state=TX")
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/cities/?state=TX"
    assert "Cookie" in response.headers["Vary"]

    # Back to English: a Spanish browser is no longer sent to /es/.
    client.post("/i18n/setlang/", {"language": "en", "next": "/cities/"})
    response = client.get("/cities/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_a_browser_asking_for_spanish_is_sent_to_the_spanish_page(client):
    response = client.get("/directory/?q=food", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/directory/?q=food"
    assert {"Accept-Language", "Cookie"} <= {
        part.strip() for part in response.headers["Vary"].split(",")
    }


@pytest.mark.parametrize("accept_language", ["", "fr-FR,fr;q=0.9", "en-US,en;q=0.9", "de"])
def test_english_stays_the_default_for_a_browser_asking_for_neither(client, accept_language):
    response = client.get("/about/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Accept-Language" in response.headers["Vary"]


def test_only_pages_are_redirected(client):
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    # A form posted to an English address is answered there, never redirected (nor lost).
    response = client.post("/directory/suggest/", {}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200  # the form again, with what is missing
    assert '<html lang="en">' in response.content.decode()
    # An address that exists in no language is a 404, not a redirect to a Spanish 404.
    assert client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es").status_code == 404


def test_the_section_of_a_spanish_page_is_marked_in_the_header(client):
    html = client.get("/es/cities/").content.decode()
    assert re.findall(r'href="([^"]+)" aria-current="page"', html) == ["/es/cities/"]


def test_a_signed_in_person_switches_language_too(client):
    client.force_login(UserFactory())
    response = client.get("/es/accounts/profile/")
    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()
    switch = re.search(
        r'<form class="language-switch".*?</form>', response.content.decode(), re.S
    ).group(0)
    assert 'name="next" value="/accounts/profile/"' in switch
