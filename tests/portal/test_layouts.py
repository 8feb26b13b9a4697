"""The Django pages (templates/base.html) and the Jinja2 pages (jinja2/layout.html, the
directory's search page) must look and behave as one site: the same head, skip link,
header, navigation and footer."""

import re

import pytest
from django.template import engines
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The page-specific parts: what each page puts in its title, description and <main>.
PAGE_PARTS = [
    re.compile(r"<title>.*?</title>", re.S),
    re.compile(r'<meta name="description"[^>]*>', re.S),
    re.compile(r"<main id=\"main\" tabindex=\"-1\">.*</main>", re.S),
    re.compile(r'<link rel="stylesheet" href="[^"]*directory[^"]*\.css">'),
    re.compile(r"<script.*?</script>", re.S),
]


def chrome(html: str) -> str:
    """The page without its own parts, whitespace normalised."""
    for part in PAGE_PARTS:
        html, found = part.subn("", html)
        assert found <= 1
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def nav_current(html: str) -> list[str]:
    """The navigation links marked as the current page."""
    return re.findall(r'<a href="([^"]*)" aria-current="page">', html)


@pytest.mark.parametrize("signed_in", [False, True])
def test_django_and_jinja2_pages_share_the_layout(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    # /directory/suggest/ is a Django template page in the same section as the search
    # page, so both mark the same navigation link.
    django_page = client.get(reverse("directory:suggest")).content.decode()
    jinja2_page = client.get(reverse("directory:search")).content.decode()
    assert "{% " not in django_page
    assert "{{" not in jinja2_page
    assert chrome(jinja2_page) == chrome(django_page)
    assert ("Your account" in jinja2_page) is signed_in
    assert ("Sign in" in jinja2_page) is not signed_in


def test_the_layouts_mark_only_the_current_section(client):
    directory = reverse("directory:search")
    assert nav_current(client.get(directory).content.decode()) == [directory]
    assert nav_current(client.get(reverse("about")).content.decode()) == [reverse("about")]
    assert nav_current(client.get(reverse("home")).content.decode()) == [reverse("home")]


def test_messages_show_once_on_a_jinja2_page(client):
    """A message queued by one request is shown by the next page, Jinja2 or not."""
    from tests.directory.test_suggest import GOOD

    assert client.post(reverse("directory:suggest"), GOOD).status_code == 302
    search = reverse("directory:search")
    html = client.get(search).content.decode()
    assert '<div class="messages" role="status">' in html
    assert "Thank you. Someone will review your message" in html
    assert '<div class="messages"' not in client.get(search).content.decode()


def test_a_missing_name_in_a_jinja2_template_is_an_error():
    from jinja2 import UndefinedError

    template = engines["jinja2"].from_string("{{ nobody_passed_this }}")
    with pytest.raises(UndefinedError):
        template.render({})


def test_jinja2_escapes_what_it_prints():
    template = engines["jinja2"].from_string("{{ text }}")
    assert template.render({"text": "<script>"}) == "&lt;script&gt;"


def test_jinja2_addresses_follow_the_script_prefix():
    """The url() of the Jinja2 templates remembers addresses, per script prefix (a site
    served under /city/ links to /city/...)."""
    from django.urls import get_script_prefix, set_script_prefix

    from compassion_portal.templating import url

    template = engines["jinja2"].from_string("{{ url('about') }} {{ url('directory:suggest') }}")
    original = get_script_prefix()
    expected = "/city/" + reverse("about").removeprefix(original)
    assert template.render({}) == f"{reverse('about')} {reverse('directory:suggest')}"
    try:
        set_script_prefix("/city/")
        assert url("about") == expected
        assert template.render({}).startswith("/city/")
    finally:
        set_script_prefix(original)
    assert url("about") == reverse("about")


def test_a_reused_header_still_follows_the_page_and_the_visitor(client):
    """The header is rendered once per page address, language and signed-in state, then
    reused (compassion_portal.templating.render_shared): each page still marks its own
    section, and signing in changes it at once."""
    directory, about = reverse("directory:search"), reverse("about")
    for _ in range(2):
        assert nav_current(client.get(directory).content.decode()) == [directory]
        assert nav_current(client.get(about).content.decode()) == [about]
        assert nav_current(client.get(reverse("directory:suggest")).content.decode()) == [directory]
    assert "Sign in" in client.get(directory).content.decode()
    client.force_login(UserFactory())
    html = client.get(directory).content.decode()
    assert "Your account" in html
    assert "Sign in" not in html
    client.logout()
    assert "Sign in" in client.get(directory).content.decode()


def test_a_reused_include_is_kept_apart_per_language(client, settings):
    from django.utils import translation

    from compassion_portal.templating import render_shared

    env = engines["jinja2"].env
    with translation.override("en"):
        english = render_shared(env, "includes/footer.html")
    with translation.override("es"):
        with_spanish = render_shared(env, "includes/footer.html")
        spanish_again = render_shared(env, "includes/footer.html")
    assert with_spanish is spanish_again  # reused
    assert english is not with_spanish
    assert '<html lang="es">' in client.get("/about/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_a_reused_include_follows_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    from compassion_portal.templating import render_shared

    env = engines["jinja2"].env
    original = get_script_prefix()
    plain = render_shared(env, "includes/footer.html")
    try:
        set_script_prefix("/city/")
        prefixed = render_shared(env, "includes/footer.html")
    finally:
        set_script_prefix(original)
    assert 'href="/city/about/"' in prefixed
    assert 'href="/city/about/"' not in plain


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 3),
        ("one two three", 3),
        ("one two three four", 3),
        ("  spaced\tout\n words  here ", 2),
        ("ends with … …", 3),
        ("a b c", 0),
        ("Comida <b>gratis</b> & más", 2),
    ],
)
def test_the_jinja2_truncatewords_is_djangos(text, count):
    from django.template.defaultfilters import truncatewords as django_truncatewords

    from compassion_portal.templating import truncatewords

    assert truncatewords(text, count) == django_truncatewords(text, count)


def test_jinja2_translations_follow_the_active_language():
    """{{ _("…") }} is remembered per language (compassion_portal.templating.gettext)."""
    from django.utils import translation

    template = engines["jinja2"].from_string('{{ _("Yes") }}')
    seen = []
    for language in ("es", "en", "es"):
        with translation.override(language):
            seen.append(template.render({}))
    assert seen == ["Sí", "Yes", "Sí"]
