"""Ranking and result pages: the bounded candidates of a search, their order, one page of
result cards and a count capped at COUNT_CAP + 1 ("More than 1,000 results")."""

import datetime
import functools
import json
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from ..hours import Hours, OpenState, open_state
from ..models import (
    Location,
    Phone,
    PhoneType,
    Schedule,
    Service,
    ServiceStatus,
    is_stale,
    tel_href,
)
from ..rows import JSONRows
from .conditions import Matches
from .words import Words, has_several_words, normalize, query_words, words_query

PAGE_SIZE = 20
COUNT_CAP = 1000
# A "quoted phrase", or a word with an optional minus before it.
_TOKENS = re.compile(r'"([^"]*)"|(-?)([^\s"]+)')
# A word the listings must not have ("-church").
_EXCLUSION = re.compile(r"(?:^|\s)-\w")


# Every search's candidates are rows of these columns, read in this order: listings with
# all the words (``complete``) before those with some of them, which are candidates only
# when no listing has them all; then as typed before spelling and synonym variants; then
# the rank (without words every row has the same), the name. Nearest first, the rank is
# minus the distance and nothing counts as typed. ``distance`` is in miles, or NULL.
CANDIDATE_COLUMNS = ("pk", "complete", "as_typed", "rank", "name", "distance")
SEARCH_ORDER = "complete DESC, as_typed DESC, rank DESC, name, pk"


@dataclass(frozen=True)
class Order:
    """How far each service is from the place searched (an expression, or None without
    a place), whether the nearest come first, and the expression to read them nearest
    first by (an index's, on Postgres; else the distance)."""

    distance: Expression | None = None
    nearest_first: bool = False
    nearest: Expression | None = None

    def columns(self, rank, as_typed) -> dict:
        if self.nearest_first:
            return {"rank": -F("distance"), "as_typed": Value(False)}
        return {"rank": rank, "as_typed": as_typed}


def _candidates(
    services: QuerySet, order: Order, *, rank=None, as_typed=None, complete=None
) -> QuerySet:
    distance = order.distance if order.distance is not None else Value(None, FloatField())
    columns = order.columns(
        rank if rank is not None else Value(0.0),
        as_typed if as_typed is not None else Value(False),
    )
    return (
        services.annotate(distance=distance)
        .annotate(complete=complete if complete is not None else Value(True), **columns)
        .values(*CANDIDATE_COLUMNS)
    )


def _capped(candidates: QuerySet, order: Order) -> QuerySet:
    """The first COUNT_CAP + 1 candidates: the nearest when they come first (read through
    the position index within the radius), else any."""
    if order.nearest_first:
        candidates = candidates.order_by(order.nearest or F("distance"))
    return candidates[: COUNT_CAP + 1]


def in_name_order(services: QuerySet, order: Order = Order()) -> QuerySet:
    """A search without words: the first COUNT_CAP + 1 matches in name order (read in that
    order through the (name, id) index, so that a common filter stops early), or nearest
    first."""
    if order.nearest_first:
        return _capped(_candidates(services.order_by(), order), order)
    return _candidates(services.order_by("name", "pk"), order)[: COUNT_CAP + 1]


def in_category_name_order(services: QuerySet, category_id: int) -> QuerySet:
    """Postgres: the first COUNT_CAP + 1 services filed under a category in name order,
    read in that order from the category links' index of (category, service name, service)
    (``ServiceCategory.service_name``), each service looked up by its id until COUNT_CAP + 1
    have passed the other filters. Through the names' facets, every listing of the category
    was read to sort them by name: 5,700 for a large category at 200,000 services, where
    this reads about 1,200 at 11 a.m. on a Tuesday (SQL of the page: 23 ms before, 14 now;
    with "open now" 28 and 15). The most it reads is every link of the category, when
    fewer than COUNT_CAP of its listings pass ("open now" at 3 a.m. on a Sunday, when few
    are: 32 ms, where the facets, intersected in the index, took 8 to 16).

    For one category only: the links of several (a category with its sub-categories) come
    in name order from one index scan each, which Postgres 15 does not merge; it then hashed
    all 200,000 services (220 ms), so those are filtered through the facets."""
    filed = services.filter(servicecategory__category=category_id)
    return _candidates(filed.order_by("servicecategory__service_name", "pk"), Order())[
        : COUNT_CAP + 1
    ]


