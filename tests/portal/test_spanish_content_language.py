"""Content written in another language than the page's carries its own lang attribute: a
listing's name and text, a lesson's title and summary (Service/Lesson.content_language)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.curriculum.factories import LessonFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def lang_attr(code: str, page: str) -> str:
    with translation.override(page):
        return Template("{% load page_language %}<p{% lang_attr code %}>").render(
            Context({"code": code})
        )


@pytest.mark.parametrize(
    ("code", "page", "expected"),
    [
        ("en", "es", '<p lang="en">'),
        ("es", "en", '<p lang="es">'),
        ("en", "en", "<p>"),
        ("es", "es", "<p>"),
        ("es-MX", "es", "<p>"),  # the same language, another region
        ("vi", "es", '<p lang="vi">'),
        ("", "es", "<p>"),  # unknown: nothing rather than a guess
        ('en" onclick="x', "es", '<p lang="en&quot; onclick=&quot;x">'),  # escaped
    ],
)
def test_lang_attr_marks_only_content_in_another_language(code, page, expected):
    assert lang_attr(code, page) == expected


def english_path(item) -> str:
    """An object's address in English (a request leaves its language active in the thread)."""
    with translation.override("en"):
        return item.get_absolute_url()


def test_an_english_listing_on_a_spanish_page_says_it_is_english(client):
    service = ServiceFactory(
        name="Food Pantry at Riverbend",
        description="Groceries once a week.",
        eligibility_description="Residents of Riverbend.",
    )
    spanish = client.get(f"/es{english_path(service)}").content.decode()
    assert 'lang="en">Food Pantry at Riverbend</h1>' in spanish
    assert '<p lang="en">Groceries once a week.</p>' in spanish
    assert '<dd lang="en">Residents of Riverbend.</dd>' in spanish
    # The page's own words around it are Spanish and carry no lang of their own.
    assert "<dt>Quién puede usarlo</dt>" in spanish

    english = client.get(english_path(service)).content.decode()
    assert "<h1>Food Pantry at Riverbend</h1>" in english
    assert (
        'lang="en"' not in english.split("</head>", 1)[1].split('<form class="language-switch"')[0]
    )


def test_a_spanish_listing_on_an_english_page_says_it_is_spanish(client):
    service = ServiceFactory(
        name="Despensa de Alimentos", description="Comida gratis.", content_language="es"
    )
    english = client.get(english_path(service)).content.decode()
    assert '<h1 lang="es">Despensa de Alimentos</h1>' in english
    assert '<p lang="es">Comida gratis.</p>' in english
    spanish = client.get(f"/es{english_path(service)}").content.decode()
    assert "<h1>Despensa de Alimentos</h1>" in spanish


def test_the_organization_page_and_the_printed_list_mark_listings_too(client):
    service = ServiceFactory(name="Legal Clinic", description="Free advice.")
    html = client.get(f"/es{english_path(service.organization)}").content.decode()
    assert '<h3 lang="en"><a href="' in html
    assert '<p lang="en">Free advice.</p>' in html

    client.post("/es/directory/list/add/", {"service": service.pk, "next": "/es/directory/list/"})
    printed = client.get("/es/directory/list/print/").content.decode()
    assert '<h2 class="saved-entry__name" lang="en">' in printed


def test_a_lesson_in_english_on_a_spanish_page(client):
    lesson = LessonFactory(title="Healing shared trauma", summary="How a city heals together.")
    html = client.get(f"/es{english_path(lesson)}").content.decode()
    assert '<h1 lang="en">Healing shared trauma</h1>' in html
    assert '<p class="lead" lang="en">How a city heals together.</p>' in html
    course = client.get(f"/es{english_path(lesson.course)}").content.decode()
    assert f'<a href="/es{english_path(lesson)}" lang="en">Healing shared trauma</a>' in course
