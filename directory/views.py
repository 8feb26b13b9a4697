import re

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from compassion_portal.ratelimit import client_ip, rate_limit

from . import changelog, hours, listing, unmet
from .forms import SearchForm, SuggestionForm
from .models import (
    PUBLIC_STATUSES,
    REFERENCE_ALPHABET,
    Category,
    Language,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Suggestion,
    schedules_that_apply,
)
from .rows import JSONRows
from .search import (
    add_open_states,
    browse,
    load_reference,
    result_page,
    services_matching,
    understood_words,
)
from .services import suggestion_create

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,250}")
# Services on one page of an organization's listing.
ORGANIZATION_PAGE_SIZE = 50


def _page_number(raw: str | None) -> tuple[int, str]:
    if raw in (None, ""):
        return 1, ""
    try:
        number = int(raw)
    except ValueError:
        return 1, _("“%(page)s” is not a page number, so here is the first page.") % {
            "page": raw[:20]
        }
    if number < 1:
        return 1, _("Pages start at 1, so here is the first page.")
    return number, ""


def _form_notices(form: SearchForm) -> list[str]:
    return [
        _("We ignored “%(label)s”: %(error)s")
        % {
            "label": form.fields[name].label if name in form.fields else name,
            "error": " ".join(errors),
        }
        for name, errors in form.errors.items()
    ]


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search and filter public services; with no criteria, browse by category and kind.

    Three queries at most: the reference data (usually from the cache), the spelling
    look-up (with words, on Postgres), and the page of results with its count and its
    listings' opening hours; and one write when the words found almost nothing
    (directory/unmet.py)."""
    reference = load_reference()
    form = SearchForm(request.GET or None, reference=reference)
    page_number, page_notice = _page_number(request.GET.get("page"))
    now = timezone.now()
    criteria = form.criteria(page=page_number, now=now)
    notices = _form_notices(form)
    results = browsing = None
    corrected = corrected_query = ""
    if criteria.is_empty:
        browsing = browse(reference)
    else:
        words = understood_words(criteria, reference)
        results = result_page(services_matching(criteria, reference, words), criteria.page)
        add_open_states(results.services, now)
        unmet.record(
            words=criteria.words, zip_code=criteria.zip, page=page_number, found=results.count
        )
        if words.corrected:
            corrected = words.corrected
            corrected_query = _search_query(_replaced(request.GET, q=corrected))
        if results.count and results.number < page_number:
            page_notice = _("There are not that many pages of results, so here is the last one.")
    if page_notice:
        notices.append(page_notice)
    context = {
        "search_query": _search_query(request.GET),
        "form": form,
        "criteria": criteria,
        "results": results,
        "browse": browsing,
        # "Did you mean ...?": the words spelled as the directory spells them, and the link.
        "corrected": corrected,
        "corrected_query": corrected_query,
        "notices": notices,
        "query_string": _replaced(request.GET).urlencode(),
    }
    return render(request, "directory/search.html", context)


def _replaced(parameters: QueryDict, **values: str) -> QueryDict:
    """The query string with these parameters set and no page number."""
    replaced = parameters.copy()
    replaced.pop("page", None)
    for name, value in values.items():
        replaced[name] = value
    return replaced


def _search_query(parameters: QueryDict) -> str:
    """The search's own parameters of a query string, encoded again (nothing else passes)."""
    kept = QueryDict(mutable=True)
    for name in (*SearchForm.base_fields, "page"):
        values = [value[:200] for value in parameters.getlist(name)[:1]]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def _get_public_service(slug: str) -> Service:
    """The service with its organization, city, categories, languages and latest changes
    (``category_rows``, ``language_rows``, ``change_rows``: JSON rows, see directory.rows),
    and its locations: two queries."""
    queryset = (
        Service.objects.public()
        .select_related("organization__city")
        .annotate(
            category_rows=JSONRows(
                Category.objects.filter(services=OuterRef("pk")),
                slug="slug",
                name="name",
                # The quick exit shows under a sensitive category or one below it.
                sensitive=ExpressionWrapper(
                    Q(is_sensitive=True) | Q(parent__is_sensitive=True),
                    output_field=BooleanField(),
                ),
            ),
            language_rows=JSONRows(
                Language.objects.filter(services=OuterRef("pk")), code="code", name="name"
            ),
            change_rows=changelog.history_rows(OuterRef("pk")),
        )
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").order_by("pk"),
            ),
        )
    )
    try:
        return queryset.get(slug=slug)
    except Service.DoesNotExist:
        raise Http404(_("No public listing has this address.")) from None


def _by_name(row: Category | Language) -> str:
    return row.name.casefold()


