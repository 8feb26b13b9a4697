"""Postgres full-text search set-up: extensions, two accent-blind text search
configurations (English and Spanish stems), a GIN index on the stored tsvector and a
trigram index on the vocabulary used to correct misspellings. SQLite needs none of it."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD_SQL = [
    """
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'portal_en') THEN
        CREATE TEXT SEARCH CONFIGURATION portal_en (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION portal_en
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'portal_es') THEN
        CREATE TEXT SEARCH CONFIGURATION portal_es (COPY = spanish);
        ALTER TEXT SEARCH CONFIGURATION portal_es
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
      END IF;
    END
    $$;
    """,
    "CREATE INDEX IF NOT EXISTS directory_service_search_gin "
    "ON directory_service USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS directory_searchword_word_trgm "
    "ON directory_searchword USING gin (word gin_trgm_ops)",
]

BACKWARD_SQL = [
    "DROP INDEX IF EXISTS directory_searchword_word_trgm",
    "DROP INDEX IF EXISTS directory_service_search_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_es",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_en",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(_run(FORWARD_SQL), _run(BACKWARD_SQL)),
    ]
