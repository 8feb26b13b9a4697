"""Public pages of the compacts app and the city staff's sign / renew / withdraw flow."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from compassion_portal.ratelimit import client_ip, rate_limit

from . import services
from .exports import SIGNATURE_CSV_HEADER, csv_response, signature_csv_rows
from .filters import CityFilter, SignatoryFilter
from .forms import SignatureForm, StaffRequestForm, WithdrawForm
from .models import City, Compact, Signature
from .permissions import cities_for_staff, get_city_for_staff, has_verified_email

SIGNATORIES_PER_PAGE = 50
CITIES_PER_PAGE = 25


def _page(request: HttpRequest, items, per_page: int) -> Page:
    """A page of ``items``; page=abc or page=99999 get the first or last page, never a 500."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _warn_about_ignored_filters(request: HttpRequest, filterset) -> None:
    if filterset.is_bound and not filterset.is_valid():
        messages.warning(
            request,
            _("Some filters were not understood and were ignored; check the form below."),
        )


# Compacts ------------------------------------------------------------------------------


@require_safe
def compact_list(request: HttpRequest) -> HttpResponse:
    compacts = Compact.objects.with_signature_counts().in_published_order()
    return render(request, "compacts/compact_list.html", {"compacts": compacts})


def _signatory_filter(request: HttpRequest, compact: Compact) -> SignatoryFilter:
    return SignatoryFilter(request.GET or None, queryset=compact.signatures.signatories())


@require_safe
def compact_detail(request: HttpRequest, slug: str) -> HttpResponse:
    compact = get_object_or_404(Compact.objects.with_signature_counts(), slug=slug)
    if request.GET.get("format") == "csv":
        return compact_csv(request, slug)
    signatories = _signatory_filter(request, compact)
    _warn_about_ignored_filters(request, signatories)
    my_cities = _my_cities_with_signatures(request, compact)
    return render(
        request,
        "compacts/compact_detail.html",
        {
            "compact": compact,
            "commitments": compact.commitments.all(),
            "filter": signatories,
            "page_obj": _page(request, signatories.qs, SIGNATORIES_PER_PAGE),
            "query": _query_without_page(request),
            "csv_query": _csv_query(request),
            "my_cities": my_cities,
        },
    )


def _csv_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    return query.urlencode()


def _my_cities_with_signatures(request: HttpRequest, compact: Compact) -> list[dict]:
    """For approved staff: each of their cities with its active signature, if any."""
    if not request.user.is_authenticated:
        return []
    cities = list(cities_for_staff(request.user))
    if not cities:
        return []
    active = {
        signature.city_id: signature
        for signature in Signature.objects.active().filter(compact=compact, city__in=cities)
    }
    return [{"city": city, "signature": active.get(city.pk)} for city in cities]


@require_safe
def compact_csv(request: HttpRequest, slug: str) -> HttpResponse:
    compact = get_object_or_404(Compact, slug=slug)
    signatories = _signatory_filter(request, compact)
    return csv_response(
        f"{compact.slug}-signatories.csv",
        SIGNATURE_CSV_HEADER,
        signature_csv_rows(signatories.qs),
    )


# Signing, renewing, withdrawing ------------------------------------------------------------


