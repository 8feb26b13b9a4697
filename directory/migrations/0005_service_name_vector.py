"""A names-only tsvector with its own GIN index (Postgres): broad searches rank a bounded
candidate set that starts with the listings whose names match. Filled by
search.refresh_search_vectors() (until then a name simply counts as not matched)."""

import django.contrib.postgres.search
from django.db import migrations


def _postgres(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_service_status_no_index")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="name_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(
            _postgres(
                "CREATE INDEX IF NOT EXISTS directory_service_name_gin "
                "ON directory_service USING gin (name_vector)"
            ),
            _postgres("DROP INDEX IF EXISTS directory_service_name_gin"),
        ),
        # A longer list of common words in the statistics: the planner then sees that a
        # rare word matches a few rows (not 1% of the table) and picks nested loops.
        migrations.RunPython(
            _postgres(
                "ALTER TABLE directory_service "
                "ALTER COLUMN search_vector SET STATISTICS 1000, "
                "ALTER COLUMN name_vector SET STATISTICS 1000"
            ),
            _postgres(
                "ALTER TABLE directory_service "
                "ALTER COLUMN search_vector SET STATISTICS -1"
            ),
        ),
    ]
