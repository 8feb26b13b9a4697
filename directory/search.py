"""How the directory search works: the one module that knows.

Postgres
    ``Service.search_vector`` is a stored tsvector built from two accent-blind text search
    configurations (``portal_en`` and ``portal_es``, created in migration 0002), so English
    stems (pantries -> pantri) and Spanish stems (clases -> clas) are both indexed. Names
    of the service and its organization weigh A, category names B, descriptions C. A query
    is parsed with ``websearch_to_tsquery`` in both configurations and OR'd with variants:
    one per admin-curated synonym it contains ("food stamps" -> "SNAP") and one with its
    misspelled words replaced by their nearest vocabulary words (pg_trgm similarity over
    ``SearchWord``). Matches are ranked by ``ts_rank_cd`` (``ts_rank`` for one word: see
    ``_near_words``); a result page ranks a bounded candidate set (``_candidates``): the
    listings whose names match, found through ``Service.name_vector`` and its own GIN
    index, then other matches, COUNT_CAP + 1 at most.
SQLite
    Every word must appear in ``Service.search_text`` (names, categories and descriptions,
    lower-cased and without accents); synonyms give alternative word lists.

A search page costs at most three queries: the reference data (categories, languages,
cities, synonyms: one UNION query, then kept in the cache for a minute and forgotten when
an admin or an import changes them), the misspelling look-up (only with a text query and
only for words this process has not yet found in the vocabulary), and one statement that
numbers the candidates (at most ``COUNT_CAP + 1``, which gives the capped count) and
returns the result cards of the page asked for. On SQLite the count and the page are two
queries.

The ORM defines every search (``ServiceFilter.qs`` with ``apply_text_search`` and the
filters below). On Postgres, a text search whose only filters are categories, a language,
a kind or a city runs as a statement written out by ``word_result_page``, which is cheaper
to build; a test checks that both give the same pages.

During a text search on Postgres, the category and language filters are facets of
``Service.name_vector`` ("category:12", "language:3"), answered by its GIN index together
with the words.
"""

import datetime
import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from urllib.parse import quote

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND
from django.utils.choices import BaseChoiceIterator

from compassion_portal.templating import url_around

from .models import (
    PUBLIC_STATUSES,
    WEEKDAY_CODES,
    Category,
    Language,
    Location,
    Schedule,
    SearchWord,
    Service,
    ServiceCategory,
    ServiceStatus,
    Synonym,
)

