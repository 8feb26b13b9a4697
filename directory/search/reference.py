"""Reference data of the search page: the filters' choices and the synonyms, and the browse
counts. Both are kept in the shared cache: they change only when an admin or an import
changes them, and every search page needs them."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import ngettext

from compacts.models import City

from ..models import (
    PUBLIC_STATUSES,
    Category,
    Language,
    Organization,
    OrganizationKind,
    Service,
    ServiceCategory,
    Synonym,
    service_time_zones,
)
from .words import normalize

# Bump when the fields below change, so that a release never reads what the last one
# pickled into the cache (Redis and the database cache outlive deploys).
REFERENCE_CACHE_KEY = "directory:reference:2"
# A save in the admin or an import forgets it at once (apps.py); the timeout is a backstop.
REFERENCE_CACHE_SECONDS = 60
BROWSE_CACHE_KEY = "directory:browse-counts"
TOTALS_CACHE_KEY = "directory:totals"
BROWSE_CACHE_SECONDS = 300


@dataclass(frozen=True)
class CategoryRef:
    pk: int
    slug: str
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class CityRef:
    slug: str
    name: str


@dataclass
class Reference:
    categories: list[CategoryRef] = field(default_factory=list)
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    language_ids: dict[str, int] = field(default_factory=dict)  # code -> pk
    cities: list[CityRef] = field(default_factory=list)
    synonyms: list[tuple[str, str]] = field(default_factory=list)  # normalized term, expansion
    listing_time_zones: set[str] = field(default_factory=set)  # Service.time_zone values

    def category_ids_under(self, slug: str) -> list[int]:
        """The category with this slug and every category below it."""
        found = [category.pk for category in self.categories if category.slug == slug]
        for pk in found:  # grows while it is read: children, then theirs
            found += [c.pk for c in self.categories if c.parent_id == pk and c.pk not in found]
        return found

    def time_zones(self) -> set[str]:
        """The time zones listings are read in."""
        return (self.listing_time_zones - {""}) | {settings.DIRECTORY_TIME_ZONE}


def load_reference() -> Reference:
    """Categories, languages, the cities that have listings, the synonyms and the time zones
    of listings: from the cache, else from the database (five small queries)."""
    reference = cache.get(REFERENCE_CACHE_KEY)
    if reference is None:
        reference = _query_reference()
        cache.set(REFERENCE_CACHE_KEY, reference, REFERENCE_CACHE_SECONDS)
    return reference


def forget_reference(**_signal_arguments) -> None:
    """Drop the cached reference data (a signal receiver too: it takes any arguments)."""
    cache.delete(REFERENCE_CACHE_KEY)


def _query_reference() -> Reference:
    languages = Language.objects.order_by(Lower("name")).values_list("pk", "code", "name")
    cities = City.objects.filter(Exists(Organization.objects.filter(city=OuterRef("pk"))))
    return Reference(
        categories=[
            CategoryRef(*row)
            for row in Category.objects.order_by(Lower("name")).values_list(
                "pk", "slug", "name", "parent_id"
            )
        ],
        languages=[(code, name) for _pk, code, name in languages],
        language_ids={code: pk for pk, code, _name in languages},
        cities=[
            CityRef(slug, f"{name}, {state}")
            for slug, name, state in cities.order_by(Lower("name")).values_list(
                "slug", "name", "state"
            )
        ],
        synonyms=[
            (normalize(term), expansion)
            for term, expansion in Synonym.objects.order_by("pk").values_list("term", "expands_to")
        ],
        listing_time_zones=service_time_zones(),
    )


@dataclass(frozen=True)
class BrowseLink:
    """A link of the browse page: the search for one category or kind, and its listings."""

    parameter: str  # "category" or "kind"
    value: str
    label: str
    count: int

    @property
    def count_label(self) -> str:
        return ngettext("%(counter)s listing", "%(counter)s listings", self.count) % {
            "counter": self.count
        }


@dataclass(frozen=True)
class Browse:
    categories: list[BrowseLink]
    kinds: list[BrowseLink]


def browse(reference: Reference) -> Browse:
    """Public services per category and per kind of organization, kept in the cache for
    BROWSE_CACHE_SECONDS: counting a large directory takes a while, and a count a few
    minutes old is fine for browsing."""
    counts = cache.get(BROWSE_CACHE_KEY)
    if counts is None:
        counts = _count_public_services(reference)
        cache.set(BROWSE_CACHE_KEY, counts, BROWSE_CACHE_SECONDS)
    per_category, per_kind = counts
    return Browse(
        categories=[
            BrowseLink("category", category.slug, category.name, per_category[category.pk])
            for category in reference.categories
            if per_category.get(category.pk)
        ],
        kinds=[
            BrowseLink("kind", kind.value, kind.label, per_kind[kind.value])
            for kind in OrganizationKind
            if per_kind.get(kind.value)
        ],
    )


def _count_public_services(reference: Reference) -> tuple[dict[int, int], dict[str, int]]:
    """Public services per kind, and per category with the categories below it (what the
    category's link then finds): one query, and one more when some categories have others
    below them."""
    links = ServiceCategory.objects.filter(service__status__in=PUBLIC_STATUSES)
    per_category = dict(
        links.values_list("category_id").annotate(n=Count("service_id", distinct=True))
    )
    below = {c.pk: reference.category_ids_under(c.slug) for c in reference.categories}
    with_subcategories = {pk: ids for pk, ids in below.items() if len(ids) > 1}
    if with_subcategories:
        counts = links.aggregate(
            **{
                f"category_{pk}": Count("service_id", distinct=True, filter=Q(category_id__in=ids))
                for pk, ids in with_subcategories.items()
            }
        )
        per_category |= {pk: counts[f"category_{pk}"] for pk in with_subcategories}
    per_kind = Service.objects.public().values_list("organization__kind").annotate(n=Count("pk"))
    return per_category, dict(per_kind)


def directory_totals() -> dict[str, int]:
    """Public listings and the organizations that offer them, for the home page: kept in the
    cache for BROWSE_CACHE_SECONDS as the browse counts are (counting them took the home page
    about 90 ms at 200,000 services; a count a few minutes old reads the same there)."""
    totals = cache.get(TOTALS_CACHE_KEY)
    if totals is None:
        totals = Service.objects.public().aggregate(
            listings=Count("pk"), organizations=Count("organization", distinct=True)
        )
        cache.set(TOTALS_CACHE_KEY, totals, BROWSE_CACHE_SECONDS)
    return totals
