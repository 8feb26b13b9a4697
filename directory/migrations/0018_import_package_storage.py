"""An uploaded package is a zip, already compressed: Postgres stores it as it is (STORAGE
EXTERNAL) instead of trying to compress it again, which took a 15.6 MB upload (200,000
services) about 1.2 s instead of 0.75 s."""

from django.db import migrations


def store_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE directory_importjob ALTER COLUMN package SET STORAGE EXTERNAL"
        )


def store_as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE directory_importjob ALTER COLUMN package SET STORAGE DEFAULT"
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0017_import_jobs")]

    operations = [migrations.RunPython(store_uncompressed, store_as_default)]
