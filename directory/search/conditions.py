"""Conditions of a search other than its words: facets (category, language, opening hours),
ZIP code and distance. Opening hours themselves are in ``directory/hours.py``
(``Service.objects.open_now`` is the check that every database can run)."""

import datetime
import math
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.db.models.lookups import LessThanOrEqual

from ..hours import hour_of_week, local_times, open_services
from ..models import Location, OpenPeriod, Service, ServiceCategory, ServiceStatus
from ..places import EARTH_RADIUS_MILES, ZipPlace

# The kinds of facet lexemes in Service.name_vector ("category:12"; see index.py). The hours
# facets are hours of the week in the service's own time zone (hours.hour_of_week): "open:154"
# says it is open all of Sunday 10:00-11:00 on any date, "part:154" that it is open for some
# of that hour, or only on some dates; "day:6" stands for the 24 "open" facets of a weekday
# open all day on any date (Sunday: weekdays as date.weekday(), Monday 0).
CATEGORY_FACET, LANGUAGE_FACET = "category", "language"
WHOLE_HOUR_FACET, PART_HOUR_FACET, WHOLE_DAY_FACET = "open", "part", "day"


class Matches(Func):
    """``tsvector @@ tsquery`` as a condition."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def facet(kind: str, values: Iterable[int]) -> Q:
    """Services whose names' vector holds one of these facet lexemes ("category:12" ...).

    During a text search on Postgres, a category or language filter is a facet of
    ``name_vector``, which the search columns' one GIN index answers together with the
    words (on either column); a join to the link table instead read every listing of a
    common language or category for a broad word (tens of milliseconds at 200,000
    services). The lexemes are cast, never parsed
    or stemmed, so no words a resident types can produce them."""
    return any_facet(f"{kind}:{int(value)}" for value in values)


def any_facet(lexemes: Iterable[str]) -> Q:
    """Services whose names' vector holds one of these facet lexemes (made by the code from
    a facet kind and a number, never from what a resident typed)."""
    text = " | ".join(f"'{lexeme}'" for lexeme in lexemes)
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


def open_at(at: datetime.datetime, time_zones: Iterable[str]) -> Q:
    """Postgres: services open at the instant ``at`` in their own time zone, through the
    hours facets that the search columns' GIN index answers with the words or a category.
    Those open all of this hour need no other check; those open for part of it (9:30-10:15 at
    10:20) or only on some dates have their periods checked (``hours.open_services``, a
    look-up by service and weekday).

    At 200,000 services, "food, open now" read the 17,000 listings that mention food one by
    one (192 ms of SQL): it now reads those open this hour (15-21 ms at any hour). "Open
    now" alone was estimated at a sixth of the listings open at 7:30 a.m. (2,188 of 13,134)
    while each was checked against its periods, so Postgres gathered and sorted them all
    (166 ms); from the facets' statistics it is estimated at 12,833, and Postgres reads
    listings in name order until a page is full (11 ms)."""
    zones_by_hour: dict[int, list[str]] = {}
    for zone, local in local_times(at, time_zones).items():
        zones_by_hour.setdefault(hour_of_week(local), []).append(zone)
    whole_hour = part_hour = Q(pk__in=[])
    for hour, zones in zones_by_hour.items():
        whole = any_facet([f"{WHOLE_HOUR_FACET}:{hour}", f"{WHOLE_DAY_FACET}:{hour // 24}"])
        whole_hour |= Q(time_zone__in=zones) & whole
        part_hour |= Q(time_zone__in=zones) & facet(PART_HOUR_FACET, [hour])
    # One check of the periods for every zone (it reads each service's own): a copy per
    # zone made the statement three times as long to build and plan.
    checked = open_services(OpenPeriod.objects.all(), at, time_zones)
    return (whole_hour | (part_hour & checked)) & ~Q(status=ServiceStatus.TEMPORARILY_CLOSED)


def in_postal_code(postal_code: str) -> Q:
    """Services at a public location with this ZIP code. Confidential locations never
    match, so a ZIP search cannot reveal where a hidden shelter is."""
    locations = Location.objects.public_addresses().filter(
        service_at_locations__service=OuterRef("pk"), postal_code__startswith=postal_code
    )
    return Q(Exists(locations))


# Miles in a degree of latitude (and of longitude at the equator).
MILES_PER_DEGREE = 69.17


def miles_from(origin: ZipPlace) -> ExpressionWrapper:
    """A service's great-circle distance in miles from ``origin`` to its position (its first
    public location's; see Service.position_latitude): haversine, the twin of
    places.miles_between."""
    latitude, longitude = float(origin.latitude), float(origin.longitude)
    half_dlat = Radians(F("position_latitude") - latitude) / 2
    half_dlon = Radians(F("position_longitude") - longitude) / 2
    a = Power(Sin(half_dlat), 2) + math.cos(math.radians(latitude)) * Cos(
        Radians("position_latitude")
    ) * Power(Sin(half_dlon), 2)
    return ExpressionWrapper(2 * EARTH_RADIUS_MILES * ASin(Sqrt(a)), FloatField())


def near(origin: ZipPlace, miles: float) -> Q:
    """Services within ``miles`` of ``origin``: inside a box around it first (on Postgres
    the earthdistance module's earth_box, which the GiST index of migration 0015 answers;
    elsewhere a box of latitude and longitude), then by their great-circle distance. Only
    public locations give a service a position, so a distance never tells where a
    confidential one is."""
    exact = LessThanOrEqual(miles_from(origin), miles)
    if connection.vendor == "postgresql":
        box = Func(_earth_of(origin), Value(miles * METRES_PER_MILE), function="earth_box")
        return Q(Holds(box, SERVICE_ON_EARTH), exact)
    latitude, longitude = float(origin.latitude), float(origin.longitude)
    lat_span = miles / MILES_PER_DEGREE
    lon_span = miles / (MILES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return Q(
        exact,
        position_latitude__range=(latitude - lat_span, latitude + lat_span),
        position_longitude__range=(longitude - lon_span, longitude + lon_span),
    )


METRES_PER_MILE = 1609.344
# A service's position as a point of the earth (the cube extension's 3-D point), the
# expression the GiST index of migration 0015 is built on.
SERVICE_ON_EARTH = Func(F("position_latitude"), F("position_longitude"), function="ll_to_earth")


def _earth_of(origin: ZipPlace) -> Func:
    return Func(
        Value(float(origin.latitude)), Value(float(origin.longitude)), function="ll_to_earth"
    )


class Holds(Func):
    """``box @> point``, a condition the GiST index answers."""

    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class NearestFirst(Func):
    """``position <-> origin``: the distance Postgres orders by through the GiST index on
    services' positions, reading the nearest first inside the box and stopping once a page's
    candidates are found, instead of measuring every service in the radius (the 10 miles
    around a ZIP code in the bench's square of Ohio hold 11,700 of its 200,000 services:
    600 ms when each was measured, 10 ms this way). The straight line through the earth
    orders as the great-circle distance does."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()

    def __init__(self, origin: ZipPlace) -> None:
        super().__init__(SERVICE_ON_EARTH, _earth_of(origin))
