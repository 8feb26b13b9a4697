"""Public pages of the compacts app and the city staff's sign / renew / withdraw flow."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from compassion_portal.ratelimit import client_ip, rate_limit

from . import action_plan, peers, services
from .exports import SIGNATURE_CSV_HEADER, csv_response, signature_csv_rows
from .filters import CityFilter, SignatoryFilter
from .forms import (
    CityJoinRequestForm,
    PeerContactForm,
    PlanItemForm,
    SignatureForm,
    StaffRequestForm,
    WithdrawForm,
)
from .models import City, Compact, MayorTerm, Signature
from .permissions import (
    can_act_for_city,
    cities_for_staff,
    get_city_for_staff,
    has_verified_email,
    staff_addresses,
    staff_standing,
)

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
    """For approved staff: each of their cities with its active signature, if any, and
    where that signature stands in the renewal cycle."""
    if not request.user.is_authenticated:
        return []
    cities = list(cities_for_staff(request.user))
    if not cities:
        return []
    active = {
        signature.city_id: signature
        for signature in Signature.objects.active().filter(compact=compact, city__in=cities)
    }
    today = timezone.localdate()
    rows = []
    for city in cities:
        signature = active.get(city.pk)
        if signature is not None:
            signature.compact = compact  # the same row: no query to read its renewal terms
        renewal = signature.renewal(today) if signature else None
        rows.append({"city": city, "signature": signature, "renewal": renewal})
    return rows


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
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("compacts.sign", key="user")
def renew(request: HttpRequest, slug: str) -> HttpResponse:
    """A confirmation page that says what renewing means and when it will next be due;
    renewing is its POST. Outside the renewal window the page says when it opens."""
    compact = get_object_or_404(Compact, slug=slug)
    data = request.POST if request.method == "POST" else request.GET
    city = get_city_for_staff(request.user, data.get("city"))
    signature = Signature.objects.active().filter(compact=compact, city=city).first()
    if signature is None:
        messages.error(request, _("Your city has no active signature of this compact."))
        return redirect("compacts:compact_detail", slug=compact.slug)
    signature.compact = compact
    error, status = "", 200
    if request.method == "POST":
        try:
            renewed = services.signature_renew(
                actor=request.user, compact=compact, city=city, ip=client_ip(request)
            )
        except services.CompactsError as refusal:
            error, status = str(refusal), 409
            signature.refresh_from_db()  # another staffer may have renewed meanwhile
        else:
            messages.success(
                request,
                _("%(city)s renewed its signature of %(compact)s; it is next due on %(due)s.")
                % {
                    "city": city.name,
                    "compact": compact.title,
                    "due": formats.date_format(renewed.renewal().due_on, "DATE_FORMAT"),
                },
            )
            return redirect(city)
    return render(
        request,
        "compacts/renew.html",
        {
            "compact": compact,
            "city": city,
            "signature": signature,
            "renewal": signature.renewal(),
            "next_due_on": compact.renewal_terms.next_due_if_renewed(),
            "error": error,
        },
        status=status,
    )


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


def _current_term(terms: list[MayorTerm], today) -> MayorTerm | None:
    """The latest of ``terms`` (newest first, as MayorTerm orders them) begun by ``today``."""
    return next((term for term in terms if term.starts_on <= today), None)


def _signature_rows(signatures: list[Signature], term: MayorTerm | None, today) -> list[dict]:
    return [
        {
            "signature": signature,
            "renewal": signature.renewal(today) if signature.is_active else None,
            "needs_reaffirmation": signature.needs_reaffirmation(term),
        }
        for signature in signatures
    ]


@require_safe
def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    today = timezone.localdate()
    signatures = list(city.signatures.select_related("compact").order_by("-signed_on"))
    terms = list(city.mayor_terms.all())
    term = _current_term(terms, today)
    standing = staff_standing(request.user, city)
    plan = action_plan.city_plan(city, today, signatures)
    return render(
        request,
        "compacts/city_detail.html",
        {
            "city": city,
            "signature_rows": _signature_rows(signatures, term, today),
            "terms": terms,
            "current_term": term,
            "plan_timeline": action_plan.timeline(plan),
            "plan_summary": action_plan.summarise(plan),
            "peers": peers.peers_of(city, {row.step for row in plan if row.step and row.is_done}),
            "today": today,
            "standing": standing,
            "staff_actions": (
                _staff_actions(city, signatures, term, today) if standing.can_act else []
            ),
            "signing_requires_mfa": settings.SIGNING_REQUIRES_MFA,
        },
    )


def _staff_actions(
    city: City, signatures: list[Signature], term: MayorTerm | None, today
) -> list[dict]:
    """Each compact approved staff can act on from the city page: every open compact, and
    any closed one the city still has an active signature of (it can be withdrawn or
    re-affirmed)."""
    active = {signature.compact_id: signature for signature in signatures if signature.is_active}
    compacts = Compact.objects.filter(Q(is_open=True) | Q(pk__in=list(active))).in_published_order()
    rows = []
    for compact in compacts:
        signature = active.get(compact.pk)
        renewal = signature.renewal(today) if signature else None
        rows.append(
            {
                "compact": compact,
                "signature": signature,
                "renewal": renewal,
                "needs_reaffirmation": bool(signature and signature.needs_reaffirmation(term)),
            }
        )
    return rows


def _verify_email_first(request: HttpRequest, city: City | None) -> HttpResponse:
    return render(request, "compacts/verify_email_first.html", {"city": city}, status=403)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("compacts.staff_request", key="user")
def staff_request(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    if not has_verified_email(request.user):
        return _verify_email_first(request, city)
    standing = staff_standing(request.user, city)
    if not standing.may_ask:
        # Said before the form is filled in, not after: they are approved or waiting.
        return render(
            request,
            "compacts/staff_request_exists.html",
            {"city": city, "standing": standing},
            status=409 if request.method == "POST" else 200,
        )
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
    return render(
        request,
        "compacts/staff_request.html",
        {"city": city, "form": form, "standing": standing},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
# Shares the staff-request limit: both ask an administrator to check a person's role.
@rate_limit("compacts.staff_request", key="user")
def city_join_request(request: HttpRequest) -> HttpResponse:
    """ "My city is not listed": a city's staff ask for it to be added to the registry."""
    if not has_verified_email(request.user):
        return _verify_email_first(request, None)
    form = CityJoinRequestForm(request.POST if request.method == "POST" else None)
    listed_city, status = None, 200
    if form.is_valid():
        try:
            services.city_join_request(
                actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except services.CityAlreadyListed as error:
            listed_city, status = error.city, 409
        except services.CompactsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Thank you. An administrator will check that %(city)s, %(state)s, wants "
                    "to join and email you; your request is listed on your account page."
                )
                % {"city": form.cleaned_data["city_name"], "state": form.cleaned_data["state"]},
            )
            return redirect("account_profile")
    if form.errors:
        status = 400
    return render(
        request,
        "compacts/city_join_request.html",
        {"form": form, "listed_city": listed_city},
        status=status,
    )


