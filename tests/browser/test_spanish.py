"""A Spanish-speaking resident: switches the home page to Español with the header's switch,
searches "comida", opens a pantry, puts it on the list and opens the print page. Every page on
the way speaks Spanish, except the listing's own English text, which says it is English
(lang="en"); axe-core finds nothing on the Spanish pages a resident or a mayor's staffer opens.
"""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation

from compacts.models import City, Compact
from directory.models import Service
from tests.portal.test_spanish_pages import database_content, english_fragments, untranslated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PANTRY = "Food Pantry at Bend Valley United Way"


def _load_demo_with_synonyms() -> None:
    """The demo, and the synonyms the data migrations install ("comida" finds food), which a
    transactional test before this one may have flushed from the test database."""
    migrations = "directory.migrations."
    importlib.import_module(f"{migrations}0003_starter_synonyms").add_synonyms(apps, None)
    concepts = importlib.import_module(f"{migrations}0010_load_concepts")
    concepts.load_concepts(apps, None)
    more = importlib.import_module(f"{migrations}0012_load_more_concepts").MORE_CONCEPTS_CSV
    concepts.load_concepts(apps, None, path=more)
    call_command("load_demo", verbosity=0)


def _english_path(item) -> str:
    with translation.override("en"):
        return item.get_absolute_url()


def test_a_resident_finds_a_pantry_and_prints_it_in_spanish(page, assert_accessible):
    _load_demo_with_synonyms()
    fragments = english_fragments()
    content = database_content()
    pantry = Service.objects.get(name=PANTRY)
    assert pantry.content_language == "en"

    def speaks_spanish(label: str) -> None:
        assert page.locator("html").get_attribute("lang") == "es", label
        assert untranslated(page.content(), fragments, content) == [], label

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Español").click()
    page.wait_for_url("**/es/")
    speaks_spanish("the home page")
    assert_accessible(page, "the Spanish home page")

    page.get_by_label("¿Qué necesita?").fill("comida")
    page.get_by_role("button", name="Buscar", exact=True).click()
    page.wait_for_url("**/es/directory/?q=comida*")
    speaks_spanish("the results")
    assert page.get_by_text("resultados.", exact=False).first.is_visible()
    assert_accessible(page, "the Spanish results")

    page.get_by_role("link", name=PANTRY).click()
    page.wait_for_url(f"**/es{_english_path(pantry)}*")
    speaks_spanish("the listing")
    assert page.locator("h1").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == PANTRY
    description = page.get_by_text(pantry.description)
    assert description.get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Sobre este servicio").is_visible()
    assert_accessible(page, "the Spanish listing page")

    page.get_by_role("button", name="Agregar a mi lista").click()
    page.wait_for_url(f"**/es{_english_path(pantry)}*")
    assert page.get_by_role("status").inner_text().startswith(f"Se agregó «{PANTRY}» a su lista")
    speaks_spanish("the listing, on the list")

    page.get_by_role("link", name="Ver mi lista").click()
    page.wait_for_url("**/es/directory/list/")
    speaks_spanish("the list")
    assert page.locator(".saved-entry h2").get_attribute("lang") == "en"

    page.get_by_role("link", name="Imprimir esta lista").click()
    page.wait_for_url("**/es/directory/list/print/")
    speaks_spanish("the print page")
    assert page.get_by_text("Impresa el").is_visible()
    assert page.locator(".saved-entry h2").get_attribute("lang") == "en"
    assert page.get_by_role("img", name="Código QR de la dirección web de esta lista").is_visible()
    assert_accessible(page, "the Spanish print page")

    # The choice is remembered: the site's bare address now opens in Spanish.
    page.goto("/")
    page.wait_for_url("**/es/")
    # And English is one press away, on the same page.
    page.goto("/es/directory/?q=comida")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/directory/?q=comida")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_spanish_pages_a_resident_or_a_staffer_opens_pass_axe(page, assert_accessible):
    _load_demo_with_synonyms()
    compact = Compact.objects.order_by("pk").first()
    city = City.objects.filter(signatures__isnull=False).order_by("pk").first()
    pages = {
        "the directory": "/es/directory/",
        "a compact": f"/es{_english_path(compact)}",
        "a city": f"/es{_english_path(city)}",
        "the curriculum": "/es/curriculum/",
        "sign-up": "/es/accounts/signup/",
        "sign-in": "/es/accounts/login/",
    }
    for label, path in pages.items():
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "es", label
        assert_accessible(page, f"the Spanish {label} page")
