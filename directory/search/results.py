"""Ranking and result pages: the bounded candidates of a search, their order, one page of
result cards and a count capped at COUNT_CAP + 1 ("More than 1,000 results")."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchRank
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Concat

from ..models import Location, Service
from .words import has_several_words, normalize, query_words, words_query

PAGE_SIZE = 20
COUNT_CAP = 1000
# A "quoted phrase", or a word with an optional minus before it.
_TOKENS = re.compile(r'"([^"]*)"|(-?)([^\s"]+)')


def in_name_order(services: QuerySet) -> QuerySet:
    """A search without words: the first COUNT_CAP + 1 matches in name order (read in that
    order through the (name, id) index, so that a common filter stops early)."""
    candidates = services.order_by("name", "pk").values("pk")[: COUNT_CAP + 1]
    return Service.objects.filter(pk__in=candidates).order_by("name", "pk")


def ranked_by_words(services: QuerySet, variants: list[str]) -> QuerySet:
    """Postgres: the services that match the words (any variant), best first.

    A broad word matches a third of the directory, and ranking all of it reads most of the
    table to show 20 rows, while the count (and so the pages) stops at COUNT_CAP anyway. So
    the candidates are at most COUNT_CAP + 1 listings whose names match, found through the
    names' GIN index, and as many of the other matches; every filter applies before the
    cap, and when fewer match, every match is a candidate. With synonyms or spelling fixes,
    the listings with the words as typed come first ("comida" shows the Spanish listings,
    then the food ones); then the rank, then the name."""
    query = words_query(variants)
    by_name = services.filter(name_vector=query)
    others = services.filter(search_vector=query).exclude(name_vector=query)
    candidates = by_name.values("pk")[: COUNT_CAP + 1].union(
        others.values("pk")[: COUNT_CAP + 1], all=True
    )
    rank = SearchRank(F("search_vector"), query, cover_density=has_several_words(variants))
    ranked = Service.objects.filter(pk__in=candidates).annotate(rank=rank)
    if len(variants) == 1:
        return ranked.order_by("-rank", "name", "pk")
    as_typed = ExpressionWrapper(Q(search_vector=words_query(variants[:1])), BooleanField())
    return ranked.annotate(as_typed=as_typed).order_by("-as_typed", "-rank", "name", "pk")


def ranked_by_text(services: QuerySet, variants: list[str]) -> QuerySet:
    """SQLite: every word (or "quoted phrase") of a variant must appear in search_text,
    and -word must not; listings named with the first word come first."""
    match = Q(pk__in=[])
    for variant in variants:
        match |= _all_words(variant)
    first_word = next(iter(query_words(variants[0])), normalize(variants[0]))
    candidates = services.filter(match)
    return (
        Service.objects.filter(pk__in=candidates.values("pk"))
        .annotate(
            rank=Case(
                When(name__icontains=first_word, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-rank", "name", "pk")
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


@dataclass
class ResultPage:
    services: list[Service]
    number: int
    count: int  # capped at COUNT_CAP + 1
    page_size: int = PAGE_SIZE

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


def result_page(services: QuerySet, page: int) -> ResultPage:
    """Page ``page`` of these ordered services (the last page when past the end) with
    their capped count: one query, two more only when asked for a page past the end."""
    number = min(max(page, 1), -(-COUNT_CAP // PAGE_SIZE))  # no page lies past the cap
    cards = _cards(services, number)
    if not cards and number > 1:
        count = min(services.count(), COUNT_CAP)
        number = max(1, -(-count // PAGE_SIZE))
        cards = _cards(services, number) if count else []
    count = min(cards[0].total, COUNT_CAP + 1) if cards else 0
    return ResultPage(services=cards, number=number, count=count, page_size=PAGE_SIZE)


# A location as a result card names it: "town ZIP", the town alone, or nothing without a town.
PLACE = Case(
    When(city="", then=Value("")),
    When(postal_code="", then=F("city")),
    default=Concat("city", Value(" "), "postal_code"),
    output_field=CharField(),
)


def _cards(services: QuerySet, number: int) -> list[Service]:
    """What the result cards of page ``number`` show, and the number of all the services
    (``total``, counted before the page is cut): the town and ZIP of each one's first public
    (non-confidential) location. The search vectors stay in the database."""
    first_public = (
        Location.objects.public_addresses()
        .filter(service_at_locations__service=OuterRef("pk"))
        .order_by("pk")
        .annotate(place=PLACE)
        .values("place")[:1]
    )
    offset = (number - 1) * PAGE_SIZE
    page = (
        services.select_related("organization")
        .only("name", "slug", "description", "status", "organization__name")
        .annotate(total=Window(Count("pk")), place=Subquery(first_public))
    )
    return list(page[offset : offset + PAGE_SIZE])