# The city's plan, handover and re-affirmation ---------------------------------------------


def _plan_item_initial(row: action_plan.PlanRow) -> dict:
    item = row.item
    if item is None:
        return {"status": row.status, "version": ""}
    initial = {name: getattr(item, name) for name in services.PLAN_FIELDS}
    initial["version"] = item.updated_at.isoformat()
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
def plan_item(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One item of a city's plan with its public history; the city's approved staff also
    get the form that changes it (the POST)."""
    city = get_object_or_404(City, slug=slug)
    row = action_plan.plan_row(city, key, timezone.localdate())
    if row is None:
        raise Http404
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    can_act = can_act_for_city(request.user, city) if request.user.is_authenticated else False
    if request.method == "POST" and not can_act:
        return _forbidden(request)
    form, status = None, 200
    if can_act:
        form = PlanItemForm(
            request.POST if request.method == "POST" else None, initial=_plan_item_initial(row)
        )
    if form is not None and form.is_valid():
        try:
            item = services.plan_item_update(
                actor=request.user,
                city=city,
                row=row,
                changes=form.changes(),
                seen_version=form.cleaned_data["version"],
                ip=client_ip(request),
            )
        except services.StaleEdit as error:
            row = action_plan.plan_row(city, key, timezone.localdate())  # their change
            data = request.POST.copy()
            data["version"] = _plan_item_initial(row)["version"]
            form = PlanItemForm(data)
            form.is_valid()
            form.add_error(None, str(error))
            status = 409
        except services.CompactsError as error:
            form.add_error(None, str(error))
        else:
            if item is None:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(
                    request,
                    _("Saved: “%(item)s” is now %(status)s.")
                    % {"item": row.title, "status": item.get_status_display().lower()},
                )
            return redirect(f"{city.get_absolute_url()}#plan-{row.key}")
    if form is not None and form.errors and status == 200:
        status = 400
    changes = list(row.item.changes.all()) if row.item else []
    return render(
        request,
        "compacts/plan_item.html",
        {"city": city, "row": row, "form": form, "changes": changes},
        status=status,
    )


@login_required
@require_safe
def handover(request: HttpRequest, slug: str) -> HttpResponse:
    """For a new mayor's office: what the city has done, what is under way and what is due,
    and the signatures it is asked to re-affirm. Printable."""
    city = get_object_or_404(City, slug=slug)
    if not can_act_for_city(request.user, city):
        return _forbidden(request)
    today = timezone.localdate()
    terms = list(city.mayor_terms.all())
    term = _current_term(terms, today)
    signatures = list(city.signatures.active().select_related("compact").order_by("-signed_on"))
    plan = action_plan.city_plan(city, today, signatures)
    return render(
        request,
        "compacts/handover.html",
        {
            "city": city,
            "terms": terms,
            "current_term": term,
            "signature_rows": _signature_rows(signatures, term, today),
            "summary": action_plan.summarise(plan),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("compacts.sign", key="user")
def reaffirm(request: HttpRequest, slug: str) -> HttpResponse:
    """A confirmation page saying what re-affirming means; re-affirming is its POST."""
    compact = get_object_or_404(Compact, slug=slug)
    data = request.POST if request.method == "POST" else request.GET
    city = get_city_for_staff(request.user, data.get("city"))
    signature = Signature.objects.active().filter(compact=compact, city=city).first()
    if signature is None:
        messages.error(request, _("Your city has no active signature of this compact."))
        return redirect("compacts:compact_detail", slug=compact.slug)
    signature.compact = compact
    term = city.mayor_terms.current_on(timezone.localdate())
    error, status = "", 200
    if request.method == "POST":
        try:
            services.signature_reaffirm(
                actor=request.user, compact=compact, city=city, ip=client_ip(request)
            )
        except services.CompactsError as refusal:
            error, status = str(refusal), 409
        else:
            messages.success(
                request,
                _("%(city)s re-affirmed its signature of %(compact)s under Mayor %(mayor)s.")
                % {"city": city.name, "compact": compact.title, "mayor": term.mayor_name},
            )
            return redirect("compacts:handover", slug=city.slug)
    return render(
        request,
        "compacts/reaffirm.html",
        {
            "compact": compact,
            "city": city,
            "signature": signature,
            "term": term,
            "needs_reaffirmation": signature.needs_reaffirmation(term),
            "next_due_on": compact.renewal_terms.next_due_if_renewed(),
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit(
    "compacts.peer_contact",
    key="user",
    message=gettext_lazy(
        "You have sent several messages to other cities this hour. Please wait a while."
    ),
)
def peer_contact(request: HttpRequest, slug: str, peer_slug: str) -> HttpResponse:
    """ "Contact their bridge-builder": staff of ``slug`` write to an engaged city's staff."""
    city = get_object_or_404(City, slug=slug)
    if not can_act_for_city(request.user, city):
        return _forbidden(request)
    peer = get_object_or_404(peers.engaged_cities().exclude(pk=city.pk), slug=peer_slug)
    form = PeerContactForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.peer_contact(
                actor=request.user,
                from_city=city,
                to_city=peer,
                message=form.cleaned_data["message"],
                ip=client_ip(request),
            )
        except services.CompactsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your message was sent to the team of %(city)s. Their reply comes to your email.")
                % {"city": peer.name},
            )
            return redirect(f"{city.get_absolute_url()}#peers-heading")
    return render(
        request,
        "compacts/peer_contact.html",
        {
            "city": city,
            "peer": peer,
            "form": form,
            "has_recipients": bool(staff_addresses(peer.pk)),
        },
        status=400 if form.errors else 200,
    )
