""" "Open now" on Postgres: a weekday on which a service is open all 24 hours on any date is
one 'day:N' facet of its names' vector instead of 24 'open:H' ones (N as date.weekday(),
Monday 0; see directory/search/index.py). A listing open day and night had 168 hour facets,
a vector too large to stay in its row.

Existing vectors are rewritten here; from now on search.refresh_search_vectors() writes the
day facets itself. The statistics are refreshed so that the planner knows the new facets."""

from django.db import migrations

DAY_FACETS = """
    UPDATE directory_service AS s
    SET name_vector = ts_delete(s.name_vector, whole_days.hours)
                      || array_to_tsvector(whole_days.days)
    FROM (
      SELECT id, array_agg(lexeme) AS hours, array_agg(DISTINCT 'day:' || day) AS days
      FROM (
        SELECT s.id, hours.lexeme, substr(hours.lexeme, 6)::int / 24 AS day,
               count(*) OVER (PARTITION BY s.id, substr(hours.lexeme, 6)::int / 24)
                 AS whole_hours_of_day
        FROM directory_service AS s,
             unnest(tsvector_to_array(s.name_vector)) AS hours(lexeme)
        WHERE hours.lexeme LIKE 'open:%%'
      ) AS whole_hours
      WHERE whole_hours_of_day = 24
      GROUP BY id
    ) AS whole_days
    WHERE whole_days.id = s.id
"""

HOUR_FACETS = """
    UPDATE directory_service AS s
    SET name_vector = ts_delete(s.name_vector, whole_days.days)
                      || array_to_tsvector(whole_days.hours)
    FROM (
      SELECT s.id, array_agg(DISTINCT days.lexeme) AS days,
             array_agg('open:' || (substr(days.lexeme, 5)::int * 24 + hour)) AS hours
      FROM directory_service AS s,
           unnest(tsvector_to_array(s.name_vector)) AS days(lexeme),
           generate_series(0, 23) AS hour
      WHERE days.lexeme LIKE 'day:%%'
      GROUP BY s.id
    ) AS whole_days
    WHERE whole_days.id = s.id
"""


def on_postgres(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)
            schema_editor.execute("ANALYZE directory_service")

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0025_search_columns_one_gin_index")]

    # Going back writes the 24 hour facets of each day facet again.
    operations = [migrations.RunPython(on_postgres(DAY_FACETS), on_postgres(HOUR_FACETS))]
