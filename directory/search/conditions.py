"""Conditions of a search other than its words: facets (category, language), ZIP code and
distance. Opening hours are in ``directory/hours.py`` (``Service.objects.open_now``)."""

import math
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQueryField
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt

from ..models import Location, Service, ServiceCategory
from ..places import EARTH_RADIUS_MILES, ZipPlace

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


# Miles in a degree of latitude (and of longitude at the equator).
MILES_PER_DEGREE = 69.17


def _within(origin: ZipPlace, miles: float):
    """Public locations within ``miles`` of ``origin``, each with its distance ("miles").

    A box of latitude and longitude around the origin comes first, answered by the
    (position_latitude, position_longitude) index; the great-circle distance (haversine, the
    twin of places.miles_between) is worked out only for the locations in the box.
    Confidential locations never count: a distance would tell where a hidden shelter is."""
    latitude, longitude = float(origin.latitude), float(origin.longitude)
    lat_span = miles / MILES_PER_DEGREE
    lon_span = miles / (MILES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    half_dlat = Radians(F("position_latitude") - latitude) / 2
    half_dlon = Radians(F("position_longitude") - longitude) / 2
    a = Power(Sin(half_dlat), 2) + math.cos(math.radians(latitude)) * Cos(
        Radians("position_latitude")
    ) * Power(Sin(half_dlon), 2)
    return (
        Location.objects.public_addresses()
        .filter(
            position_latitude__range=(latitude - lat_span, latitude + lat_span),
            position_longitude__range=(longitude - lon_span, longitude + lon_span),
        )
        .annotate(miles=ExpressionWrapper(2 * EARTH_RADIUS_MILES * ASin(Sqrt(a)), FloatField()))
        .filter(miles__lte=miles)
    )


def near(origin: ZipPlace, miles: float) -> Q:
    """Services with a public location within ``miles`` of ``origin``."""
    return Q(Exists(_within(origin, miles).filter(service_at_locations__service=OuterRef("pk"))))


def nearest_miles(origin: ZipPlace, miles: float) -> Subquery:
    """The distance from ``origin`` to a service's nearest public location within ``miles``."""
    nearest = (
        _within(origin, miles)
        .filter(service_at_locations__service=OuterRef("pk"))
        .order_by("miles")
        .values("miles")[:1]
    )
    return Subquery(nearest, output_field=FloatField())
