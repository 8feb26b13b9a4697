"""Unmet needs: which needs residents search for and do not find, by ZIP code and week.

A search page whose words found at most FEW_RESULTS listings (its first page only, so paging
through does not count twice) adds one to its row of ``UnmetSearch``: a single INSERT ... ON
CONFLICT DO UPDATE, the one write a search page makes. Before it is counted the query is
scrubbed: lower-cased, and every word with a digit (a phone or house number, a date) or an @
(an email address) dropped. Nothing identifies the person: no address, account or time.
"""

import datetime

from django.db import connection
from django.utils import timezone

from .models import UnmetSearch

FEW_RESULTS = 2
NEED_LENGTH = UnmetSearch._meta.get_field("need").max_length


def scrub(words: str) -> str:
    """The words as they are counted: lower case, no word with a digit or an @."""
    kept = [word for word in words.lower().split() if "@" not in word]
    kept = [word for word in kept if not any(character.isdigit() for character in word)]
    return " ".join(kept)[:NEED_LENGTH].strip()


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


_UPSERT = (
    "INSERT INTO {table} (week, need, zip, searches, found_nothing) VALUES (%s, %s, %s, 1, %s) "
    "ON CONFLICT (week, need, zip) DO UPDATE SET searches = {table}.searches + 1, "
    "found_nothing = {table}.found_nothing + excluded.found_nothing"
)


def record(*, words: str, zip_code: str, page: int, found: int) -> bool:
    """Count this search if it was an unmet need; returns whether it was counted."""
    if page != 1 or found > FEW_RESULTS:
        return False
    need = scrub(words)
    if not need:
        return False
    table = connection.ops.quote_name(UnmetSearch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(table=table),
            [week_of(timezone.localdate()), need, zip_code, 1 if found == 0 else 0],
        )
    return True
