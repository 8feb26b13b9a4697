"""Reading a few related rows in the query of the row they belong to.

A listing page needs the listing's categories, its languages and its latest changes: a
handful of rows each. ``JSONRows`` reads them as JSON arrays in the listing's own query, in
place of a query each. It is one expression on both databases; only the aggregate's name
differs (SQLite's JSON_GROUP_ARRAY, Postgres's JSONB_AGG)."""

import datetime

from django.db.models import JSONField, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone


class JSONRows(Subquery):
    """The rows of ``queryset`` as a JSON array of objects with the given ``fields``
    (name -> field path or expression), decoded to a list of dicts, in no set order. An
    ordered, sliced queryset still chooses which rows come (the latest five, say).

    Values come as JSON has them: a date or time as ISO text (``read_datetime`` reads a
    moment back), a boolean as true/false on Postgres and 1/0 on SQLite."""

    output_field = JSONField()
    template = "(SELECT JSON_GROUP_ARRAY(JSON(rows.item)) FROM (%(subquery)s) rows)"

    def __init__(self, queryset: QuerySet, **fields) -> None:
        super().__init__(queryset.values(item=JSONObject(**fields)))

    def as_postgresql(self, compiler, connection, **extra_context):
        # JSONB_AGG of no rows is NULL, not an empty array.
        template = "(SELECT COALESCE(JSONB_AGG(rows.item), '[]') FROM (%(subquery)s) rows)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def read_datetime(text: str) -> datetime.datetime:
    """A moment as ``JSONRows`` gives it: ISO text with its offset from Postgres, naive UTC
    from SQLite (which stores moments so)."""
    moment = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=datetime.UTC)
    return moment
