"""The endpoints of the HSDS 3.0 API (Open Referral's API reference), read-only and public.

Every answer is JSON (or ndjson): a bad parameter is a 400 and an unknown id a 404, each with
the reason, and any origin may read them (CORS), since this is public data for other
directories to reuse. Only public services appear, with the organizations that offer them;
confidential addresses never (objects.py). Requests are counted per IP address against the
``directory.api`` rate limit.
"""

import functools
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from compassion_portal.ratelimit import client_ip, hit
from directory.forms import zip_out_of
from directory.hsds.exporter import published_pk, taxonomy_row
from directory.models import Category, Organization, Service, ServiceAtLocation, ServiceCategory
from directory.places import ZipPlace, miles_between, zip_place
from directory.search import (
    COUNT_CAP,
    Criteria,
    NamesFirst,
    load_reference,
    result_page,
    services_matching,
)
from directory.search.conditions import MILES_PER_DEGREE

from . import objects, parameters, schemas
from .parameters import BadParameter, Paging, Shape

RATE_LIMIT_SCOPE = "directory.api"
# Public data that changes when an admin edits a listing: shared caches may keep it a while.
MAX_AGE_SECONDS = 300
NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"
COMPACT = (",", ":")  # JSON separators without spaces, for ndjson lines
# How many objects an ndjson stream builds at a time: its memory, whatever the total. Larger
# chunks cost fewer round trips (20,000 services in full: 100 a chunk 14.3 s, 500 11.9 s).
STREAM_CHUNK = {Shape.MINIMAL: 5000, Shape.FLAT: 1000, Shape.FULL: 500}
READ_METHODS = ("GET", "HEAD")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def _problem(status: int, detail: str, **more: str) -> JsonResponse:
    body = {"status": status, "error": HTTPStatus(status).phrase, "detail": detail, **more}
    return JsonResponse(body, status=status)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public, read-only endpoint: GET and HEAD (OPTIONS answers a browser's preflight),
    counted against the rate limit per IP address, answered in JSON whatever goes wrong
    with the request, readable from any origin, cacheable by shared caches when it worked.

    Nothing an endpoint does changes anything, so no request needs a CSRF token: a POST is
    told 405, not refused for its missing token."""

    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=HTTPStatus.NO_CONTENT)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "*"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in READ_METHODS:
            response = _problem(405, "This API is read-only: use GET.")
            response["Allow"] = ALLOWED_METHODS
        elif hit(RATE_LIMIT_SCOPE, f"ip:{client_ip(request)}"):
            limit, period = settings.PORTAL_RATE_LIMITS[RATE_LIMIT_SCOPE]
            response = _problem(
                429, f"At most {limit} requests in {period} seconds from one address."
            )
            response["Retry-After"] = str(period - int(time.time()) % period)
        else:
            try:
                response = view(request, *args, **kwargs)
            except BadParameter as error:
                response = _problem(400, error.detail, parameter=error.name)
            except Http404 as error:
                response = _problem(404, str(error))
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "Retry-After"
        if response.status_code == HTTPStatus.OK:
            patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
        else:
            patch_cache_control(response, no_store=True)
        return response

    return csrf_exempt(answer)


def _site_url(view: str, **kwargs: str) -> str:
    """The absolute address of an API page, on SITE_URL (never the request's Host)."""
    return f"{settings.SITE_URL}{reverse(f'hsds_api:{view}', kwargs=kwargs)}"


# --- What the API is -----------------------------------------------------------------------


@api_view
def root(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "version": schemas.HSDS_VERSION,
            "profile": _site_url("profile"),
            "openapi_url": _site_url("openapi"),
        }
    )


@api_view
def openapi(request: HttpRequest) -> HttpResponse:
    """HSDS's OpenAPI file with the profile's changes, served from this site."""
    document = schemas.profile_schema(schemas.OPENAPI)
    return JsonResponse({**document, "servers": [{"url": _site_url("root").rstrip("/")}]})


@api_view
def profile(request: HttpRequest) -> HttpResponse:
    """The profile's canonical page: what it changes, and where its files are."""
    return JsonResponse(
        {
            "name": "Compassion Portal HSDS profile",
            "version": schemas.PROFILE_VERSION,
            "hsds_version": schemas.HSDS_VERSION,
            "description": (
                "HSDS 3.0 with one addition: each organization's kind (government, faith, "
                "nonprofit, service, education, unknown), as the property `kind`. The "
                "changes are JSON Merge Patch files (RFC 7386) named after the HSDS schema "
                "they change; `schemas` are the HSDS schemas with them merged in."
            ),
            "changes": {
                f"{name}.json": _site_url("profile_file", name=name)
                for name in schemas.PROFILE_FILES
            },
            "schemas": {
                f"{name}.json": _site_url("schema_file", name=name)
                for name in (*schemas.OBJECT_SCHEMAS, schemas.OPENAPI)
            },
        }
    )


@api_view
def profile_file(request: HttpRequest, name: str) -> HttpResponse:
    if name not in schemas.PROFILE_FILES:
        raise Http404("The profile changes no schema of that name.")
    return JsonResponse(schemas.profile_patch(name))


@api_view
def schema_file(request: HttpRequest, name: str) -> HttpResponse:
    if name not in (*schemas.OBJECT_SCHEMAS, schemas.OPENAPI):
        raise Http404("HSDS 3.0 has no schema of that name.")
    return JsonResponse(schemas.profile_schema(name))


@api_view
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    raise Http404("No endpoint of this API has that address; the list is at the openapi_url.")


# --- Lists: the page envelope and ndjson --------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What a list gives, in order: a QuerySet (counted and sliced by the database), or
    keys already in order (a search's or a distance's, at most a few thousand)."""

    queryset: QuerySet | None = None
    keys: Sequence | None = None

    def page(self, paging: Paging) -> tuple[int, list]:
        """How many there are in all, and the keys of the page."""
        end = paging.offset + paging.per_page
        if self.keys is not None:
            return len(self.keys), list(self.keys[paging.offset : end])
        total = self.queryset.count()
        if paging.offset >= total:
            return total, []
        return total, list(self.queryset.values_list("pk", flat=True)[paging.offset : end])

    def chunks(self, size: int) -> Iterator[list]:
        """Every key, ``size`` at a time; a QuerySet's in primary key order, each chunk read
        after the last one's key (never an offset that reads everything before it)."""
        if self.keys is not None:
            for start in range(0, len(self.keys), size):
                yield list(self.keys[start : start + size])
            return
        last = 0
        rows = self.queryset.order_by("pk").values_list("pk", flat=True)
        while chunk := list(rows.filter(pk__gt=last)[:size]):
            yield chunk
            last = chunk[-1]


def _listing(
    request: HttpRequest, selection: Selection, build: Callable[[list], list[dict]], shape: Shape
) -> HttpResponse:
    """A page of the selection in the HSDS envelope, or all of it as ndjson."""
    if parameters.streams(request.GET):
        return _stream(selection.chunks(STREAM_CHUNK[shape]), build)
    paging = parameters.paging(request.GET)
    total, keys = selection.page(paging)
    return _envelope(paging, total, build(keys))


def _envelope(paging: Paging, total: int, contents: list[dict]) -> JsonResponse:
    total_pages = math.ceil(total / paging.per_page)
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": paging.number,
            "size": len(contents),
            "first_page": paging.number == 1,
            "last_page": paging.number >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def _stream(chunks: Iterator[list], build: Callable[[list], list[dict]]) -> HttpResponse:
    """One JSON object a line, built a chunk at a time as the client reads (and written a
    chunk at a time: a write per line would cost the server a system call per object)."""

    def lines() -> Iterator[bytes]:
        for keys in chunks:
            text = "".join(
                f"{json.dumps(item, ensure_ascii=False, separators=COMPACT)}\n"
                for item in build(keys)
            )
            yield text.encode()

    return StreamingHttpResponse(lines(), content_type=NDJSON_CONTENT_TYPE)


# --- Finding rows by HSDS id ---------------------------------------------------------------


def _with_id(model: type[Model], hsds_id: str) -> Q:
    """The rows of ``model`` with this HSDS id: stored, or made up from their primary key
    (exporter.published_id) while none is stored."""
    if len(hsds_id) > model._meta.get_field("hsds_id").max_length or not hsds_id.isprintable():
        return Q(pk__in=[])
    condition = Q(hsds_id=hsds_id)
    if (pk := published_pk(model, hsds_id)) is not None:
        condition |= Q(pk=pk, hsds_id=None)
    return condition


def _pks_with_id(queryset: QuerySet, hsds_id: str) -> list[int]:
    return list(queryset.filter(_with_id(queryset.model, hsds_id)).values_list("pk", flat=True))


def _one_with_id(queryset: QuerySet, hsds_id: str, missing: str) -> int:
    """The primary key of the row with this id (one with it stored first), else a 404."""
    rows = list(queryset.filter(_with_id(queryset.model, hsds_id)).values_list("pk", "hsds_id"))
    if not rows:
        raise Http404(missing)
    return min(rows, key=lambda row: row[1] != hsds_id)[0]


def _taxonomy_names() -> list[str]:
    """The taxonomies of the terms, in the export's order."""
    return sorted(set(Category.objects.values_list("taxonomy", flat=True)))


def _taxonomy_named_by(hsds_id: str) -> str | None:
    return next((name for name in _taxonomy_names() if taxonomy_row(name)[0] == hsds_id), None)


# --- Services ------------------------------------------------------------------------------


def _search(words: str) -> QuerySet | NamesFirst:
    """The candidates of the directory's search for ``words``: the Criteria, matching and
    order of the search page (SearchForm.criteria with only ``q``), a ZIP code typed among
    the words included."""
    words, zip_code = zip_out_of(words)
    return services_matching(Criteria(words=words, zip=zip_code), load_reference())


def _searched(words: str) -> list[int]:
    """The services the search finds for ``words``, best first: at most COUNT_CAP, as on
    the search page."""
    return [card.pk for card in result_page(_search(words), 1, page_size=COUNT_CAP).services]


def _service_conditions(request: HttpRequest, service: str = "pk") -> list[Q]:
    """The service filters (taxonomy_term_id, taxonomy_id, organization_id,
    modified_after), on services or on rows whose ``service`` leads to one. Cumulative,
    as the API reference says; an id that names nothing matches nothing."""
    query, conditions = request.GET, []
    prefix = "" if service == "pk" else f"{service}__"
    if (term_id := parameters.identifier(query, "taxonomy_term_id")) is not None:
        terms = _pks_with_id(Category.objects.all(), term_id)
        filed = ServiceCategory.objects.filter(service=OuterRef(service), category__in=terms)
        conditions.append(Q(Exists(filed)) if terms else Q(pk__in=[]))
    if (taxonomy_id := parameters.identifier(query, "taxonomy_id")) is not None:
        name = _taxonomy_named_by(taxonomy_id)
        filed = ServiceCategory.objects.filter(service=OuterRef(service), category__taxonomy=name)
        conditions.append(Q(Exists(filed)) if name is not None else Q(pk__in=[]))
    if (organization_id := parameters.identifier(query, "organization_id")) is not None:
        providers = _pks_with_id(Organization.objects.all(), organization_id)
        conditions.append(Q(**{f"{prefix}organization__in": providers}))
    if (instant := parameters.modified_after(request.GET)) is not None:
        changed = Q(**{f"{prefix}last_modified__gte": instant})
        if service != "pk":  # a service at a location changes with either
            changed |= Q(location__modified_at__gte=instant)
        conditions.append(changed)
    return conditions


@api_view
def services(request: HttpRequest) -> HttpResponse:
    """Public services: by name, or best match first with ``search``."""
    shape = parameters.shape(request.GET, minimal_allowed=True)
    words = parameters.search_words(request.GET)
    conditions = _service_conditions(request)
    public = Service.objects.public()

    def build(pks: list[int]) -> list[dict]:
        return objects.services(pks, shape)

    if not words:
        selection = Selection(queryset=public.filter(*conditions).order_by("name", "pk"))
        return _listing(request, selection, build, shape)
    if not conditions and not parameters.streams(request.GET):
        # The search page's own page of results, in one query, as the page reads it.
        paging = parameters.paging(request.GET)
        found = result_page(_search(words), paging.number, paging.per_page)
        pks = [card.pk for card in found.services] if found.number == paging.number else []
        return _envelope(paging, found.shown_count, build(pks))
    pks = _searched(words)
    kept = set(public.filter(*conditions, pk__in=pks).values_list("pk", flat=True))
    return _listing(request, Selection(keys=[pk for pk in pks if pk in kept]), build, shape)


@api_view
def service(request: HttpRequest, hsds_id: str) -> HttpResponse:
    pk = _one_with_id(Service.objects.public(), hsds_id, "No public service has this id.")
    return JsonResponse(objects.services([pk], Shape.FULL)[0])


# --- Organizations -------------------------------------------------------------------------


def _organization_shape(request: HttpRequest) -> tuple[Shape, bool]:
    """The shape asked for, and whether services are nested in full (full_service, which
    nests the organization too)."""
    full_services = parameters.flag(request.GET, "full_service")
    shape = parameters.shape(request.GET)
    return (Shape.FULL if full_services else shape), full_services


@api_view
def organizations(request: HttpRequest) -> HttpResponse:
    """Organizations with public services: by name, or with ``search`` those offering the
    services the search finds, in the order of their best one."""
    shape, full_services = _organization_shape(request)
    words = parameters.search_words(request.GET)

    def build(pks: list[int]) -> list[dict]:
        return objects.organizations(pks, shape, full_services=full_services)

    if not words:
        listed = Organization.objects.with_public_services().order_by("name", "pk")
        return _listing(request, Selection(queryset=listed), build, shape)
    pks = _searched(words)
    provider_of = dict(Service.objects.filter(pk__in=pks).values_list("pk", "organization"))
    providers = list(dict.fromkeys(provider_of[pk] for pk in pks))
    return _listing(request, Selection(keys=providers), build, shape)


@api_view
def organization(request: HttpRequest, hsds_id: str) -> HttpResponse:
    _shape, full_services = _organization_shape(request)
    pk = _one_with_id(
        Organization.objects.with_public_services(),
        hsds_id,
        "No organization with public services has this id.",
    )
    return JsonResponse(objects.organizations([pk], Shape.FULL, full_services=full_services)[0])


# --- Service at locations ------------------------------------------------------------------


def _nearest(links: QuerySet, origin: ZipPlace, miles: float) -> list[int]:
    """The service at locations whose public location is within ``miles`` of ``origin``,
    nearest first: a box of latitude and longitude on the position index first, then the
    great-circle distance (places.miles_between, as the search measures). A confidential
    location is never found by where it is."""
    latitude, longitude = float(origin.latitude), float(origin.longitude)
    lat_span = miles / MILES_PER_DEGREE
    lon_span = miles / (MILES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    boxed = links.filter(
        location__is_confidential=False,
        location__position_latitude__range=(latitude - lat_span, latitude + lat_span),
        location__position_longitude__range=(longitude - lon_span, longitude + lon_span),
    ).values_list("pk", "location__position_latitude", "location__position_longitude")
    measured = sorted((miles_between(latitude, longitude, lat, lon), pk) for pk, lat, lon in boxed)
    return [pk for distance, pk in measured if distance <= miles]


@api_view
def service_at_locations(request: HttpRequest) -> HttpResponse:
    """Where public services are offered: by id; the nearest first with ``postcode`` and
    ``proximity`` (meters from the ZIP code's centre); in the search's order with
    ``search``. ``postcode`` alone keeps the locations with that ZIP code."""
    shape = parameters.shape(request.GET)
    words = parameters.search_words(request.GET)
    postcode = parameters.postcode(request.GET)
    miles = parameters.proximity_miles(request.GET)
    origin = zip_place(postcode) if postcode else None
    if miles is not None and not postcode:
        raise BadParameter("proximity", "proximity needs a postcode to measure from.")
    if miles is not None and origin is None:
        raise BadParameter("postcode", f"The directory does not know where {postcode} is.")
    links = ServiceAtLocation.objects.filter(
        *_service_conditions(request, service="service"),
        service__in=Service.objects.public(),
    )
    if postcode and miles is None:
        links = links.filter(
            location__is_confidential=False, location__postal_code__startswith=postcode
        )

    def build(pks: list[int]) -> list[dict]:
        return objects.service_at_locations(pks, shape)

    searched = _searched(words) if words else None
    if searched is not None:
        links = links.filter(service__in=searched)
    if miles is not None:
        return _listing(request, Selection(keys=_nearest(links, origin, miles)), build, shape)
    if searched is None:
        return _listing(request, Selection(queryset=links.order_by("pk")), build, shape)
    rank = {pk: position for position, pk in enumerate(searched)}
    in_order = sorted(links.values_list("service", "pk"), key=lambda row: (rank[row[0]], row[1]))
    return _listing(request, Selection(keys=[pk for _, pk in in_order]), build, shape)


@api_view
def service_at_location(request: HttpRequest, hsds_id: str) -> HttpResponse:
    public = ServiceAtLocation.objects.filter(service__in=Service.objects.public())
    pk = _one_with_id(public, hsds_id, "No service at a location of a public service has this id.")
    return JsonResponse(objects.service_at_locations([pk], Shape.FULL)[0])


# --- Taxonomies and their terms ------------------------------------------------------------


@api_view
def taxonomies(request: HttpRequest) -> HttpResponse:
    """The taxonomies of the directory's categories; ``search`` in their names."""
    words = parameters.search_words(request.GET).lower()
    names = [name for name in _taxonomy_names() if words in objects.taxonomy(name)["name"].lower()]
    return _listing(request, Selection(keys=names), objects.taxonomies, Shape.FLAT)


@api_view
def taxonomy(request: HttpRequest, hsds_id: str) -> HttpResponse:
    name = _taxonomy_named_by(hsds_id)
    if name is None:
        raise Http404("No taxonomy has this id.")
    return JsonResponse(objects.taxonomy(name))


@api_view
def taxonomy_terms(request: HttpRequest) -> HttpResponse:
    """The directory's categories by name; ``search`` in their names and codes, and the
    filters taxonomy_id, parent_id and top_only (terms without a parent)."""
    query = request.GET
    terms = Category.objects.all()
    if words := parameters.search_words(query):
        terms = terms.filter(Q(name__icontains=words) | Q(code__icontains=words))
    if (taxonomy_id := parameters.identifier(query, "taxonomy_id")) is not None:
        name = _taxonomy_named_by(taxonomy_id)
        terms = terms.filter(taxonomy=name) if name is not None else terms.none()
    if (parent_id := parameters.identifier(query, "parent_id")) is not None:
        terms = terms.filter(parent__in=_pks_with_id(Category.objects.all(), parent_id))
    if parameters.flag(query, "top_only"):
        terms = terms.filter(parent=None)
    selection = Selection(queryset=terms.order_by("name", "pk"))
    return _listing(request, selection, objects.taxonomy_terms, Shape.FLAT)


@api_view
def taxonomy_term(request: HttpRequest, hsds_id: str) -> HttpResponse:
    pk = _one_with_id(Category.objects.all(), hsds_id, "No taxonomy term has this id.")
    return JsonResponse(objects.taxonomy_terms([pk])[0])
