"""Categories and languages become facet lexemes of ``Service.name_vector`` ("category:12",
"language:3"; see search._refresh_postgres), so that a full-text search filtered by them
is answered by the GIN index. This fills them in for the listings already stored."""

from django.db import migrations


def refill_search_columns(apps, schema_editor):
    """Nothing now: migration 0011, which every database reaches after this one, refreshes
    the search columns of every listing with the code of its day (this one's refresh read
    columns that only later migrations add)."""


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_service_name_vector")]

    operations = [migrations.RunPython(refill_search_columns, migrations.RunPython.noop)]