PAGE_SIZE = 20
BROWSE_CACHE_KEY = "directory:browse-counts"
BROWSE_CACHE_SECONDS = 300
# Saves and deletes in this process forget the cached reference at once (see apps.py);
# other processes (several gunicorn workers without Redis) see a change within a minute.
REFERENCE_CACHE_SECONDS = 60
COUNT_CAP = 1000
# The kinds of facet lexemes in Service.name_vector ("category:12"; see _refresh_postgres).
CATEGORY_FACET, LANGUAGE_FACET = "category", "language"
MAX_QUERY_LENGTH = 200
CONFIGS = ("portal_en", "portal_es")
# pg_trgm similarity above which a vocabulary word is taken as the intended one.
TYPO_SIMILARITY = 0.3
MAX_VARIANTS = 8
# Query words that this process has found in the vocabulary (SearchWord), so that it asks
# Postgres about each word once rather than on every search: the vocabulary only grows
# (imports and saves add words; nothing removes them). Forgotten with the reference data.
_known_words: set[str] = set()
KNOWN_WORDS_MAX = 50_000
# A full refresh of at least this many services rebuilds the GIN indexes (see below).
BULK_REFRESH_ROWS = 20_000
# The GIN indexes of the search columns (created in migrations 0002 and 0005).
SEARCH_INDEXES = (
    ("directory_service_search_gin", "search_vector"),
    ("directory_service_name_gin", "name_vector"),
)
_WORD = re.compile(r"[^\W_]+")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def normalize(text: str) -> str:
    """Lower-case, accents removed, whitespace collapsed: how search_text is stored."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def clean_query(text: str) -> str:
    """Drop control characters (NUL included) that no search needs."""
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())[
        :MAX_QUERY_LENGTH
    ]


# ---------------------------------------------------------------------------------------
# Reference data: everything the filters and the query expansion need, in one query.


@dataclass
class CategoryRef:
    pk: int
    slug: str
    name: str
    parent_id: int | None


@dataclass
class CityRef:
    pk: int
    slug: str
    name: str
    time_zone: str


@dataclass
class Reference:
    categories: list[CategoryRef] = field(default_factory=list)
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    language_ids: dict[str, int] = field(default_factory=dict)  # code -> pk
    cities: list[CityRef] = field(default_factory=list)
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # normalized term, expansion

    @property
    def category_choices(self) -> "SharedChoices":
        return SharedChoices((category.slug, category.name) for category in self.categories)

    @property
    def language_choices(self) -> "SharedChoices":
        return SharedChoices(self.languages)

    @property
    def city_choices(self) -> "SharedChoices":
        return SharedChoices((city.slug, city.name) for city in self.cities)

    def category_ids_under(self, slug: str) -> list[int]:
        """The category with this slug and every category below it."""
        children: dict[int | None, list[int]] = {}
        root = None
        for category in self.categories:
            children.setdefault(category.parent_id, []).append(category.pk)
            if category.slug == slug:
                root = category.pk
        if root is None:
            return []
        found, stack = [], [root]
        while stack:
            pk = stack.pop()
            if pk in found:
                continue
            found.append(pk)
            stack.extend(children.get(pk, []))
        return found

    def time_zones(self) -> set[str]:
        return {city.time_zone for city in self.cities} | {settings.TIME_ZONE}


class SharedChoices(BaseChoiceIterator):
    """A filter's choices as a choice iterator: Django's forms take one as it is, where they
    would normalize a list of pairs again each time the choices are read (rendering the
    select, validating a value)."""

    def __init__(self, choices: Iterable[tuple[str, str]]) -> None:
        self.choices = tuple(choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


# The cache holds a pickled Reference: the key follows the fields of the classes in it, so
# that a release that changes them never reads one written by the last (Redis outlives
# deploys).
REFERENCE_CACHE_KEY = "directory:reference:" + "-".join(
    f.name for cls in (Reference, CategoryRef, CityRef) for f in fields(cls)
)


def load_reference() -> Reference:
    """Categories, languages, the cities that have listings and the synonyms: from the
    cache, else in one query. They change only when an admin or an import changes them."""
    reference = cache.get(REFERENCE_CACHE_KEY)
    if reference is None:
        reference = _query_reference()
        cache.set(REFERENCE_CACHE_KEY, reference, REFERENCE_CACHE_SECONDS)
    return reference


def forget_reference(**_signal_arguments) -> None:
    """Drop the cached reference data (a signal receiver too: it takes any arguments)."""
    cache.delete(REFERENCE_CACHE_KEY)
    _known_words.clear()


def _query_reference() -> Reference:
    from compacts.models import City

    from .models import Organization

    category, language, synonym = (
        Category._meta.db_table,
        Language._meta.db_table,
        Synonym._meta.db_table,
    )
    city, organization = City._meta.db_table, Organization._meta.db_table
    sql = f"""
        SELECT 'c', id, slug, name, CAST(parent_id AS TEXT) FROM {category}
        UNION ALL
        SELECT 'l', id, code, name, NULL FROM {language}
        UNION ALL
        SELECT 'y', id, slug, name || ', ' || state, time_zone FROM {city} AS city
          WHERE EXISTS (SELECT 1 FROM {organization} o WHERE o.city_id = city.id)
        UNION ALL
        SELECT 's', id, term, expands_to, NULL FROM {synonym}
    """  # noqa: S608 - table names come from model metadata, not from input
    reference = Reference()
    _known_words.clear()  # forgotten with the reference data (see corrections())
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    for kind, pk, key, label, extra in rows:
        if kind == "c":
            reference.categories.append(
                CategoryRef(pk, key, label, int(extra) if extra is not None else None)
            )
        elif kind == "l":
            reference.languages.append((key, label))
            reference.language_ids[key] = pk
        elif kind == "y":
            reference.cities.append(CityRef(pk, key, label, extra))
        else:
            reference.synonyms.append((normalize(key), label))
    reference.categories.sort(key=lambda item: item.name.lower())
    reference.languages.sort(key=lambda item: item[1].lower())
    reference.cities.sort(key=lambda item: item.name.lower())
    return reference


# ---------------------------------------------------------------------------------------
# Query expansion: synonyms and misspellings.


def synonym_variants(query: str, synonyms: Iterable[tuple[str, str]]) -> list[str]:
    """The query rewritten with each synonym it contains, then with all of them at once."""
    text = normalize(query)
    variants: list[str] = []
    combined = text
    for term, expansion in synonyms:
        pattern = _whole_words(term)
        if term and pattern.search(text):
            variants.append(pattern.sub(expansion, text))
            combined = pattern.sub(expansion, combined)
    if len(variants) > 1:
        variants.append(combined)
    return variants[:MAX_VARIANTS]


@functools.lru_cache(maxsize=1024)
def _whole_words(term: str) -> re.Pattern:
    """A pattern that finds ``term`` as whole words."""
    return re.compile(rf"(?<![\w]){re.escape(term)}(?![\w])")


def query_words(query: str) -> list[str]:
    """The plain words of a query worth correcting (3+ letters, not 'or')."""
    words = []
    for word in _WORD.findall(normalize(query)):
        if len(word) >= 3 and word != "or" and not word.isdigit() and word not in words:
            words.append(word[:100])
    return words


def corrections(words: list[str]) -> dict[str, str]:
    """For each word the directory never uses, the most similar word it does use."""
    if not is_postgres():
        return {}
    asked = [word for word in words if word not in _known_words]
    if not asked:
        return {}
    table = SearchWord._meta.db_table
    # For each word the directory does not use, the most similar one it does, of a
    # similar length so that "therapy" is never taken for "the". A word it uses is found
    # by an exact look-up in the unique index, which is cheap, and skips the trigram
    # search (the NOT known below), which costs a few milliseconds per word.
    sql = f"""
        WITH asked AS MATERIALIZED (
          SELECT q.word,
                 EXISTS (SELECT 1 FROM {table} AS known WHERE known.word = q.word) AS known
          FROM unnest(%s::text[]) AS q(word)
        )
        SELECT q.word, q.known, best.word
        FROM asked AS q
        LEFT JOIN LATERAL (
          SELECT v.word FROM {table} AS v
          WHERE NOT q.known
            AND v.word %% q.word
            AND abs(length(v.word) - length(q.word)) <= greatest(2, length(q.word) / 3)
            AND similarity(v.word, q.word) >= %s
          ORDER BY similarity(v.word, q.word) DESC, v.word
          LIMIT 1
        ) AS best ON true
    """  # noqa: S608 - the table name comes from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [asked, TYPO_SIMILARITY])
        rows = cursor.fetchall()
    if len(_known_words) > KNOWN_WORDS_MAX:
        _known_words.clear()
    _known_words.update(word for word, known, _best in rows if known)
    return {word: best for word, _known, best in rows if best is not None}


def corrected_query(query: str, fixes: dict[str, str]) -> str:
    if not fixes:
        return ""
    return _WORD.sub(lambda match: fixes.get(match.group(0), match.group(0)), normalize(query))


def query_variants(query: str, reference: Reference) -> list[str]:
    """The query as typed, then its synonym and spelling variants (no duplicates)."""
    variants = [query, *synonym_variants(query, reference.synonyms)]
    # Words that are synonym terms are understood already; the rest may be misspelled.
    synonym_words = {word for term, _expansion in reference.synonyms for word in term.split()}
    unknown = [word for word in query_words(query) if word not in synonym_words]
    fixed = corrected_query(query, corrections(unknown))
    if fixed:
        variants.append(fixed)
    unique: list[str] = []
    for variant in variants:
        if variant and variant not in unique:
            unique.append(variant)
    return unique[:MAX_VARIANTS]


# ---------------------------------------------------------------------------------------
# Matching and ranking.


def apply_text_search(queryset: QuerySet, query: str, reference: Reference) -> QuerySet:
    """Services matching ``query`` (with synonyms and spelling fixes), best first."""
    query = clean_query(query)
    if not query:
        return queryset
    variants = query_variants(query, reference)
    if is_postgres():
        return _postgres_search(queryset, variants)
    return _portable_search(queryset, variants)


def words_tsquery(variants: Iterable[str]) -> tuple[str, list[str]]:
    """SQL and parameters of a query's variants, each parsed with ``websearch_to_tsquery``
    in each of the CONFIGS, OR'd together."""
    variants = tuple(variants)
    parts = [
        f"websearch_to_tsquery('{config}'::regconfig, %s)"
        for _variant in variants
        for config in CONFIGS
    ]
    params = [variant for variant in variants for _config in CONFIGS]
    return f"({' || '.join(parts)})", params


