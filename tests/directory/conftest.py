import importlib

import pytest
from django.apps import apps
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Postgres full-text search (tsvector, GIN, pg_trgm); SQLite has the simpler search",
)

starter_synonyms_migration = importlib.import_module("directory.migrations.0003_starter_synonyms")


@pytest.fixture(autouse=True)
def starter_synonyms(db):
    """The synonyms the data migration installs. A transactional test elsewhere may have
    flushed them from a reused test database, so put back any that are missing."""
    starter_synonyms_migration.add_synonyms(apps, None)
