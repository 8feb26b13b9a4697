"""The table of the database cache (settings.CACHES when DEBUG is off and REDIS_URL unset).

A migration rather than `manage.py createcachetable`, so that every database that is migrated
has the table, whichever cache the settings that migrate it happen to choose (`make migrate`
runs with DEBUG on, and the test database is migrated under the test settings). Django's own
createcachetable code writes the table, for the name fixed here and in settings.py.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "portal_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("compassion_portal", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