@require_safe
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Four queries: the service with its locations (two, see above), its phones and its
    hours."""
    service = _get_public_service(slug)
    # By name, letter case aside (JSON rows come in no set order).
    categories = sorted(
        (Category(slug=row["slug"], name=row["name"]) for row in service.category_rows),
        key=_by_name,
    )
    languages = sorted(
        (Language(code=row["code"], name=row["name"]) for row in service.language_rows),
        key=_by_name,
    )
    is_sensitive = any(row["sensitive"] for row in service.category_rows)
    links = list(service.service_at_locations.all())
    locations = [link.location for link in links]
    # Ids of the links already loaded, not a join to them: every condition is then on the
    # phone or schedule table itself, so Postgres can combine their indexes (a join in an
    # OR scanned both tables whole at 200,000 services).
    link_ids = [link.pk for link in links]
    phones = list(
        Phone.objects.filter(
            Q(service=service)
            | Q(service_at_location__in=link_ids)
            | Q(location__in=[location.pk for location in locations])
            | Q(organization=service.organization_id, service__isnull=True, location__isnull=True)
        ).order_by("pk")
    )
    schedules = list(schedules_that_apply(service, link_ids))
    now_local = timezone.now().astimezone(service.tzinfo)
    context = {
        # The search the visitor came from, so that "back" returns to its results.
        "back_query": _search_query(QueryDict(request.GET.get("back", "")[:1000])),
        "canonical_url": request.build_absolute_uri(service.get_absolute_url()),
        "quick_exit_url": settings.QUICK_EXIT_URL if is_sensitive else "",
        "service": service,
        "organization": service.organization,
        "categories": categories,
        "languages": languages,
        "locations": [listing.LocationView.of(location) for location in locations],
        "phones": phones,
        "hours": hours.weekly_hours(schedules),
        "hours_notes": [schedule.description for schedule in schedules if schedule.description],
        "open_now": hours.open_state(
            schedules, now_local, temporarily_closed=service.is_temporarily_closed
        ),
        "now_local": now_local,
        "is_stale": service.is_stale(),
        "history": changelog.history_of_rows(service.change_rows),
        "json_ld": listing.service_json_ld(
            service,
            categories=categories,
            languages=languages,
            locations=locations,
            phones=phones,
            schedules=schedules,
            site_root=request.build_absolute_uri("/"),
        ),
    }
    return render(request, "directory/service_detail.html", context)


class CountedPaginator(Paginator):
    """A paginator given its count, read with what the list belongs to, so that it does not
    count the list again."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # Paginator.count is a cached property: this is its value


@require_safe
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Four queries: the organization with its city and how many public services it has,
    one page of them (an organization may run thousands), its locations, its phones."""
    public = Q(services__status__in=PUBLIC_STATUSES)
    try:
        organization = (
            Organization.objects.select_related("city")
            .annotate(public_services=Count("services", filter=public))
            .get(slug=slug)
        )
    except Organization.DoesNotExist:
        raise Http404(_("No organization has this address.")) from None
    if not organization.public_services:
        raise Http404(_("This organization has no public listings."))
    services = CountedPaginator(
        organization.services.public().order_by("name", "pk"),
        ORGANIZATION_PAGE_SIZE,
        count=organization.public_services,
    ).get_page(request.GET.get("page"))
    locations = list(organization.locations.order_by("name", "pk"))
    phones = list(
        organization.phones.filter(service__isnull=True, location__isnull=True).order_by("pk")
    )
    return render(
        request,
        "directory/organization_detail.html",
        {
            "organization": organization,
            "services": services,
            "locations": [listing.LocationView.of(location) for location in locations],
            "phones": phones,
        },
    )


@rate_limit(
    "directory.suggest",
    key="ip",
    message=gettext_lazy(
        "You have sent several suggestions in a short time. Thank you! "
        "Please wait an hour before sending more."
    ),
)
@require_http_methods(["GET", "HEAD", "POST"])
def suggest(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("service") or request.GET.get("service") or ""
    listing_service = (
        Service.objects.public().select_related("organization").filter(slug=slug).first()
        if _SLUG.fullmatch(slug)
        else None
    )
    if request.method == "POST":
        form = SuggestionForm(request.POST, listing=listing_service)
        if form.is_valid():
            if form.is_spam:  # a robot is thanked as a person would be, and nothing is kept
                return redirect(reverse("directory:suggest_thanks"))
            suggestion = suggestion_create(
                kind=form.cleaned_data["kind"],
                message=form.cleaned_data["message"],
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
                notify=form.cleaned_data["notify"],
                service=form.cleaned_data.get("service") or listing_service,
                ip=client_ip(request),
            )
            messages.success(
                request,
                _(
                    "Thank you. Someone will review your message within a few days. Its "
                    "reference is %(reference)s: keep this page's address to see where it stands."
                )
                % {"reference": suggestion.reference},
            )
            return redirect(suggestion)
    else:
        form = SuggestionForm(listing=listing_service)
        if slug and listing_service is None:
            messages.warning(
                request, _("We could not find that listing; you can still write to us.")
            )
    return render(request, "directory/suggest.html", {"form": form, "listing": listing_service})


@require_safe
def suggest_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/suggest_thanks.html")


_REFERENCE = re.compile(rf"[{REFERENCE_ALPHABET}]{{10}}")


@require_safe
def report_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Where a resident's message stands: its status and our public reply. Its reference is
    the key (unguessable), so the page shows nothing the sender wrote or who they are."""
    if not _REFERENCE.fullmatch(reference):
        raise Http404
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("service"), reference=reference
    )
    listing = suggestion.service if suggestion.service and suggestion.service.is_public else None
    return render(
        request, "directory/report_status.html", {"suggestion": suggestion, "listing": listing}
    )
