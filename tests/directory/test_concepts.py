"""The concept lists: everyday words and Spanish for needs (directory/data/concepts.csv and
concepts_more.csv), loaded as synonyms by migrations 0010 and 0012 without overwriting what
admins edited."""

import csv
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

import directory
from directory.models import Synonym
from directory.search import normalize, refresh_search_vectors, words
from tests.directory.conftest import postgres_only, starter_synonyms_migration
from tests.directory.factories import CategoryFactory, ServiceFactory, SynonymFactory
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

DATA = Path(directory.__file__).resolve().parent / "data"
CONCEPTS = DATA / "concepts.csv"
MORE_CONCEPTS = DATA / "concepts_more.csv"  # loaded by migration 0012
COLUMNS = ["term", "expands_to", "language", "topic"]
TOPICS = {
    "food",
    "housing",
    "utilities",
    "health",
    "dental",
    "vision",
    "vaccines",
    "mental-health",
    "substance-use",
    "legal",
    "immigration",
    "jobs",
    "childcare",
    "education",
    "disability",
    "seniors",
    "veterans",
    "transportation",
    "clothing",
    "money",
    "family-violence",
    "crisis",
}
LOADER = "0010_load_concepts"
concepts_migration = importlib.import_module(f"directory.migrations.{LOADER}")
SEARCH = reverse("directory:search")


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def concepts(path: Path = CONCEPTS) -> list[dict[str, str]]:
    header, *rows = read_rows(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


STARTER_TERMS = {normalize(term) for term, _ in starter_synonyms_migration.STARTER_SYNONYMS}
# The terms the migration adds: the list's, except those the starter synonyms have.
NEW_TERMS = {row["term"] for row in concepts()} - STARTER_TERMS
MORE_TERMS = {row["term"] for row in concepts(MORE_CONCEPTS)} - STARTER_TERMS


@pytest.fixture(autouse=True)
def concept_synonyms(starter_synonyms):
    """As the starter synonyms' fixture does: a transactional test elsewhere may have
    flushed the rows the migration loaded from a reused test database."""
    concepts_migration.load_concepts(apps, None)
    concepts_migration.load_concepts(apps, None, path=MORE_CONCEPTS)


def migration_apps(name: str = LOADER):
    """The models as they stand after the migration ``name`` of the directory app."""
    return MigrationExecutor(connection).loader.project_state(("directory", name)).apps


# The CSV files


@pytest.mark.parametrize("path", [CONCEPTS, MORE_CONCEPTS], ids=lambda path: path.name)
def test_the_lists_are_well_formed(path):
    header, *rows = read_rows(path)
    assert header == COLUMNS
    assert rows, "an empty list"
    for line, row in enumerate(rows, start=2):
        assert len(row) == len(COLUMNS), f"line {line}: {row}"
        assert all(cell.strip() == cell and cell for cell in row), f"line {line}: {row}"
        term, expands_to, language, topic = row
        assert language in {"en", "es"}, f"line {line}: {row}"
        assert topic in TOPICS, f"line {line}: {row}"
        assert normalize(expands_to) != term, f"line {line}: the term is its own expansion"
        assert term not in STARTER_TERMS, f"line {line}: migration 0003 has {term!r} already"
        # Lower-case, accents removed, single spaces: as the search compares a query.
        assert normalize(term) == term, f"line {line}: {term!r}"
        assert term.isascii(), f"line {line}: {term!r}"
        # The columns' lengths (directory.models.Synonym).
        assert len(term) <= 200, f"line {line}"
        assert len(expands_to) <= 300, f"line {line}"
        assert len(topic) <= 40, f"line {line}"
    terms = [row[0] for row in rows]
    duplicates = sorted({term for term in terms if terms.count(term) > 1})
    assert duplicates == []


@pytest.mark.parametrize("path", [CONCEPTS, MORE_CONCEPTS], ids=lambda path: path.name)
def test_no_term_has_a_word_the_search_leaves_out(path):
    # The search drops filler words ("my", "de", "free"...) from a query before it looks
    # for synonyms, so "recibo de luz" arrives as "recibo luz": a term with one never matches.
    for row in concepts(path):
        fillers = [word for word in row["term"].split() if word in words.FILLER_WORDS]
        assert fillers == [], f"{row['term']!r}"


def test_the_loaded_list_covers_every_topic_in_both_languages():
    rows = concepts()
    assert len(rows) >= 300
    assert {row["topic"] for row in rows} == TOPICS
    for topic in TOPICS:
        languages = {row["language"] for row in rows if row["topic"] == topic}
        assert languages == {"en", "es"}, f"{topic}: {languages}"


def test_the_two_lists_share_no_term():
    assert {row["term"] for row in concepts()} & {
        row["term"] for row in concepts(MORE_CONCEPTS)
    } == set()


# The migration


def test_the_migration_is_applied_and_the_database_holds_each_new_term_once():
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("directory", LOADER) in applied
    assert ("directory", "0012_load_more_concepts") in applied
    loaded = Synonym.objects.exclude(topic="")
    assert loaded.count() == len(NEW_TERMS | MORE_TERMS)
    assert set(loaded.values_list("term", flat=True)) == NEW_TERMS | MORE_TERMS


def test_the_migration_loads_the_list_into_a_table_that_has_the_starter_synonyms():
    historical = migration_apps()
    Synonym.objects.all().delete()
    starter_synonyms_migration.add_synonyms(historical, None)
    starters = Synonym.objects.count()
    concepts_migration.load_concepts(historical, None)
    assert Synonym.objects.count() == starters + len(NEW_TERMS)
    rows = {row["term"]: row for row in concepts()}
    for synonym in Synonym.objects.exclude(topic=""):
        assert rows[synonym.term] == {
            "term": synonym.term,
            "expands_to": synonym.expands_to,
            "language": synonym.language,
            "topic": synonym.topic,
        }


def test_loading_again_keeps_what_an_admin_edited_or_added():
    edited = Synonym.objects.get(term="hungry")
    edited.expands_to = "community meal"
    edited.topic = ""
    edited.save()
    Synonym.objects.filter(term="hambre").update(expands_to="comedor")
    Synonym.objects.filter(term="renta").delete()
    admins_own = SynonymFactory(term="larder", expands_to="food pantry")
    count = Synonym.objects.count()

    concepts_migration.load_concepts(apps, None)

    assert Synonym.objects.get(term="hungry").expands_to == "community meal"
    assert Synonym.objects.get(term="hambre").expands_to == "comedor"
    assert Synonym.objects.get(pk=admins_own.pk).expands_to == "food pantry"
    # Only the deleted term comes back (a migration runs once: this is the loader alone).
    assert Synonym.objects.count() == count + 1
    assert Synonym.objects.get(term="renta").expands_to == "rental assistance"


def test_a_term_typed_with_accents_counts_as_the_same_term():
    historical = migration_apps()
    Synonym.objects.filter(term="guarderia").delete()
    Synonym.objects.create(term="guardería", expands_to="day care")
    concepts_migration.load_concepts(historical, None)
    assert list(
        Synonym.objects.filter(term__in=["guarderia", "guardería"]).values_list(
            "term", "expands_to"
        )
    ) == [("guardería", "day care")]


def test_reversing_removes_only_the_rows_still_as_the_list_has_them():
    historical = migration_apps()
    Synonym.objects.filter(term="hungry").update(expands_to="community meal")
    starters = Synonym.objects.filter(topic="").count()

    concepts_migration.unload_concepts(historical, None)
    concepts_migration.unload_concepts(historical, None, path=MORE_CONCEPTS)

    assert list(Synonym.objects.exclude(topic="").values_list("term", flat=True)) == ["hungry"]
    assert Synonym.objects.filter(topic="").count() == starters


# Searching with the everyday words


@pytest.fixture
def listings():
    """Services found only through their category's name: the agencies' words."""
    services = {
        "pantry": ServiceFactory(
            name="Saint Anne Cupboard",
            description="Open Tuesdays.",
            categories=[CategoryFactory(name="Food pantry")],
        ),
        "rent": ServiceFactory(
            name="Neighbors Fund",
            description="One-time grants.",
            categories=[CategoryFactory(name="Rental assistance")],
        ),
        "legal": ServiceFactory(
            name="Justice Center",
            description="Volunteers on Saturdays.",
            categories=[CategoryFactory(name="Legal aid")],
        ),
        "clinic": ServiceFactory(
            name="Eastside Clinic",
            description="Vaccinations for children and adults.",
            categories=[CategoryFactory(name="Health care")],
        ),
    }
    refresh_search_vectors()
    return services


def results(client, query: str) -> str:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "wanted", "unwanted"),
    [
        ("hungry", "Saint Anne Cupboard", "Neighbors Fund"),
        ("hambre", "Saint Anne Cupboard", "Neighbors Fund"),
        ("tengo hambre", "Saint Anne Cupboard", "Justice Center"),
        ("cant pay rent", "Neighbors Fund", "Saint Anne Cupboard"),
        ("No puedo pagar la renta", "Neighbors Fund", "Justice Center"),
        ("behind on rent", "Neighbors Fund", "Justice Center"),
        ("abogados", "Justice Center", "Neighbors Fund"),
        ("asesoría legal", "Justice Center", "Eastside Clinic"),
    ],
)
def test_everyday_words_find_the_listings_their_expansion_names(
    client, listings, query, wanted, unwanted
):
    html = results(client, query)
    assert wanted in html
    assert unwanted not in html