def ranked_by_words(
    services: QuerySet, words: Words, order: Order = Order()
) -> "QuerySet | NamesFirst":
    """Postgres: the services that match the words (any variant), with their rank.

    A broad word matches a third of the directory, and ranking all of it reads most of the
    table to show 20 rows, while the count (and so the pages) stops at COUNT_CAP anyway. So
    the candidates are at most COUNT_CAP + 1 listings whose names match, found through the
    GIN index of the search columns, and only when fewer names match, as many of the other
    matches (``NamesFirst``); each is ranked as it is read, every filter applies before the
    cap, and when at most COUNT_CAP listings match, every one is a candidate. With synonyms
    or spelling fixes, the listings with the words as typed come first ("comida" shows the
    Spanish listings, then the food ones); then the rank, then the name.

    When no listing has all the words of any variant, the candidates are the listings with
    some of them, the most matched first ("pantry for veterans" finds pantries and
    veterans' services)."""
    variants = words.variants
    query = words_query(variants)
    columns = {
        "rank": SearchRank(F("search_vector"), query, cover_density=has_several_words(variants)),
        "as_typed": _own_words_match(words_query(variants[:1]))
        if len(variants) > 1
        else Value(False),
    }
    # In no particular order: the model's name order would walk the name index instead.
    ranked = _candidates(services.order_by(), order, **columns)
    some = None
    if words.any_of:
        any_word = words_query([words.any_of])
        some = _candidates(
            services.order_by(),
            order,
            rank=SearchRank(F("search_vector"), any_word),
            complete=Value(False),
        ).filter(search_vector=any_word)
    if not order.nearest_first:
        by_name = ranked.filter(name_vector=query)
        if any(_EXCLUSION.search(variant) for variant in variants):
            # "-church" must hold of the whole listing, organization included, which the
            # names' vector does not hold (checked only then: it reads each name match's
            # whole vector).
            by_name = by_name.filter(search_vector=query)
        others = ranked.filter(search_vector=query).exclude(name_vector=query)
        return NamesFirst(
            _capped(by_name, order),
            _capped(others, order),
            _capped(some, order) if some is not None else None,
        )
    # Nearest first, a listing named for the words comes no sooner than one that only
    # mentions them: the candidates are the nearest listings with the words, read through
    # the position index. (Names first, the names' matches were read twice, to see whether
    # they filled the candidates: "community" near a ZIP code took 21 ms at 200,000
    # services, this way 10.)
    nearest = _capped(ranked.filter(search_vector=query), order)
    if some is None:
        return nearest
    none_has_all = ~Exists(services.order_by().filter(search_vector=query)[:1])
    return nearest.union(_capped(some.filter(none_has_all), order), all=True)


@dataclass(frozen=True)
class NamesFirst:
    """The candidates of a search by words (Postgres), in parts that each read at most
    COUNT_CAP + 1 listings: those whose names have the words; only when they are at most
    COUNT_CAP, the others with the words; and only when neither part found any, the
    listings with some of the words (``partial``, optional).

    One statement whose parts are common table expressions, each read once: the names'
    matches decide whether the others are read, and both whether the partial ones are, by
    counting what was already found. (Written as one QuerySet, each of those conditions
    was a copy of the whole search in a subquery that Postgres ran again: "food, open now"
    spent 4.9 of its 10.4 ms of candidates there at 200,000 services, and building the
    statement took 10.4 ms of Python instead of 6.0.)"""

    names: QuerySet
    others: QuerySet
    partial: QuerySet | None = None

    def sql_with_params(self) -> tuple[str, tuple]:
        names_sql, names_params = self.names.query.sql_with_params()
        others_sql, others_params = self.others.query.sql_with_params()
        sql = f"""
            WITH names AS MATERIALIZED ({names_sql}),
                 others AS MATERIALIZED (
                   SELECT * FROM ({others_sql}) AS part
                   WHERE (SELECT count(*) FROM names) <= %s
                 )
            SELECT * FROM names UNION ALL SELECT * FROM others
        """  # noqa: S608 - the parts are compiled by the ORM; the values are parameters
        params = (*names_params, *others_params, COUNT_CAP)
        if self.partial is None:
            return sql, params
        try:
            partial_sql, partial_params = self.partial.query.sql_with_params()
        except EmptyResultSet:  # words that no listing can have some of
            return sql, params
        sql += f"""
            UNION ALL
            SELECT * FROM ({partial_sql}) AS part
            WHERE NOT EXISTS (SELECT FROM names) AND NOT EXISTS (SELECT FROM others)
        """  # noqa: S608
        return sql, (*params, *partial_params)

    def count(self) -> int:
        sql, params = self.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS candidate", params)  # noqa: S608
            return cursor.fetchone()[0]


def _own_words_match(query: SearchQuery) -> Matches:
    """Whether the service's own words (names A, categories B, descriptions C; not its
    organization's names, D) match: "workforce" as typed then means the job services the
    synonym finds, not every service of the Workforce Office."""
    own_words = Func(
        F("search_vector"),
        Value("{a,b,c}"),
        function="ts_filter",
        output_field=SearchVectorField(),
    )
    return Matches(own_words, query)


