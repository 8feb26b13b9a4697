"""Where a U.S. ZIP code is: its time zone and its centre, from the ``zipcodes`` package (the
U.S. ZIP codes with their town, state, time zone and coordinates, shipped in the package: no
network). A listing's opening hours are read in its place's time zone, and "near me" measures
from a ZIP code's centre.

The package's data cannot change while the process runs, so each answer is kept."""

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import zipcodes

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class ZipPlace:
    code: str
    time_zone: str  # "" for the few the package gives none (military mail)
    latitude: Decimal
    longitude: Decimal


ZIP_CODE = re.compile(r"\d{5}")


@functools.lru_cache(maxsize=50_000)
def zip_place(postal_code: str) -> ZipPlace | None:
    """The place of a ZIP code ("78201" or "78201-1234"), or None when it is not one.

    One ZIP code is looked up at a time: the package's list of every ZIP code, with their
    area codes and alternative town names, takes about 150 MiB as Python objects, which an
    import or a web worker would then hold for good. The answers are small and cached (there
    are about 42,000 ZIP codes)."""
    code = (postal_code or "").strip()[:5]
    if not ZIP_CODE.fullmatch(code):
        return None
    found = zipcodes.matching(code)
    if not found or not found[0]["lat"] or not found[0]["long"]:
        return None
    row = found[0]
    return ZipPlace(code, row["timezone"], Decimal(row["lat"]), Decimal(row["long"]))


@functools.cache
def _state_time_zone(state: str) -> str:
    """A state's most common time zone (Texas: Central, though El Paso is Mountain)."""
    zones = Counter(row["timezone"] for row in zipcodes.filter_by_state(state) if row["timezone"])
    return zones.most_common(1)[0][0] if zones else ""


def time_zone_of(postal_code: str, state: str) -> str:
    """The time zone of an address: its ZIP code's, else its state's main one, else ""."""
    place = zip_place(postal_code)
    if place and place.time_zone:
        return place.time_zone
    state = (state or "").strip().upper()
    return _state_time_zone(state) if re.fullmatch(r"[A-Z]{2}", state) else ""


def place_of(
    postal_code: str, state: str, latitude, longitude
) -> tuple[str, float | None, float | None, bool]:
    """Where an address is: its time zone, the position distances are measured from (the
    coordinates given, else its ZIP code's centre, else none) and whether that position is
    approximate (the centre)."""
    time_zone = time_zone_of(postal_code, state)
    if latitude is not None and longitude is not None:
        return time_zone, float(latitude), float(longitude), False
    if place := zip_place(postal_code):
        return time_zone, float(place.latitude), float(place.longitude), True
    return time_zone, None, None, False


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), the twin of the SQL in directory.search."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))
