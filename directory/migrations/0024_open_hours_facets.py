""""Open now" on Postgres: the hours of the week that a service's open periods touch become
facets of its names' vector, in its own local time: 'open:154' when it is open all of
Sunday 10:00-11:00 on any date, 'part:154' when it is open for some of that hour or only on
some dates. The names' GIN index answers them with
the words, a category or a language, and only the "part" ones need their periods checked.
The periods no longer carry a time zone (the check reads the service's own), so the two
indexes that read them by weekday, zone and time go with it.

The facets of existing services are written here; from now on search.refresh_search_vectors()
keeps them."""

from django.db import migrations

FACETS = """
    UPDATE directory_service AS s
    SET name_vector = coalesce(s.name_vector, ''::tsvector) || array_to_tsvector(ARRAY(
      SELECT DISTINCT
        CASE WHEN p.valid_from IS NULL AND p.valid_to IS NULL
                  AND p.opens <= mod(hour, 24) * 3600
                  AND p.closes >= (mod(hour, 24) + 1) * 3600
             THEN 'open' ELSE 'part'
        END || ':' || hour
      FROM directory_openperiod AS p,
           generate_series(p.weekday * 24 + p.opens / 3600,
                           p.weekday * 24 + (p.closes - 1) / 3600) AS hour
      WHERE p.service_id = s.id
    ))
    WHERE EXISTS (SELECT 1 FROM directory_openperiod AS p WHERE p.service_id = s.id)
"""


def add_facets(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FACETS)


class Migration(migrations.Migration):
    dependencies = [("directory", "0023_hsds_everything_kept")]

    operations = [
        migrations.RemoveIndex(model_name="openperiod", name="openperiod_opens"),
        migrations.RemoveIndex(model_name="openperiod", name="openperiod_closes"),
        migrations.RemoveField(model_name="openperiod", name="time_zone"),
        # Going back leaves the facets, which the earlier code does not read.
        migrations.RunPython(add_facets, migrations.RunPython.noop),
    ]