def _forbidden(request: HttpRequest, compact: Compact | None = None) -> HttpResponse:
    needs_second_factor = (
        settings.SIGNING_REQUIRES_MFA
        and request.user.is_authenticated
        and not is_mfa_enabled(request.user)
    )
    return render(
        request,
        "compacts/not_city_staff.html",
        {"compact": compact, "needs_second_factor": needs_second_factor},
        status=403,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("compacts.sign", key="user")
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    compact = get_object_or_404(Compact, slug=slug)
    cities = cities_for_staff(request.user)
    if not cities.exists():
        return _forbidden(request, compact)
    if request.method == "POST":
        form = SignatureForm(request.POST, cities=cities)
        if form.is_valid():
            city = form.cleaned_data["city"]
            try:
                services.signature_create(
                    actor=request.user,
                    compact=compact,
                    city=city,
                    mayor_name=form.cleaned_data["mayor_name"],
                    ip=client_ip(request),
                )
            except services.CompactsError as error:
                form.add_error(None, str(error))
            else:
                return redirect("compacts:signed", slug=compact.slug, city_slug=city.slug)
    else:
        form = SignatureForm(initial=_sign_initial(request, cities), cities=cities)
    return render(request, "compacts/sign.html", {"compact": compact, "form": form})


def _sign_initial(request: HttpRequest, cities) -> dict:
    """Pre-select the city named in ?city= (when the person serves it) and its mayor."""
    try:  # int(), not str.isdigit(), which takes "²" for a digit that int() refuses
        wanted = cities.filter(pk=int(request.GET.get("city", ""))).first()
    except ValueError:
        wanted = None
    city = wanted or cities.first()
    return {"city": city, "mayor_name": city.mayor_name}


@login_required
@require_safe
def signed(request: HttpRequest, slug: str, city_slug: str) -> HttpResponse:
    compact = get_object_or_404(Compact, slug=slug)
    city = get_object_or_404(cities_for_staff(request.user), slug=city_slug)
    signature = get_object_or_404(Signature.objects.active(), compact=compact, city=city)
    return render(
        request,
        "compacts/signed.html",
        {"compact": compact, "city": city, "signature": signature},
    )


@login_required
@require_POST
@rate_limit("compacts.sign", key="user")
def renew(request: HttpRequest, slug: str) -> HttpResponse:
    compact = get_object_or_404(Compact, slug=slug)
    city = get_city_for_staff(request.user, request.POST.get("city"))
    try:
        services.signature_renew(
            actor=request.user, compact=compact, city=city, ip=client_ip(request)
        )
    except services.CompactsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(city)s renewed its signature of %(compact)s.")
            % {"city": city.name, "compact": compact.title},
        )
    return HttpResponseRedirect(reverse("compacts:compact_detail", args=[compact.slug]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("compacts.sign", key="user")
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    compact = get_object_or_404(Compact, slug=slug)
    data = request.POST if request.method == "POST" else request.GET
    city = get_city_for_staff(request.user, data.get("city"))
    signature = (
        Signature.objects.active().filter(compact=compact, city=city).select_related("city").first()
    )
    if signature is None:
        messages.error(request, _("Your city has no active signature of this compact."))
        return redirect("compacts:compact_detail", slug=compact.slug)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.signature_withdraw(
                actor=request.user,
                compact=compact,
                city=city,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except services.CompactsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(city)s withdrew its signature of %(compact)s.")
                % {"city": city.name, "compact": compact.title},
            )
            return redirect("compacts:compact_detail", slug=compact.slug)
    return render(
        request,
        "compacts/withdraw.html",
        {"compact": compact, "city": city, "signature": signature, "form": form},
    )


# Cities ----------------------------------------------------------------------------------


@require_safe
def city_list(request: HttpRequest) -> HttpResponse:
    cities = CityFilter(
        request.GET or None,
        queryset=City.objects.with_active_signature_counts().order_by("name", "state"),
    )
    _warn_about_ignored_filters(request, cities)
    return render(
        request,
        "compacts/city_list.html",
        {
            "filter": cities,
            "page_obj": _page(request, cities.qs, CITIES_PER_PAGE),
            "query": _query_without_page(request),
        },
    )


@require_safe
def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    signatures = city.signatures.select_related("compact").order_by("-signed_on")
    return render(
        request,
        "compacts/city_detail.html",
        {"city": city, "signatures": signatures},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("compacts.staff_request", key="user")
def staff_request(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    if not has_verified_email(request.user):
        return render(request, "compacts/verify_email_first.html", {"city": city}, status=403)
    form = StaffRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.staff_request(
                actor=request.user, city=city, ip=client_ip(request), **form.cleaned_data
            )
        except services.CompactsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Thank you. An administrator will check your request to act for %(city)s "
                    "and email you the decision."
                )
                % {"city": city.name},
            )
            return redirect(city)
    return render(request, "compacts/staff_request.html", {"city": city, "form": form})
