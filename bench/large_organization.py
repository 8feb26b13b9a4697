"""One organization with 5,000 services in the bench database, added after the import.

The synthetic package (make_synthetic_hsds.py) gives each organization about four services;
the issue's goal for organization pages is about one that runs thousands. This adds it through
the ORM, outside the package, so that the package and its import stay as they are. Safe to run
again: an organization that already has its 5,000 services is left alone, one with any other
number is deleted and made again.
"""

from __future__ import annotations

import datetime

SLUG = "bench-large-organization"
SERVICES = 5000
# Its services' weekly hours, as the synthetic package's most common ones: weekdays 9 to 5,
# with one in five open at the weekend instead.
WEEKDAYS, WEEKEND = ("MO,TU,WE,TH,FR", "09:00", "17:00"), ("SA,SU", "10:00", "14:00")


def add_large_organization() -> str:
    """Make sure the organization exists with its SERVICES public services; say what was done."""
    from django.db import connection, transaction

    from directory.models import (
        Category,
        Language,
        Location,
        OpenPeriod,
        Organization,
        OrganizationKind,
        Schedule,
        Service,
        ServiceAtLocation,
        ServiceCategory,
        ServiceLanguage,
    )
    from directory.search.index import refresh_search_vectors

    existing = Organization.objects.filter(slug=SLUG).first()
    if existing is not None and existing.services.public().count() == SERVICES:
        return f"{SLUG}: already there with {SERVICES:,} services"
    topics = list(Category.objects.filter(parent__isnull=False).order_by("pk"))
    english = Language.objects.filter(code="en").first()
    if not topics:
        raise SystemExit("the bench database has no categories: import the package first")
    with transaction.atomic():
        if existing is not None:
            existing.delete()  # its services, locations and hours go with it
        organization = Organization.objects.create(
            name="Bench Large Organization",
            slug=SLUG,
            description="A fictional organization that runs thousands of services.",
            kind=OrganizationKind.NONPROFIT,
        )
        # Two sites in Columbus, Ohio, at a corner of the synthetic directory's square and far
        # from the bench's ZIP searches (Xenia, 45385, and its neighbours), which so find what
        # they found before. save() works out their time zone and position, as an import does.
        locations = []
        for number, (latitude, longitude) in enumerate(((39.9612, -82.9988), (39.9650, -83.0050))):
            location = Location(
                organization=organization,
                name=f"Bench Large Organization site {number + 1}",
                address_1=f"{100 + number} Main St",
                city="Columbus",
                state_province="OH",
                postal_code="43215",
                latitude=latitude,
                longitude=longitude,
            )
            location.save()
            locations.append(location)
        services = Service.objects.bulk_create(
            Service(
                organization=organization,
                name=f"{topics[n % len(topics)].name} large {n}",
                slug=f"{SLUG}-{n}",
                description=(
                    f"{topics[n % len(topics)].name} offered by the large organization. "
                    "Walk in or call ahead."
                ),
                eligibility_description="Residents of the county",
                assured_date=datetime.date(2024, 1 + n % 12, 1 + n % 28),
            )
            for n in range(SERVICES)
        )
        at_locations = ServiceAtLocation.objects.bulk_create(
            ServiceAtLocation(service=service, location=locations[n % 2])
            for n, service in enumerate(services)
        )
        ServiceCategory.objects.bulk_create(
            ServiceCategory(service=service, category=topics[n % len(topics)])
            for n, service in enumerate(services)
        )
        if english is not None:
            ServiceLanguage.objects.bulk_create(
                ServiceLanguage(service=service, language=english) for service in services
            )
        Schedule.objects.bulk_create(
            Schedule(
                service=service,
                service_at_location=at_location,
                byday=byday,
                opens_at=datetime.time.fromisoformat(opens),
                closes_at=datetime.time.fromisoformat(closes),
            )
            for n, (service, at_location) in enumerate(zip(services, at_locations, strict=True))
            for byday, opens, closes in [WEEKEND if n % 5 == 4 else WEEKDAYS]
        )
        # Searchable like the imported services: search columns, time zone, position.
        refresh_search_vectors(service.pk for service in services)
    # Fresh statistics on the tables that grew, as after an import. The services' search
    # indexes also need a VACUUM: 5,000 refreshed rows wait in the GIN indexes' pending
    # list, which every word search then reads (92 ms for "food" instead of 18 ms).
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Service._meta.db_table}")
        for model in (ServiceAtLocation, ServiceCategory, ServiceLanguage, Schedule, OpenPeriod):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return f"{SLUG}: made with {SERVICES:,} services"