def ranked_by_text(services: QuerySet, words: Words, order: Order = Order()) -> QuerySet:
    """SQLite: every word (or "quoted phrase") of a variant must appear in search_text,
    and -word must not; listings named with the first word come first, then those that
    describe themselves with it. When no listing matches, those with any of the words (or
    phrases) of ``words.any_of`` do."""
    variants = words.variants
    match = Q(pk__in=[])
    for variant in variants:
        match |= _all_words(variant)
    some = Q(pk__in=[])
    for phrase in words.any_of.split(" or ") if words.any_of else []:
        some |= Q(search_text__contains=normalize(phrase).strip('"'))
    none_has_all = ~Exists(services.order_by().filter(match))
    first_word = next(iter(query_words(variants[0])), normalize(variants[0]))
    named = Case(
        When(name__icontains=first_word, then=Value(1.0)),
        When(description__icontains=first_word, then=Value(0.5)),
        default=Value(0.0),
    )
    return _candidates(
        services.order_by().filter(match | (some & none_has_all)),
        order,
        rank=named,
        complete=ExpressionWrapper(match, output_field=BooleanField()),
    )


def _all_words(variant: str) -> Q:
    condition, positive = Q(), False
    for phrase, negated, word in _TOKENS.findall(variant):
        text = normalize(phrase or word).strip(" -")
        if not text or text == "or":
            continue
        if negated and not phrase:
            condition &= ~Q(search_text__contains=text)
        else:
            positive = True
            condition &= Q(search_text__contains=text)
    return condition if positive else Q(pk__in=[])


def sql_of(candidates: QuerySet | NamesFirst) -> tuple[str, tuple]:
    """The SQL of a search's candidates and its parameters."""
    if isinstance(candidates, NamesFirst):
        return candidates.sql_with_params()
    return candidates.query.sql_with_params()


@dataclass
class ResultPage:
    services: list[Service]
    number: int
    count: int  # capped at COUNT_CAP + 1
    page_size: int = PAGE_SIZE
    # No listing has all the words: these have some of them.
    partial: bool = False

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.shown_count // self.page_size))

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.services else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.services)


