"""What a resident asked for, and the services that answer it."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from .. import places
from ..models import Service
from .conditions import (
    NearestFirst,
    in_categories,
    in_language,
    in_postal_code,
    miles_from,
    near,
    open_at,
)
from .reference import Reference
from .results import (
    NamesFirst,
    Order,
    in_category_name_order,
    in_name_order,
    ranked_by_text,
    ranked_by_words,
)
from .words import Words, understand


@dataclass(frozen=True)
class Criteria:
    """A search, from valid values only (directory.forms.SearchForm.criteria() drops the
    rest): the words as typed, a category slug (its sub-categories included), a kind of
    organization, a language code, a city slug, a ZIP code, an instant at which the
    services must be open, and the result page."""

    words: str = ""
    category: str = ""
    kind: str = ""
    language: str = ""
    city: str = ""
    zip: str = ""
    open_at: datetime.datetime | None = None
    page: int = 1
    # With a ZIP code the directory knows: how far from its centre, and the order.
    radius: int = 10
    nearest_first: bool = True

    @property
    def is_empty(self) -> bool:
        """Whether nothing but a page was asked for (the page then offers browsing)."""
        return not any(
            (self.words, self.category, self.kind, self.language, self.city, self.zip)
        ) and (self.open_at is None)


def understood_words(criteria: Criteria, reference: Reference) -> Words:
    """The words of the search, understood (one query on Postgres, none without words)."""
    return understand(criteria.words, reference.synonyms) if criteria.words else Words([])


def services_matching(
    criteria: Criteria, reference: Reference, words: Words | None = None
) -> QuerySet | NamesFirst:
    """The candidates of the search for ``criteria`` (the public services that answer it,
    for ``result_page()`` to order and count); ``words`` are
    ``understood_words(criteria, reference)`` when the caller has them already."""
    words = words or understood_words(criteria, reference)
    variants = words.variants
    on_postgres = connection.vendor == "postgresql"
    full_text = bool(variants) and on_postgres
    category_ids = reference.category_ids_under(criteria.category) if criteria.category else []
    # A category without sub-categories, alone or with "open now", is read from its links
    # in name order on Postgres (results.in_category_name_order). With any other filter it
    # is a filter like the others: the planner's estimate of a radius or a kind of
    # organization led it to read them first there (a category within 25 miles: 510 ms
    # instead of 33).
    other_filters = (variants, criteria.kind, criteria.language, criteria.city, criteria.zip)
    by_category_links = on_postgres and len(category_ids) == 1 and not any(other_filters)
    services = Service.objects.public()
    # Facets first: Postgres tests conditions of the same estimated cost in the order they
    # are written, and a facet turns most rows away far sooner than the words do (a broad
    # word in one language read its thousand matches in 3.4 ms instead of 5.9 ms).
    if category_ids and not by_category_links:
        # On Postgres through the names' facets (the GIN index): walking the names in
        # order and probing each one's categories read 22,000 listings for a category
        # with one in twelve of them (167 ms at 200,000, 35 now).
        services = services.filter(in_categories(category_ids, as_facet=on_postgres))
    if criteria.language:
        language_id = reference.language_ids[criteria.language]
        services = services.filter(in_language(language_id, as_facet=full_text))
    if criteria.kind:
        services = services.filter(organization__kind=criteria.kind)
    if criteria.city:
        services = services.filter(organization__city__slug=criteria.city)
    # A ZIP code the package knows is a place: services within the radius of its centre,
    # with their distance; any other (a part of one) is matched as the start of a ZIP code.
    origin = places.zip_place(criteria.zip) if criteria.zip else None
    order = Order()
    if origin is not None:
        services = services.filter(near(origin, criteria.radius))
        order = Order(
            miles_from(origin),
            nearest_first=criteria.nearest_first,
            nearest=NearestFirst(origin) if connection.vendor == "postgresql" else None,
        )
    elif criteria.zip:
        services = services.filter(in_postal_code(criteria.zip[:5]))
    if criteria.open_at is not None:
        if on_postgres:
            services = services.filter(open_at(criteria.open_at, reference.time_zones()))
        else:
            services = services.open_now(criteria.open_at, reference.time_zones())
    if by_category_links:
        return in_category_name_order(services, category_ids[0])
    if not variants:
        return in_name_order(services, order)
    if full_text:
        return ranked_by_words(services, words, order)
    return ranked_by_text(services, words, order)
