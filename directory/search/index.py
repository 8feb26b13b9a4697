"""Keeping the search columns up to date: ``Service.search_vector`` (the service's names A,
categories B, descriptions C, its organization's names D, in the English and Spanish
configurations), ``Service.name_vector`` (the service's names with the category, language and
opening-hours facets) and the vocabulary (``SearchWord``) on Postgres; ``Service.search_text``
elsewhere; and, on both, the service names that the category links carry
(``ServiceCategory.service_name``, the order a category is browsed in).

A listing is found and ranked by what it is: "food" finds pantries before the after-school
programme of an organization called Food Network, whose name still finds its services when
a query names it (all its words match only there)."""

from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import F, OuterRef, Prefetch, Q, Subquery

from ..hours import daily_periods
from ..models import (
    Category,
    Language,
    Location,
    OpenPeriod,
    Organization,
    Phone,
    Schedule,
    SearchWord,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from .conditions import (
    CATEGORY_FACET,
    LANGUAGE_FACET,
    PART_HOUR_FACET,
    WHOLE_DAY_FACET,
    WHOLE_HOUR_FACET,
)
from .reference import forget_reference
from .words import CONFIGS, normalize

# A full refresh of at least this many services rebuilds the GIN indexes (see below).
BULK_REFRESH_ROWS = 20_000
# The GIN index of the search columns (migration 0025): one over both, so that the words on
# one and a facet on the other are intersected as the index is read.
SEARCH_INDEX = "directory_service_vectors_gin"
SEARCH_INDEX_COLUMNS = "search_vector, name_vector"


def refresh_search_vectors(service_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search columns of these services (all when None); return how many
    rows changed.

    Call it after anything that changes a service's names, categories or descriptions, or
    its organization's name: admin saves, demo loading and HSDS imports do."""
    ids = None if service_ids is None else sorted(set(service_ids))
    if ids is not None and not ids:
        return 0
    # The periods first: the hours of the week they touch are facets of the names' vector.
    refresh_open_periods(ids)
    changed = (
        _refresh_postgres(ids) if connection.vendor == "postgresql" else _refresh_portable(ids)
    )
    # An import or a save may bring new categories, languages or time zones.
    forget_reference()
    return changed


def refresh_open_periods(service_ids: Iterable[int] | None = None) -> int:
    """Rewrite the open periods (``OpenPeriod``) of these services' schedule rows, their
    own and those of their locations (all when None); return how many were written. The
    rows of a schedule that has moved from one of them to another service go too.
    (``refresh_search_vectors`` calls this first: the search columns are built from them.)"""
    schedules = Schedule.objects.all()
    periods = OpenPeriod.objects.all()
    if service_ids is not None:
        ids = list(service_ids)
        schedules = schedules.filter(Q(service__in=ids) | Q(service_at_location__service__in=ids))
        periods = periods.filter(Q(service__in=ids) | Q(schedule__in=schedules.values("pk")))
    return _replace_periods(periods, schedules)


def refresh_schedule_hours(sender, instance: Schedule, **_signal_arguments) -> None:
    """After a schedule row is saved: refresh the periods and search columns of the service
    it belongs to now (its own, or through a location) and of any it belonged to before."""
    services = set(
        OpenPeriod.objects.filter(schedule=instance).values_list("service_id", flat=True)
    )
    if instance.service_id is not None:
        services.add(instance.service_id)
    if instance.service_at_location_id is not None:
        services.add(instance.service_at_location.service_id)
    refresh_search_vectors(services)


PERIOD_CHUNK = 20_000


def _replace_periods(periods, schedules) -> int:
    """Delete ``periods`` and write those of ``schedules`` (the rows of services and of
    services at locations; a location's own hours belong to no service)."""
    hours = schedules.filter(
        Q(service__isnull=False) | Q(service_at_location__isnull=False), opens_at__isnull=False
    ).values_list(
        "pk",
        "service_id",
        "service_at_location__service_id",
        "byday",
        "opens_at",
        "closes_at",
        "valid_from",
        "valid_to",
    )
    written, last = 0, 0
    with transaction.atomic():
        periods.delete()
        # In chunks by primary key, each read whole before it is written (a connection
        # copying rows in can run no other query): all 200,000 schedules of a large import
        # at once took about 100 MiB.
        while chunk := list(hours.filter(pk__gt=last).order_by("pk")[:PERIOD_CHUNK]):
            written += _insert_periods(_period_rows(chunk))
            last = chunk[-1][0]
    return written


def _period_rows(hours: list[tuple]) -> Iterator[tuple]:
    for row in hours:
        pk, own, at_service, byday, opens_at, closes_at, *validity = row
        # Hours of the service itself, else of the service at a location.
        service = own if own is not None else at_service
        for weekday, opens, closes in daily_periods(byday, opens_at, closes_at):
            yield (pk, service, weekday, opens, closes, *validity)


PERIOD_COLUMNS = (
    "schedule_id",
    "service_id",
    "weekday",
    "opens",
    "closes",
    "valid_from",
    "valid_to",
)


def _insert_periods(rows: Iterable[tuple]) -> int:
    """Postgres copies the rows in (a directory of 200,000 services has about a million);
    other databases insert them in batches."""
    count = 0
    if connection.vendor == "postgresql":
        columns = ", ".join(PERIOD_COLUMNS)
        table = OpenPeriod._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch = []
    for row in rows:
        batch.append(OpenPeriod(**dict(zip(PERIOD_COLUMNS, row, strict=True))))
        count += 1
        if len(batch) == 2000:
            OpenPeriod.objects.bulk_create(batch)
            batch = []
    OpenPeriod.objects.bulk_create(batch)
    return count


def _search_tables() -> list[str]:
    """The tables the search and listing pages read. (Without fresh statistics on the
    hours, Postgres took "open now" for rare and read every listing: 1.6 s instead of
    26 ms at 200,000 services.)"""
    models = [Service, ServiceCategory, Service.languages.through, ServiceAtLocation]
    models += [Location, Organization, Category, Language, SearchWord, Schedule, Phone]
    models += [OpenPeriod]
    return [model._meta.db_table for model in models]


def _refresh_postgres(ids: list[int] | None) -> int:
    service = Service._meta.db_table
    organization = Organization._meta.db_table
    link = ServiceCategory._meta.db_table
    languages = Service.languages.through._meta.db_table
    category = Category._meta.db_table
    words = SearchWord._meta.db_table
    city = Organization._meta.get_field("city").related_model._meta.db_table
    location = Location._meta.db_table
    service_location = ServiceAtLocation._meta.db_table
    periods = OpenPeriod._meta.db_table

    def vector(column: str, weight: str, configs: tuple[str, ...] = CONFIGS) -> str:
        return " || ".join(
            f"setweight(to_tsvector('{config}', {column}), '{weight}')" for config in configs
        )

    where = "" if ids is None else "WHERE s.id = ANY(%(ids)s)"
    doc = f"""
        doc AS (
          SELECT s.id,
                 concat_ws(' ', coalesce(own.name, s.name), s.alternate_name) AS names,
                 concat_ws(' ', o.name, o.alternate_name) AS organization_names,
                 coalesce((
                   SELECT string_agg(concat_ws(' ', c.name, p.name), ' ')
                   FROM {link} sc
                   JOIN {category} c ON c.id = sc.category_id
                   LEFT JOIN {category} p ON p.id = c.parent_id
                   WHERE sc.service_id = s.id
                 ), '') AS categories,
                 concat_ws(' ', s.description, s.eligibility_description,
                           s.interpretation_services) AS descriptions,
                 ci.time_zone AS city_time_zone
          FROM {service} s JOIN {organization} o ON o.id = s.organization_id
          LEFT JOIN {city} ci ON ci.id = o.city_id
          LEFT JOIN LATERAL (
            SELECT left(named.name, named.cut - 1) AS name
            FROM (
              SELECT dashed.name, strpos(lower(dashed.name), ' at ') AS cut
              FROM (SELECT replace(replace(replace(s.name, ' — ', ' at '), ' – ', ' at '),
                                   ' - ', ' at ') AS name) AS dashed
            ) AS named
            WHERE named.cut > 1
              AND tsvector_to_array(to_tsvector('simple', substr(named.name, named.cut + 4)))
                  <@ tsvector_to_array(to_tsvector('simple', concat_ws(' ', o.name,
                                                                        o.alternate_name)))
          ) AS own ON true
          {where}
        )
    """  # noqa: S608 - identifiers come from model metadata; values are parameters
    # Each service's first location with a time zone, as one set (a subquery per service
    # read the locations whole for each one before statistics existed after a bulk load).
    zones = f"""
        zones AS (
          SELECT DISTINCT ON (sl.service_id) sl.service_id, l.time_zone
          FROM {service_location} sl JOIN {location} l ON l.id = sl.location_id
          WHERE l.time_zone <> '' {"" if ids is None else "AND sl.service_id = ANY(%(ids)s)"}
          ORDER BY sl.service_id, sl.id
        ),
        positions AS (
          SELECT DISTINCT ON (sl.service_id) sl.service_id,
                 l.position_latitude, l.position_longitude
          FROM {service_location} sl JOIN {location} l ON l.id = sl.location_id
          WHERE NOT l.is_confidential AND l.position_latitude IS NOT NULL
                {"" if ids is None else "AND sl.service_id = ANY(%(ids)s)"}
          ORDER BY sl.service_id, l.id
        )
    """  # noqa: S608
    # A service's name that ends with who runs it ("Adult Education Classes at Bend County
    # Workforce Office", "Comedor Comunitario — Adult Learning Center": after "at" or a dash,
    # only words of its organization's names, in full or shortened) is indexed as names
    # without that end (``own`` in ``doc``): those words are the organization's, weight D.
    # (Plain string functions, no regular expression: this costs about 1.7 s per 200,000
    # services in a full refresh, where a regular expression took 3-4 s.)
    # Kept as names, "workforce" ranked the Workforce Office's shelter and meals above every
    # job service, and "adult learning" the Adult Learning Center's rent help above classes.
    # Names and categories are indexed with English and Spanish stems; descriptions, the
    # bulk of the text, with English stems only (Spanish words still match as written,
    # accents aside), which keeps the stored vector and the ranking work small.
    # Rows whose vector would not change are not rewritten.
    # The hours facets (conditions.open_at): each hour of the week that an open period
    # touches, as "open" when the period holds all of it on every date and as "part"
    # otherwise; a weekday whose 24 hours are all "open" is one "day" facet instead.
    # (With the time zone in each facet as well, "open:America/Chicago:154", the
    # names' vectors grew threefold and were stored compressed: reading 13,000 of them for
    # "open now" took 57 ms. The zone is the service's time_zone column instead. A listing
    # open day and night had 168 hour facets, a vector of 2 KB stored compressed out of the
    # row: checking the hours of a category's 5,700 listings read them back, 10.5 ms of the
    # 14 at 200,000 services; with 7 day facets, 1.5-4 ms.)
    update = f"""
        WITH {doc}, {zones}, fresh AS (
          SELECT id, names_vector || {vector("categories", "B")}
                 || {vector("descriptions", "C", CONFIGS[:1])}
                 || {vector("organization_names", "D")} AS vector,
                 names_vector || named.facets || hours.facets AS names_vector,
                 zone AS time_zone,
                 positions.position_latitude, positions.position_longitude
          FROM (
            SELECT doc.*, {vector("names", "A")} AS names_vector,
                   coalesce(nullif(city_time_zone, ''), zones.time_zone, '') AS zone,
                   array_to_tsvector(ARRAY(
                     SELECT '{CATEGORY_FACET}:' || sc.category_id FROM {link} sc
                     WHERE sc.service_id = doc.id
                     UNION
                     SELECT '{LANGUAGE_FACET}:' || sl.language_id FROM {languages} sl
                     WHERE sl.service_id = doc.id
                   )) AS facets
            FROM doc LEFT JOIN zones ON zones.service_id = doc.id
          ) AS named
          LEFT JOIN positions ON positions.service_id = named.id
          CROSS JOIN LATERAL (
            SELECT array_to_tsvector(ARRAY(
              SELECT DISTINCT
                CASE WHEN NOT whole THEN '{PART_HOUR_FACET}:' || hour
                     WHEN whole_hours_of_day = 24 THEN '{WHOLE_DAY_FACET}:' || hour / 24
                     ELSE '{WHOLE_HOUR_FACET}:' || hour
                END
              FROM (
                SELECT hour, whole,
                       count(*) FILTER (WHERE whole) OVER (PARTITION BY hour / 24)
                         AS whole_hours_of_day
                FROM (
                  SELECT DISTINCT hour,
                         p.valid_from IS NULL AND p.valid_to IS NULL
                         AND p.opens <= mod(hour, 24) * 3600
                         AND p.closes >= (mod(hour, 24) + 1) * 3600 AS whole
                  FROM {periods} p,
                       generate_series(p.weekday * 24 + p.opens / 3600,
                                       p.weekday * 24 + (p.closes - 1) / 3600) AS hour
                  WHERE p.service_id = named.id
                ) AS touched
              ) AS counted
            )) AS facets
          ) AS hours
        )
        UPDATE {service} AS target
        SET search_vector = fresh.vector, name_vector = fresh.names_vector,
            time_zone = fresh.time_zone, position_latitude = fresh.position_latitude,
            position_longitude = fresh.position_longitude
        FROM fresh
        WHERE target.id = fresh.id
          AND (target.search_vector IS DISTINCT FROM fresh.vector
               OR target.name_vector IS DISTINCT FROM fresh.names_vector
               OR target.time_zone IS DISTINCT FROM fresh.time_zone
               OR target.position_latitude IS DISTINCT FROM fresh.position_latitude
               OR target.position_longitude IS DISTINCT FROM fresh.position_longitude)
    """  # noqa: S608
    vocabulary = f"""
        WITH {doc}
        INSERT INTO {words} (word)
        SELECT DISTINCT left(w, 100)
        FROM doc, regexp_split_to_table(
          lower(unaccent(concat_ws(' ', doc.names, doc.organization_names, doc.categories,
                                   doc.descriptions))),
          '[^[:alnum:]]+'
        ) AS w
        WHERE length(w) >= 3
        ON CONFLICT (word) DO NOTHING
    """  # noqa: S608
    # The service names that the category links carry (the order a category is browsed in,
    # see results.in_category_name_order): a new link's, a renamed service's.
    link_names = f"""
        UPDATE {link} AS link SET service_name = s.name
        FROM {service} AS s
        WHERE s.id = link.service_id AND link.service_name IS DISTINCT FROM s.name
          {"" if ids is None else "AND s.id = ANY(%(ids)s)"}
    """  # noqa: S608
    with connection.cursor() as cursor:
        bulk = False
        if ids is None:
            cursor.execute(f"SELECT count(*) FROM {service}")  # noqa: S608
            bulk = cursor.fetchone()[0] >= BULK_REFRESH_ROWS
        if bulk:
            # A full refresh of a large directory rewrites most rows: building the GIN
            # index again afterwards leaves it compact (row-by-row updates grow it and
            # queue entries in GIN's pending list, which every search reads until a
            # vacuum). DROP and CREATE are transactional: a failure keeps the old one.
            # (A rebuilt index may serve only later transactions, hence "large": a small
            # directory keeps its index.) Index changes are refused while foreign-key
            # checks of rows written earlier in the transaction (an import) are pending:
            # check them now, and defer them again afterwards.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        cursor.execute(update, {"ids": ids})
        count = cursor.rowcount
        cursor.execute(vocabulary, {"ids": ids})
        cursor.execute(link_names, {"ids": ids})
        if bulk:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} "
                f"ON {service} USING gin ({SEARCH_INDEX_COLUMNS})"
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
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    table = Service._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - model metadata
        if cursor.fetchone()[0] < BULK_REFRESH_ROWS:
            return False
        cursor.execute(f"VACUUM (FULL, ANALYZE) {table}")
    return True


def _refresh_portable(ids: list[int] | None) -> int:
    services = Service.objects.select_related("organization__city").prefetch_related(
        "categories__parent",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").order_by("pk"),
        ),
    )
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
        fresh = (normalize(" ".join(part for part in parts if part)), _time_zone_of(service))
        fresh += _position_of(service)
        if fresh != tuple(getattr(service, name) for name in PORTABLE_COLUMNS):
            for name, value in zip(PORTABLE_COLUMNS, fresh, strict=True):
                setattr(service, name, value)
            changed.append(service)
    Service.objects.bulk_update(changed, PORTABLE_COLUMNS, batch_size=500)
    # The service names that the category links carry (read only on Postgres, kept here too).
    links = ServiceCategory.objects.exclude(service_name=F("service__name"))
    if ids is not None:
        links = links.filter(service_id__in=ids)
    links.update(
        service_name=Subquery(Service.objects.filter(pk=OuterRef("service_id")).values("name")[:1])
    )
    return len(changed)


# What the portable refresh keeps, in the order _refresh_portable works them out.
PORTABLE_COLUMNS = ["search_text", "time_zone", "position_latitude", "position_longitude"]


def _position_of(service: Service) -> tuple[float | None, float | None]:
    """Its first public location's position (by location), or none."""
    located = sorted(
        (link.location for link in service.service_at_locations.all()),
        key=lambda location: location.pk,
    )
    for location in located:
        if not location.is_confidential and location.position_latitude is not None:
            return location.position_latitude, location.position_longitude
    return None, None


def _time_zone_of(service: Service) -> str:
    """Its partner city's time zone, else its first location's with one, else ""."""
    city = service.organization.city
    if city is not None and city.time_zone:
        return city.time_zone
    zones = (link.location.time_zone for link in service.service_at_locations.all())
    return next((zone for zone in zones if zone), "")
