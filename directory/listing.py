"""What a listing page shows, computed from rows already fetched (no queries here).

The rule that matters most lives here: a confidential location's address, position,
directions, transport and access notes are never passed to a public template or to the
JSON-LD, so no template can show them by mistake."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe

from .hours import WEEKDAY_CODES
from .models import Category, Language, Location, Phone, Schedule, Service

SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A plain link to a map search; nothing is loaded from the map site by the page itself.
DIRECTIONS_BASE = "https://www.openstreetmap.org/search"


@dataclass
class LocationView:
    name: str
    is_confidential: bool
    location_type: str = ""
    address_lines: list[str] = field(default_factory=list)
    directions_url: str = ""
    transportation: str = ""
    accessibility: str = ""
    description: str = ""

    @classmethod
    def of(cls, location: Location) -> "LocationView":
        if location.is_confidential:
            return cls(name="", is_confidential=True)
        lines = location.address_lines
        directions = ""
        if lines and location.location_type != "virtual":
            directions = f"{DIRECTIONS_BASE}?{urlencode({'query': ', '.join(lines)})}"
        return cls(
            name=location.name,
            is_confidential=False,
            location_type=location.get_location_type_display(),
            address_lines=lines,
            directions_url=directions,
            transportation=location.transportation,
            accessibility=location.accessibility,
            description=location.description,
        )


_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def safe_json(data: dict) -> SafeString:
    """JSON that can sit inside a <script> element: <, > and & escaped, as json_script does."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


def service_json_ld(
    service: Service,
    *,
    categories: list[Category],
    languages: list[Language],
    locations: list[Location],
    phones: list[Phone],
    schedules: list[Schedule],
    site_root: str,
) -> SafeString:
    """schema.org data for a listing. Confidential locations contribute nothing."""
    organization = service.organization
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": service.name,
        "url": site_root.rstrip("/") + service.get_absolute_url(),
        "provider": {
            "@type": "Organization",
            "name": organization.name,
            "url": site_root.rstrip("/") + organization.get_absolute_url(),
        },
    }
    if service.description:
        data["description"] = service.description
    if categories:
        data["category"] = [category.name for category in categories]
    if languages:
        data["availableLanguage"] = [language.name for language in languages]
    places = []
    for location in locations:
        if location.is_confidential or not location.has_address:
            continue
        place: dict = {
            "@type": "Place",
            "name": location.name or organization.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": " ".join(
                    part for part in (location.address_1, location.address_2) if part
                ),
                "addressLocality": location.city,
                "addressRegion": location.state_province,
                "postalCode": location.postal_code,
                "addressCountry": location.country,
            },
        }
        if location.latitude is not None and location.longitude is not None:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(location.latitude),
                "longitude": float(location.longitude),
            }
        places.append(place)
    channel: dict = {"@type": "ServiceChannel"}
    if places:
        channel["serviceLocation"] = places
    if phones:
        channel["servicePhone"] = [
            {"@type": "ContactPoint", "telephone": phone.number} for phone in phones
        ]
    if len(channel) > 1:
        data["availableChannel"] = channel
    hours = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [SCHEMA_DAYS[WEEKDAY_CODES.index(code)] for code in schedule.days],
            "opens": schedule.opens_at.strftime("%H:%M"),
            "closes": schedule.closes_at.strftime("%H:%M"),
        }
        for schedule in schedules
        if schedule.opens_at is not None and schedule.closes_at is not None
    ]
    if hours:
        data["hoursAvailable"] = hours
    return safe_json(data)