def test_without_the_concepts_an_everyday_word_finds_nothing(client, listings):
    Synonym.objects.filter(term="hungry").delete()
    assert "Saint Anne Cupboard" not in results(client, "hungry")


@postgres_only
def test_an_expansion_finds_listings_through_stems(client, listings):
    # "vacunas" -> "vaccines"; the listing says "Vaccinations": the same English stem.
    assert "Eastside Clinic" in results(client, "vacunas")


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the SQLite search only: Postgres stems words"
)
def test_on_sqlite_an_expansion_must_appear_as_written(client, listings):
    # SQLite's search finds the words as written in a listing, without stems: "vaccines"
    # is not in "Vaccinations", so the expansion that Postgres matches finds nothing here.
    assert "Eastside Clinic" not in results(client, "vacunas")
    assert "Eastside Clinic" in results(client, "vaccinations")


# The admin


def test_the_admin_filters_synonyms_by_topic_and_language(client):
    client.force_login(AdminFactory())
    url = reverse("admin:directory_synonym_changelist")
    html = client.get(url, {"topic": "food", "language__exact": "es"}).content.decode()
    assert ">hambre<" in html
    assert ">hungry<" not in html
    assert ">renta<" not in html
    html = client.get(url, {"q": "substance-use"}).content.decode()
    assert ">detox<" in html
