import importlib

import pytest
from django.apps import apps
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Postgres full-text search (tsvector, GIN, pg_trgm); SQLite has the simpler search",
)

starter_synonyms_migration = importlib.import_module("directory.migrations.0003_starter_synonyms")
concepts_migration = importlib.import_module("directory.migrations.0010_load_concepts")
MORE_CONCEPTS_CSV = importlib.import_module(
    "directory.migrations.0012_load_more_concepts"
).MORE_CONCEPTS_CSV


@pytest.fixture(autouse=True)
def starter_synonyms(db):
    """The synonyms the data migrations install (the starter ones and the concept list). A
    transactional test elsewhere may have flushed them from a reused test database, so put
    back any that are missing."""
    starter_synonyms_migration.add_synonyms(apps, None)
    concepts_migration.load_concepts(apps, None)
    concepts_migration.load_concepts(apps, None, path=MORE_CONCEPTS_CSV)
