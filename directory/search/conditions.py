"""Conditions of a search other than its words: facets (category, language) and ZIP code.
Opening hours are in ``directory/hours.py`` (``Service.objects.open_now``)."""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchQueryField
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Cast

from ..models import Location, Service, ServiceCategory

# The kinds of facet lexemes in Service.name_vector ("category:12"; see index.py).
CATEGORY_FACET, LANGUAGE_FACET = "category", "language"


class Matches(Func):
    """``tsvector @@ tsquery`` as a condition."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def facet(kind: str, ids: Iterable[int]) -> Q:
    """Services whose names' vector holds one of these facet lexemes ("category:12" ...).

    During a text search on Postgres, a category or language filter is a facet of
    ``name_vector``, which its GIN index answers together with the words; a join to the
    link table instead read every listing of a common language or category for a broad
    word (tens of milliseconds at 200,000 services). The lexemes are cast, never parsed
    or stemmed, so no words a resident types can produce them."""
    text = " | ".join(f"'{kind}:{int(pk)}'" for pk in ids)
    if not text:
        return Q(pk__in=[])
    return Q(Matches(F("name_vector"), Cast(Value(text), SearchQueryField())))


def in_categories(category_ids: list[int], *, as_facet: bool) -> Q:
    if as_facet:
        return facet(CATEGORY_FACET, category_ids)
    links = ServiceCategory.objects.filter(service=OuterRef("pk"), category_id__in=category_ids)
    return Q(Exists(links))


def in_language(language_id: int, *, as_facet: bool) -> Q:
    if as_facet:
        return facet(LANGUAGE_FACET, [language_id])
    # By id, not by a join on the code: the planner then knows from the statistics how
    # many listings are in this language and picks the cheaper side to start from.
    links = Service.languages.through.objects.filter(
        service=OuterRef("pk"), language_id=language_id
    )
    return Q(Exists(links))


def in_postal_code(postal_code: str) -> Q:
    """Services at a public location with this ZIP code. Confidential locations never
    match, so a ZIP search cannot reveal where a hidden shelter is."""
    locations = Location.objects.public_addresses().filter(
        service_at_locations__service=OuterRef("pk"), postal_code__startswith=postal_code
    )
    return Q(Exists(locations))