def result_page(
    candidates: QuerySet | NamesFirst, page: int, page_size: int = PAGE_SIZE
) -> ResultPage:
    """Page ``page`` of the candidates of a search (the last page when past the end) with
    their capped count: one query, two more only when asked for a page past the end."""
    number = min(max(page, 1), -(-COUNT_CAP // page_size))  # no page lies past the cap
    total, complete, cards = _page(candidates, number, page_size)
    if not cards and number > 1:
        number = max(1, -(-min(candidates.count(), COUNT_CAP) // page_size))
        total, complete, cards = _page(candidates, number, page_size)
    count = min(total, COUNT_CAP + 1)
    return ResultPage(cards, number, count, page_size, partial=bool(cards) and not complete)


@dataclass(slots=True)
class ResultCard:
    """What a result card shows (templates/directory/includes/results.html): the columns of
    CARD_COLUMNS, in their order, and the open state that ``add_open_states`` adds."""

    pk: int
    name: str
    slug: str
    description: str
    status: str
    organization_name: str
    place: str | None  # "town ZIP" of the first public (non-confidential) location
    phone: str | None  # a number to call: the service's, else its locations', else its provider's
    time_zone: str  # Service.time_zone: "" for DIRECTORY_TIME_ZONE
    assured_date: datetime.date | None  # when someone last checked the listing
    content_language: str  # the language its name and description are written in
    # Its opening hours (JSON rows of HOURS_FIELDS, see directory.rows): the service's own,
    # and the service's at its locations (as on the listing page).
    own_hours: list[dict] | str
    hours_at_locations: list[dict] | str
    open_state: OpenState | None = None
    distance: float | None = None  # miles from the place searched

    @property
    def is_temporarily_closed(self) -> bool:
        return self.status == ServiceStatus.TEMPORARILY_CLOSED

    @property
    def tel_href(self) -> str:
        return tel_href(self.phone or "")

    @property
    def is_stale(self) -> bool:
        return is_stale(self.assured_date)

    def hours(self) -> list[Hours]:
        return [
            Hours(
                byday=row["byday"],
                opens_at=datetime.time.fromisoformat(row["opens_at"]),
                closes_at=datetime.time.fromisoformat(row["closes_at"]),
                valid_from=_date(row["valid_from"]),
                valid_to=_date(row["valid_to"]),
            )
            for rows in (self.own_hours, self.hours_at_locations)
            for row in (json.loads(rows) if isinstance(rows, str) else rows)
        ]


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


CARD_COLUMNS = (
    *("pk", "name", "slug", "description", "status", "organization_name", "place", "phone"),
    *("time_zone", "assured_date", "content_language", "own_hours", "hours_at_locations"),
)
# What a card reads of each row of its opening hours (those with times: others say nothing
# of when it is open).
HOURS_FIELDS = ("byday", "opens_at", "closes_at", "valid_from", "valid_to")


def add_open_states(cards: list[ResultCard], now: datetime.datetime) -> None:
    """Set each card's open state at ``now`` in its own local time, from the hours that
    its row of the page statement brought."""
    for card in cards:
        zone = zoneinfo.ZoneInfo(card.time_zone or settings.DIRECTORY_TIME_ZONE)
        card.open_state = open_state(
            card.hours(), now.astimezone(zone), temporarily_closed=card.is_temporarily_closed
        )


# A location as a result card names it: "town ZIP", the town alone, or nothing without a town.
PLACE = Case(
    When(city="", then=Value("")),
    When(postal_code="", then=F("city")),
    default=Concat("city", Value(" "), "postal_code"),
    output_field=CharField(),
)


@functools.cache
def _cards_sql() -> tuple[str, tuple]:
    """What the result cards show of every service, as SQL that the page statement joins to
    its page of candidates: the town and ZIP of each one's first public (non-confidential)
    location, a number to call, and its opening hours (two index look-ups by service, in
    place of a query of their own after the page's). The same for every search, so it is
    compiled once (about 1 ms a page)."""
    first_public = (
        Location.objects.public_addresses()
        .filter(service_at_locations__service=OuterRef("pk"))
        .order_by("pk")
        .annotate(place=PLACE)
        .values("place")[:1]
    )
    phone = Coalesce(
        _first_phone(service=OuterRef("pk")),
        _first_phone(service_at_location__service=OuterRef("pk")),
        _first_phone(location__service_at_locations__service=OuterRef("pk")),
        _first_phone(organization=OuterRef("organization_id"), service=None, location=None),
    )
    timed = Schedule.objects.order_by().filter(opens_at__isnull=False, closes_at__isnull=False)
    fields = {name: name for name in HOURS_FIELDS}
    cards = (
        Service.objects.order_by()
        .annotate(
            organization_name=F("organization__name"),
            place=Subquery(first_public),
            phone=phone,
            own_hours=JSONRows(timed.filter(service=OuterRef("pk")), **fields),
            hours_at_locations=JSONRows(
                timed.filter(service_at_location__service=OuterRef("pk")), **fields
            ),
        )
        .values(*CARD_COLUMNS)
    )
    return cards.query.sql_with_params()


def _first_phone(**where) -> Subquery:
    """The first number of these phones that a person can call (a fax cannot be)."""
    phones = Phone.objects.filter(**where).exclude(type=PhoneType.FAX).order_by("pk")
    return Subquery(phones.values("number")[:1])


def _page(
    candidates: QuerySet | NamesFirst, number: int, page_size: int
) -> tuple[int, bool, list[ResultCard]]:
    """How many candidates there are, whether they have all the words, and the result
    cards of page ``number`` of them in
    the search order, in one statement: the ORM writes the candidates and the cards; this
    numbers the candidates and joins the cards of one page of them. (Written with the ORM
    alone, as services with pk__in=candidates and a window count, the page read every
    candidate again by its id: at 200,000 services 22 ms instead of 13.5 for a broad word,
    6.9 ms instead of 3.7 for a rare one.)"""
    try:
        candidates_sql, candidates_params = sql_of(candidates)
    except EmptyResultSet:  # conditions that nothing can meet (a query of "or" alone)
        return 0, True, []
    cards_sql, cards_params = _cards_sql()
    sql = f"""
        SELECT numbered.total, numbered.complete, numbered.distance, card.*
        FROM (
          SELECT candidate.pk, candidate.complete, candidate.distance, count(*) OVER () AS total,
                 row_number() OVER (ORDER BY {SEARCH_ORDER}) AS position
          FROM ({candidates_sql}) AS candidate
        ) AS numbered
        JOIN ({cards_sql}) AS card ON card.pk = numbered.pk
        WHERE numbered.position > %s AND numbered.position <= %s
        ORDER BY numbered.position
    """  # noqa: S608 - both parts are compiled by the ORM; the values are parameters
    offset = (number - 1) * page_size
    with connection.cursor() as cursor:
        cursor.execute(sql, [*candidates_params, *cards_params, offset, offset + page_size])
        rows = cursor.fetchall()
    total, complete = rows[0][:2] if rows else (0, True)
    cards = [ResultCard(*row[3:], distance=row[2]) for row in rows]
    return total, bool(complete), cards