class WordsQuery(SearchQuery):
    """words_tsquery() as one ORM expression. (SearchQuery objects joined with | make a
    tree of seven nodes per variant, which the ORM copies and resolves wherever the query
    is used, three times per search: about 0.2 ms.)"""

    def __init__(self, variants: Iterable[str]) -> None:
        self.variants = tuple(variants)
        super().__init__(Value(""), search_type="websearch")

    def resolve_expression(self, *args, **kwargs) -> "WordsQuery":
        return self  # nothing in it refers to a table

    def as_sql(self, compiler, connection, function=None, template=None):
        return words_tsquery(self.variants)


def _near_words(variants: list[str]) -> bool:
    """Whether to rank by cover density (ts_rank_cd), which ranks listings where the words
    of a query stand near each other higher: "health clinic" finds "Community Health
    Clinic" before "Dental Clinic at Public Health District". A query of one word has no
    such order to find, and ts_rank orders its matches by the same weights (names, then
    categories, then descriptions) at a small part of the cost: cover density took 1.7 ms
    to rank the thousand candidates of a broad word at 200,000 services."""
    return any(len(_WORD.findall(normalize(variant))) > 1 for variant in variants)


def _postgres_search(queryset: QuerySet, variants: list[str]) -> QuerySet:
    tsquery = WordsQuery(variants)
    queryset = queryset.filter(search_vector=tsquery).annotate(
        rank=SearchRank(F("search_vector"), tsquery, cover_density=_near_words(variants)),
        # Filtering on it (name_hit=True / False) compiles to name_vector @@ query, which
        # the names' GIN index answers: result_page() uses it to bound the ranking work.
        name_hit=ExpressionWrapper(Q(name_vector=tsquery), output_field=BooleanField()),
    )
    if len(variants) == 1:
        return queryset.order_by("-rank", "name", "pk")
    # Listings with the words as typed come before those found by a synonym or a
    # spelling fix: "comida" shows the Spanish listings first, then the food ones.
    as_typed = Case(
        When(search_vector=WordsQuery(variants[:1]), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.annotate(as_typed=as_typed).order_by("-as_typed", "-rank", "name", "pk")


def _portable_condition(variant: str) -> Q | None:
    """Every word (or "quoted phrase") of the variant must appear; -word must not."""
    condition = Q()
    has_positive = False
    for phrase, negated, word in re.findall(r'"([^"]*)"|(-?)([^\s"]+)', variant):
        if phrase:
            text, exclude = normalize(phrase), False
        else:
            text, exclude = normalize(word), bool(negated)
        text = text.strip(" -")
        if not text or text == "or":
            continue
        if exclude:
            condition &= ~Q(search_text__contains=text)
        else:
            has_positive = True
            condition &= Q(search_text__contains=text)
    return condition if has_positive else None


def _portable_search(queryset: QuerySet, variants: list[str]) -> QuerySet:
    match = Q()
    any_condition = False
    for variant in variants:
        condition = _portable_condition(variant)
        if condition is not None:
            match |= condition
            any_condition = True
    if not any_condition:
        return queryset.none()
    first_word = next(iter(query_words(variants[0])), normalize(variants[0]))
    return (
        queryset.filter(match)
        .annotate(
            rank=Case(
                When(name__icontains=first_word, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-rank", "name", "pk")
    )


# ---------------------------------------------------------------------------------------
# Filters the search page offers.


def facet_text(kind: str, ids: Iterable[int]) -> str:
    """The tsquery text of facet lexemes OR'd together: "'category:12' | 'category:15'"."""
    return " | ".join(f"'{kind}:{int(pk)}'" for pk in ids)


class FacetQuery(SearchQuery):
    """Facet lexemes ("category:12", "language:3") OR'd together and taken as they are:
    never parsed or stemmed, so no words a resident types can ever produce them."""

    def __init__(self, kind: str, ids: Iterable[int]) -> None:
        super().__init__(facet_text(kind, ids), search_type="raw")

    def as_sql(self, compiler, connection, function=None, template=None):
        return super().as_sql(compiler, connection, template="(%(expressions)s)::tsquery")


def _with_facet(queryset: QuerySet, kind: str, ids: list[int]) -> QuerySet | None:
    """During a full-text search on Postgres, the filter as a facet of ``name_vector``
    (see _refresh_postgres), which the GIN index answers together with the words; None
    otherwise. A join to the link table instead reads every listing of a common language
    or category for a broad word (tens of milliseconds at 200,000 services)."""
    if "name_hit" not in queryset.query.annotations:
        return None
    if not ids:
        return queryset.none()
    faceted = queryset.filter(name_vector=FacetQuery(kind, ids))
    # Postgres tests conditions of the same estimated cost in the order they are written.
    # The facet (a look-up in the short name vector) turns most rows away far sooner than
    # the words do (a search of the long full vector), so it goes first: a broad word in
    # one language read its thousand matches in 3.4 ms instead of 5.9 ms.
    where = faceted.query.where
    if where.connector == AND and not where.negated:
        where.children.insert(0, where.children.pop())
    return faceted


def in_categories(queryset: QuerySet, category_ids: list[int]) -> QuerySet:
    faceted = _with_facet(queryset, CATEGORY_FACET, category_ids)
    if faceted is not None:
        return faceted
    return queryset.filter(
        Exists(ServiceCategory.objects.filter(service=OuterRef("pk"), category_id__in=category_ids))
    )


def in_language(queryset: QuerySet, language_id: int) -> QuerySet:
    faceted = _with_facet(queryset, LANGUAGE_FACET, [language_id])
    if faceted is not None:
        return faceted
    # By id, not by a join on the code: the planner then knows from the statistics how
    # many listings are in this language and picks the cheaper side to start from.
    return queryset.filter(
        Exists(
            Service.languages.through.objects.filter(
                service=OuterRef("pk"), language_id=language_id
            )
        )
    )


def in_postal_code(queryset: QuerySet, postal_code: str) -> QuerySet:
    """Services at a public location with this ZIP code. Confidential locations never
    match, so a ZIP search cannot reveal where a hidden shelter is."""
    return queryset.filter(
        Exists(
            Location.objects.public_addresses().filter(
                service_at_locations__service=OuterRef("pk"),
                postal_code__startswith=postal_code,
            )
        )
    )


def _hours_cover(local: datetime.datetime) -> Q:
    """Schedule rows whose weekly hours include the local wall-clock time ``local``."""
    today = WEEKDAY_CODES[local.weekday()]
    yesterday = WEEKDAY_CODES[(local.weekday() - 1) % 7]
    now = local.time().replace(tzinfo=None, microsecond=0)
    day = local.date()
    on_today = Q(byday="") | Q(byday__contains=today)
    on_yesterday = Q(byday="") | Q(byday__contains=yesterday)
    same_day = Q(closes_at__gt=F("opens_at")) & Q(opens_at__lte=now, closes_at__gt=now) & on_today
    # Hours that pass midnight (or last the whole day): the evening part, then the morning.
    overnight = Q(closes_at__lte=F("opens_at")) & (
        (on_today & Q(opens_at__lte=now)) | (on_yesterday & Q(closes_at__gt=now))
    )
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    return Q(opens_at__isnull=False) & valid & (same_day | overnight)


class ProbeExists(Exists):
    """EXISTS answered row by row through the subquery's index. The OFFSET 0 keeps Postgres
    from turning it into a hashed subplan: it misjudges how many hours match the time of
    day, and hashing every open schedule of the directory took 0.8 s for "food, open now"
    at 200,000 services, where probing the candidates takes about 20 ms."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _open_schedules(local: datetime.datetime) -> Q:
    """Hours of the service itself, or of the service at one of its locations.

    Two EXISTS rather than one with an OR across a join: each is then an index probe per
    service, where the OR made Postgres hash both tables whole for every candidate row.
    """
    hours = _hours_cover(local)
    own_hours = Schedule.objects.filter(hours, service=OuterRef("pk"))
    location_hours = Schedule.objects.filter(hours, service_at_location__service=OuterRef("pk"))
    return Q(ProbeExists(own_hours)) | Q(ProbeExists(location_hours))


def open_now_q(
    at: datetime.datetime,
    tz: zoneinfo.ZoneInfo | None = None,
    time_zones: Iterable[str] | None = None,
) -> Q:
    """Services open at the instant ``at``, each read in its city's time zone.

    With ``tz`` every service is read in that zone. Otherwise one condition per zone in
    ``time_zones`` (default: every zone a city uses), services without a city in the
    site's TIME_ZONE."""
    if tz is not None:
        return _open_schedules(at.astimezone(tz))
    if time_zones is None:
        from compacts.models import City

        time_zones = set(City.objects.values_list("time_zone", flat=True).distinct())
    zones = set(time_zones) | {settings.TIME_ZONE}
    condition = Q(pk__in=[])
    for zone in sorted(zones):
        in_zone = Q(organization__city__time_zone=zone)
        if zone == settings.TIME_ZONE:
            in_zone |= Q(organization__city__isnull=True)
        condition |= in_zone & _open_schedules(at.astimezone(zoneinfo.ZoneInfo(zone)))
    return condition


def open_now(queryset: QuerySet, at: datetime.datetime, reference: Reference) -> QuerySet:
    return queryset.filter(open_now_q(at, time_zones=reference.time_zones())).exclude(
        status="temporarily closed"
    )


# ---------------------------------------------------------------------------------------
# Results: capped count, one page of rows with what a result card shows.


@dataclass
class ResultPage:
    services: list[Service]
    number: int
    count: int  # capped at COUNT_CAP + 1
    page_size: int = PAGE_SIZE
    message: str = ""

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


@dataclass(slots=True)
class ResultCard:
    """What a result card shows (templates/directory/includes/results.html)."""

    pk: int
    name: str
    slug: str
    description: str
    status: str
    organization_name: str
    place: str | None  # "town ZIP" of the first public (non-confidential) location
    url: str

    @property
    def is_temporarily_closed(self) -> bool:
        return self.status == ServiceStatus.TEMPORARILY_CLOSED


# What a result card shows, in the order of ResultCard's fields (the address aside).
CARD_COLUMNS = (
    "pk",
    "name",
    "slug",
    "description",
    "status",
    "organization__name",
    "place",
)


# A location as a result card names it: "town ZIP", the town alone, or nothing without a
# town. (One column from one subquery: a second one for the ZIP cost Postgres about 0.3 ms
# more to plan and run on every search.)
PLACE = Case(
    When(city="", then=Value("")),
    When(postal_code="", then=F("city")),
    default=Concat("city", Value(" "), "postal_code"),
    output_field=CharField(),
)


def card_rows(queryset: QuerySet) -> QuerySet:
    """The CARD_COLUMNS of these services, in one query: with the town and ZIP of each
    one's first public (non-confidential) location. The wide text columns and the search
    vectors stay in the database."""
    first_public = (
        Location.objects.public_addresses()
        .filter(service_at_locations__service=OuterRef("pk"))
        .order_by("pk")
    )
    return queryset.annotate(
        place=Subquery(first_public.annotate(place=PLACE).values("place")[:1]),
    ).values_list(*CARD_COLUMNS)


@functools.cache
def _card_sql() -> tuple[str, tuple]:
    """card_rows() of every service, compiled once: the page statement joins it to the
    page's candidates (Postgres then evaluates the location subqueries for those only)."""
    return card_rows(Service.objects.order_by()).query.sql_with_params()


def _cards(rows: Iterable[tuple]) -> list[ResultCard]:
    """ResultCards from rows of CARD_COLUMNS."""
    prefix, suffix = url_around("directory:service_detail", "slug")
    return [ResultCard(*row, url=f"{prefix}{quote(row[2])}{suffix}") for row in rows]


def _sort_columns(queryset: QuerySet) -> tuple[list[str], list[tuple[int, bool]]]:
    """The columns to select (pk first, then the sort keys) and the sort as (column
    position, descending) pairs."""
    order = [str(item) for item in queryset.query.order_by] or ["pk"]
    keys = [item.removeprefix("-") for item in order]
    columns = ["pk", *(key for key in keys if key != "pk")]
    sort = [
        (columns.index(key), item.startswith("-")) for item, key in zip(order, keys, strict=True)
    ]
    return columns, sort


def _candidates(queryset: QuerySet) -> tuple[str, list, int, list[tuple[int, bool]]]:
    """SQL for the ids worth ranking, at most COUNT_CAP + 1 of them, with its parameters,
    its number of columns (the id first) and the search order over those columns.

    Without a text query: the first COUNT_CAP + 1 matches in the search order. With one
    (Postgres), a broad word matches a third of the directory, and ranking all of it reads
    most of the table to show 20 rows, while the count (and so the pages) stops at
    COUNT_CAP anyway. So the candidates are the listings whose names match, found through
    the names' GIN index, then the best ranked of the other matches read, every filter
    applied before the cap. When at most COUNT_CAP listings match, every one of them is a
    candidate. Each row is ranked as it is read (no second visit)."""
    columns, sort = _sort_columns(queryset)
    unordered = queryset.order_by()
    if "name_hit" not in queryset.query.annotations:
        sql, params = queryset.values_list(*columns)[: COUNT_CAP + 1].query.sql_with_params()
        return sql, list(params), len(columns), sort
    # The filters are compiled once, with the two kinds of match as columns (see _tiered).
    # A name match is a match: without the full-vector condition the planner reads the
    # names' index alone instead of also building a bitmap of every match.
    filtered, full_match = _without_full_match(unordered)
    matches = filtered.annotate(
        full_hit=ExpressionWrapper(full_match, output_field=BooleanField())
    ).values_list(*columns, "name_hit", "full_hit")
    matches_sql, params = matches.query.sql_with_params()
    return _tiered(matches_sql, len(columns), sort), list(params), len(columns) + 1, sort


def _tiered(matches_sql: str, width: int, sort: list[tuple[int, bool]]) -> str:
    """The candidates of a text search from ``matches_sql``: its ``width`` columns (the id
    first, then the sort keys), then whether the names match and whether anything does.
    "matches" is inlined where it is used (NOT MATERIALIZED), so that each part below
    reads as one query over the services table with the filters' conditions first."""
    listed = ", ".join(f"c{index}" for index in range(width))
    by_position = ", ".join(f"{index + 1}{' DESC' if desc else ''}" for index, desc in sort)
    # Keep the name matches first (the tier), then the best ranked of the other matches
    # read. When the names alone fill the candidates, no other match is read at all.
    return f"""
        WITH matches({listed}, name_hit, full_hit) AS NOT MATERIALIZED ({matches_sql}),
        by_name AS MATERIALIZED (
          SELECT {listed}, 0 AS tier FROM matches WHERE name_hit LIMIT {COUNT_CAP + 1}
        )
        SELECT * FROM (
          SELECT * FROM by_name
          UNION ALL
          (SELECT {listed}, 1 AS tier FROM matches WHERE full_hit AND NOT name_hit
           LIMIT (SELECT CASE WHEN count(*) > {COUNT_CAP} THEN 0 ELSE {COUNT_CAP + 1} END
                  FROM by_name))
        ) AS tiers
        ORDER BY {width + 1}, {by_position} LIMIT {COUNT_CAP + 1}
    """  # noqa: S608 - the matches are compiled here or by the ORM; the sort is positions


def _without_full_match(queryset: QuerySet) -> tuple[QuerySet, Lookup]:
    """The queryset without its ``search_vector @@ query`` condition (other filters
    kept), and that condition."""
    search_vector = Service._meta.get_field("search_vector")
    clone = queryset.all()
    kept, removed = [], []
    for child in clone.query.where.children:
        is_full_match = getattr(getattr(child, "lhs", None), "target", None) is search_vector
        (removed if is_full_match else kept).append(child)
    if len(removed) != 1 or clone.query.where.connector != AND:
        raise ValueError("expected one full-text condition among the filters")
    clone.query.where.children = kept
    return clone, removed[0]


def _page_sql(candidates: str, width: int, sort: list[tuple[int, bool]], card_sql: str) -> str:
    """One statement: the candidates numbered in the search order, their count, and the
    card columns of one page of them (the last page when asked for a page past the end).
    A single row with NULL card columns when nothing matches."""
    aliases = ", ".join(f"c{index}" for index in range(width))
    card_columns = ", ".join(column.replace("__", "_") for column in CARD_COLUMNS)
    order = ", ".join(f"c{index}{' DESC' if desc else ''}" for index, desc in sort)
    return f"""
        WITH numbered AS MATERIALIZED (
          SELECT c0 AS id, row_number() OVER (ORDER BY {order}) AS position
          FROM ({candidates}) AS candidates({aliases})
        ), total AS (
          SELECT count(*) AS n FROM numbered
        ), skip AS (
          SELECT least(%s, greatest(0, (least(n, {COUNT_CAP}) - 1) / {PAGE_SIZE}) * {PAGE_SIZE})
                 AS rows
          FROM total
        )
        SELECT total.n, skip.rows, card.*
        FROM total CROSS JOIN skip LEFT JOIN LATERAL (
          SELECT card.*
          FROM numbered
          JOIN ({card_sql}) AS card({card_columns}) ON card.pk = numbered.id
          WHERE numbered.position > skip.rows AND numbered.position <= skip.rows + {PAGE_SIZE}
          ORDER BY numbered.position
        ) AS card ON true
    """  # noqa: S608 - compiled by the ORM; the rest is constants


def result_page(queryset: QuerySet, page: int) -> ResultPage:
    """The count (up to COUNT_CAP + 1) and the cards of ``page``, moved to the last page
    when past the end. On Postgres one query; elsewhere two (the count, then the page)."""
    if is_postgres():
        return _postgres_result_page(queryset, page)
    count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    last_page = max(1, -(-min(count, COUNT_CAP) // PAGE_SIZE))
    number = min(max(page, 1), last_page)
    if count == 0:
        return ResultPage(services=[], number=1, count=0)
    offset = (number - 1) * PAGE_SIZE
    # Sort only ids in the inner query; the joins and subqueries of a result card then
    # run for this page's rows alone (one SQL statement).
    page_ids = queryset.values("pk")[offset : offset + PAGE_SIZE]
    services = _cards(card_rows(queryset.filter(pk__in=page_ids)))
    return ResultPage(services=services, number=number, count=count)


def _postgres_result_page(queryset: QuerySet, page: int) -> ResultPage:
    candidates, params, width, sort = _candidates(queryset)
    return _run_page(candidates, params, width, sort, page)


def _run_page(
    candidates: str, params: list, width: int, sort: list[tuple[int, bool]], page: int
) -> ResultPage:
    card_sql, card_params = _card_sql()
    offset = (max(page, 1) - 1) * PAGE_SIZE
    with connection.cursor() as cursor:
        cursor.execute(
            _page_sql(candidates, width, sort, card_sql), [*params, offset, *card_params]
        )
        rows = cursor.fetchall()
    count, skipped = rows[0][0], rows[0][1]
    services = _cards(row[2:] for row in rows if row[2] is not None)
    return ResultPage(services=services, number=skipped // PAGE_SIZE + 1, count=count)


@dataclass(frozen=True)
class WordSearch:
    """A text search with only filters that a hand-written statement answers (Postgres):
    categories and a language (facets of the names' vector), the kind and the city of the
    organization. Built by ServiceFilter.word_search() from valid filter values."""

    query: str
    category_ids: tuple[int, ...] | None = None
    language_id: int | None = None
    kind: str = ""
    city: str = ""


def word_result_page(word_search: WordSearch, reference: Reference, page: int) -> ResultPage:
    """The same page as ``result_page(ServiceFilter(...).qs, page)`` on Postgres (the same
    matching, ranking, tiers and cap), from one statement written here rather than built by
    the ORM, which took about 0.5 ms a search to build and compile it. The ORM remains the
    definition: tests/directory/test_search.py checks that the two agree."""
    variants = query_variants(clean_query(word_search.query), reference)
    if word_search.category_ids == () or not variants:
        return ResultPage(services=[], number=1, count=0)
    everything, everything_params = words_tsquery(variants)
    select = ["s.id"]
    params: list = []
    if len(variants) > 1:  # the words as typed first (see _postgres_search)
        as_typed, as_typed_params = words_tsquery(variants[:1])
        select.append(f"CASE WHEN s.search_vector @@ {as_typed} THEN 1 ELSE 0 END")
        params += as_typed_params
        sort = [(1, True), (2, True), (3, False), (0, False)]
    else:
        sort = [(1, True), (2, False), (0, False)]
    width = len(select) + 2
    select += [
        f"{'ts_rank_cd' if _near_words(variants) else 'ts_rank'}(s.search_vector, {everything})",
        "s.name",
        f"s.name_vector @@ {everything}",
        f"s.search_vector @@ {everything}",
    ]
    params += everything_params * 3
    tables = [f"{Service._meta.db_table} AS s"]
    # Facets first: Postgres tests them before the words (see _with_facet).
    conditions, condition_params = [], []
    for kind, ids in (
        (CATEGORY_FACET, word_search.category_ids),
        (LANGUAGE_FACET, None if word_search.language_id is None else [word_search.language_id]),
    ):
        if ids is not None:
            conditions.append("s.name_vector @@ %s::tsquery")
            condition_params.append(facet_text(kind, ids))
    conditions.append(f"s.status IN ({', '.join(['%s'] * len(PUBLIC_STATUSES))})")
    condition_params += [str(status) for status in PUBLIC_STATUSES]
    if word_search.kind or word_search.city:
        from .models import Organization

        tables.append(f"JOIN {Organization._meta.db_table} AS o ON o.id = s.organization_id")
        if word_search.kind:
            conditions.append("o.kind = %s")
            condition_params.append(word_search.kind)
    if word_search.city:
        from compacts.models import City

        tables.append(f"JOIN {City._meta.db_table} AS c ON c.id = o.city_id")
        conditions.append("c.slug = %s")
        condition_params.append(word_search.city)
    columns, sources, where = ", ".join(select), " ".join(tables), " AND ".join(conditions)
    matches = f"SELECT {columns} FROM {sources} WHERE {where}"  # noqa: S608 - values are parameters
    candidates = _tiered(matches, width, sort)
    return _run_page(candidates, [*params, *condition_params], width + 1, sort, page)


# ---------------------------------------------------------------------------------------
# Browsing without a query.


@dataclass
class Browse:
    categories: list[tuple[CategoryRef, int]]
    kinds: list[tuple[str, str, int]]  # (value, label, count)


def browse(reference: Reference) -> Browse:
    """Public services per category and per kind of organization (two queries, none
    while the counts are in the cache)."""
    from .models import OrganizationKind

    per_category, per_kind = browse_counts()
    return Browse(
        categories=[
            (category, per_category[category.pk])
            for category in reference.categories
            if per_category.get(category.pk)
        ],
        kinds=[
            (kind.value, kind.label, per_kind[kind.value])
            for kind in OrganizationKind
            if per_kind.get(kind.value)
        ],
    )


def browse_counts() -> tuple[dict[int, int], dict[str, int]]:
    """Public services per category id and per kind of organization, kept in the cache
    for BROWSE_CACHE_SECONDS: counting a large directory takes a while, and a count a few
    minutes old is fine for browsing."""
    counts = cache.get(BROWSE_CACHE_KEY)
    if counts is not None:
        return counts
    per_category = dict(
        ServiceCategory.objects.filter(service__status__in=PUBLIC_STATUSES)
        .values_list("category_id")
        .annotate(n=Count("service_id", distinct=True))
        .values_list("category_id", "n")
    )
    per_kind = dict(
        Service.objects.public()
        .values_list("organization__kind")
        .annotate(n=Count("pk"))
        .values_list("organization__kind", "n")
    )
    cache.set(BROWSE_CACHE_KEY, (per_category, per_kind), BROWSE_CACHE_SECONDS)
    return per_category, per_kind


# ---------------------------------------------------------------------------------------
# Keeping the search columns up to date.


def refresh_search_vectors(service_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search columns of these services (all when None); return how many
    rows changed.

    Call it after anything that changes a service's names, categories or descriptions, or
    its organization's name: admin saves, demo loading and HSDS imports do."""
    ids = None if service_ids is None else sorted(set(service_ids))
    if ids is not None and not ids:
        return 0
    forget_reference()  # an import or a save may have brought new categories or languages
    if is_postgres():
        return _refresh_postgres(ids)
    return _refresh_portable(ids)


def _search_tables() -> list[str]:
    """The tables the search and listing pages read. (Without fresh statistics on the
    hours, Postgres took "open now" for rare and read every listing: 1.6 s instead of
    26 ms at 200,000 services.)"""
    from .models import Organization, Phone, ServiceAtLocation

    models = [Service, ServiceCategory, Service.languages.through, ServiceAtLocation]
    models += [Location, Organization, Category, Language, SearchWord, Schedule, Phone]
    return [model._meta.db_table for model in models]


def _refresh_postgres(ids: list[int] | None) -> int:
    from .models import Organization

    service = Service._meta.db_table
    organization = Organization._meta.db_table
    link = ServiceCategory._meta.db_table
    languages = Service.languages.through._meta.db_table
    category = Category._meta.db_table
    words = SearchWord._meta.db_table

    def vector(column: str, weight: str, configs: tuple[str, ...] = CONFIGS) -> str:
        return " || ".join(
            f"setweight(to_tsvector('{config}', {column}), '{weight}')" for config in configs
        )

    where = "" if ids is None else "WHERE s.id = ANY(%(ids)s)"
    doc = f"""
        doc AS (
          SELECT s.id,
                 concat_ws(' ', s.name, s.alternate_name, o.name, o.alternate_name) AS names,
                 coalesce((
                   SELECT string_agg(concat_ws(' ', c.name, p.name), ' ')
                   FROM {link} sc
                   JOIN {category} c ON c.id = sc.category_id
                   LEFT JOIN {category} p ON p.id = c.parent_id
                   WHERE sc.service_id = s.id
                 ), '') AS categories,
                 concat_ws(' ', s.description, s.eligibility_description,
                           s.interpretation_services) AS descriptions
          FROM {service} s JOIN {organization} o ON o.id = s.organization_id
          {where}
        )
    """  # noqa: S608 - identifiers come from model metadata; values are parameters
    # Names and categories are indexed with English and Spanish stems; descriptions, the
    # bulk of the text, with English stems only (Spanish words still match as written,
    # accents aside), which keeps the stored vector and the ranking work small.
    # Rows whose vector would not change are not rewritten.
    update = f"""
        WITH {doc}, fresh AS (
          SELECT id, names_vector || {vector("categories", "B")}
                 || {vector("descriptions", "C", CONFIGS[:1])} AS vector,
                 names_vector || facets AS names_vector
          FROM (
            SELECT doc.*, {vector("names", "A")} AS names_vector,
                   array_to_tsvector(ARRAY(
                     SELECT '{CATEGORY_FACET}:' || sc.category_id FROM {link} sc
                     WHERE sc.service_id = doc.id
                     UNION
                     SELECT '{LANGUAGE_FACET}:' || sl.language_id FROM {languages} sl
                     WHERE sl.service_id = doc.id
                   )) AS facets
            FROM doc
          ) AS named
        )
        UPDATE {service} AS target
        SET search_vector = fresh.vector, name_vector = fresh.names_vector
        FROM fresh
        WHERE target.id = fresh.id
          AND (target.search_vector IS DISTINCT FROM fresh.vector
               OR target.name_vector IS DISTINCT FROM fresh.names_vector)
    """  # noqa: S608
    vocabulary = f"""
        WITH {doc}
        INSERT INTO {words} (word)
        SELECT DISTINCT left(w, 100)
        FROM doc, regexp_split_to_table(
          lower(unaccent(concat_ws(' ', doc.names, doc.categories, doc.descriptions))),
          '[^[:alnum:]]+'
        ) AS w
        WHERE length(w) >= 3
        ON CONFLICT (word) DO NOTHING
    """  # noqa: S608
    with connection.cursor() as cursor:
        bulk = False
        if ids is None:
            cursor.execute(f"SELECT count(*) FROM {service}")  # noqa: S608
            bulk = cursor.fetchone()[0] >= BULK_REFRESH_ROWS
        if bulk:
            # A full refresh of a large directory rewrites most rows: building the GIN
            # indexes again afterwards leaves them compact (row-by-row updates grow them
            # and queue entries in GIN's pending list, which every search reads until a
            # vacuum). DROP and CREATE are transactional: a failure keeps the old ones.
            # (A rebuilt index may serve only later transactions, hence "large": a small
            # directory keeps its indexes.) Index changes are refused while foreign-key
            # checks of rows written earlier in the transaction (an import) are pending:
            # check them now, and defer them again afterwards.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for index, _column in SEARCH_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute(update, {"ids": ids})
        count = cursor.rowcount
        cursor.execute(vocabulary, {"ids": ids})
        if bulk:
            for index, column in SEARCH_INDEXES:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {index} ON {service} USING gin ({column})"
                )
            # After a bulk load, fresh statistics let the planner see how common a word,
            # a language or a category is (autovacuum may not have run yet, or be off).
            for table in _search_tables():
                cursor.execute(f"ANALYZE {table}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return count


def compact_after_full_refresh() -> bool:
    """Rewrite a large services table without the old row versions that a full refresh
    left at its start (an import of 200,000 services rewrote every row once). Searches
    that read the table in order then no longer wade through them first. Runs only on
    Postgres, outside a transaction (VACUUM cannot run inside one) and for at least
    BULK_REFRESH_ROWS services. It locks the table while it runs: 6 s at 200,000 services.
    Returns whether it ran."""
    if not is_postgres() or connection.in_atomic_block:
        return False
    table = Service._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - model metadata
        if cursor.fetchone()[0] < BULK_REFRESH_ROWS:
            return False
        cursor.execute(f"VACUUM (FULL, ANALYZE) {table}")
    return True


def _refresh_portable(ids: list[int] | None) -> int:
    services = Service.objects.select_related("organization").prefetch_related("categories__parent")
    if ids is not None:
        services = services.filter(pk__in=ids)
    changed = []
    for service in services.iterator(chunk_size=500):
        parts = [
            service.name,
            service.alternate_name,
            service.organization.name,
            service.organization.alternate_name,
        ]
        for category in service.categories.all():
            parts.append(category.name)
            if category.parent:
                parts.append(category.parent.name)
        parts += [
            service.description,
            service.eligibility_description,
            service.interpretation_services,
        ]
        text = normalize(" ".join(part for part in parts if part))
        if text != service.search_text:
            service.search_text = text
            changed.append(service)
    Service.objects.bulk_update(changed, ["search_text"], batch_size=500)
    return len(changed)
