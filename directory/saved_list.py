"""A resident's list of listings: kept in the session, printed with a QR code of its address.

No account is needed: the session (a cookie and its row) holds the ids of the services in the
order they were added, at most ``MAX_LISTINGS`` of them. Nobody can scan a session, so the
list also has a read-only address that carries the ids themselves (``?ids=4,17,23``); the
print page prints that address as a QR code, and anyone who opens it sees the same listings.

Every page here reads the listings in five queries or fewer, however long the list
(``entries_for``); every change is a POST with CSRF."""

import datetime
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import BadRequest
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import hours, listing
from .models import Phone, PhoneType, Schedule, Service, ServiceAtLocation

SESSION_KEY = "directory_saved_list"
# Enough for a household's needs on two printed pages, and a QR code a phone still reads
# from paper (50 ids make an address of about 300 characters: a version 11 code).
MAX_LISTINGS = 50
# An id as a person or a form sends it: digits only, short enough for any database's bigint.
_ID = re.compile(r"[0-9]{1,18}")
_MAX_NEXT_LENGTH = 2000
# What the shared address's ``ids`` parameter may hold before the rest is ignored unread.
_MAX_SHARED_PARAMETER = 20 * MAX_LISTINGS


# -- the list in the session ----------------------------------------------------------------


def saved_ids(session: SessionBase) -> list[int]:
    """The ids on the session's list, in the order added (an empty list without one)."""
    stored = session.get(SESSION_KEY, [])
    if not isinstance(stored, list):
        return []
    return [pk for pk in stored if isinstance(pk, int) and not isinstance(pk, bool)][:MAX_LISTINGS]


def _store(session: SessionBase, ids: list[int]) -> None:
    # A new list object each time, so that the session knows it changed and is saved.
    session[SESSION_KEY] = list(ids)


def parse_id(raw: str) -> int | None:
    return int(raw) if _ID.fullmatch(raw) else None


def parse_shared_ids(raw: str) -> tuple[list[int], int]:
    """The ids of a shared address's ``ids`` parameter, first occurrence of each, at most
    ``MAX_LISTINGS``; and how many parts were ignored (not ids, repeated or past the cap)."""
    parts = [part.strip() for part in raw[:_MAX_SHARED_PARAMETER].split(",") if part.strip()]
    ids: list[int] = []
    for part in parts:
        pk = parse_id(part)
        if pk is not None and pk not in ids and len(ids) < MAX_LISTINGS:
            ids.append(pk)
    return ids, len(parts) - len(ids)


def shared_path(ids: Iterable[int]) -> str:
    """The read-only address of a list. The commas stay as they are (a query may hold them
    unencoded), so that the QR code stays as small as it can be."""
    return f"{reverse('directory:list_shared')}?ids={','.join(str(pk) for pk in ids)}"


# -- what the pages show --------------------------------------------------------------------


@dataclass
class HoursGroup:
    """Consecutive days with the same opening hours ("Monday to Friday: 9 a.m. to noon")."""

    first_day: str
    last_day: str | None
    ranges: list[hours.TimeRange]


@dataclass
class SavedEntry:
    service: Service
    phone: Phone | None = None
    address_lines: list[str] = field(default_factory=list)
    hours: list[HoursGroup] = field(default_factory=list)


def hours_summary(days: list[hours.DayHours]) -> list[HoursGroup]:
    """The days a service opens, with runs of days that share their hours taken together."""
    groups: list[HoursGroup] = []
    previous: hours.DayHours | None = None
    for day in days:
        if not day.ranges:
            previous = None
            continue
        if previous is not None and previous.ranges == day.ranges:
            groups[-1].last_day = day.label
        else:
            groups.append(HoursGroup(first_day=day.label, last_day=None, ranges=day.ranges))
        previous = day
    return groups


def entries_for(ids: list[int], *, with_hours: bool = False) -> list[SavedEntry]:
    """The public services of ``ids`` in that order, each with a number to call, the address
    of its first public location and (``with_hours``) its opening hours.

    Four queries, five with the hours, for any number of ids: the services with their
    organizations, their locations, the phones of all of them at once, their hours."""
    if not ids:
        return []
    services = {
        service.pk: service
        for service in Service.objects.public()
        .filter(pk__in=ids)
        .defer("search_vector", "name_vector", "search_text")  # the search's, not shown
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").order_by(
                    "location_id"
                ),
            )
        )
    }
    ordered = [services[pk] for pk in ids if pk in services]
    if not ordered:
        return []
    service_ids = [service.pk for service in ordered]
    links = {service.pk: list(service.service_at_locations.all()) for service in ordered}
    link_ids = [link.pk for service_links in links.values() for link in service_links]
    location_ids = [link.location_id for service_links in links.values() for link in service_links]
    # The number a result card shows: the service's own, else one for it at a location, else
    # one of its locations', else its provider's; never a fax. One query for the whole list.
    phones = list(
        Phone.objects.exclude(type=PhoneType.FAX)
        .filter(
            Q(service__in=service_ids)
            | Q(service_at_location__in=link_ids)
            | Q(location__in=location_ids)
            | Q(
                organization__in={service.organization_id for service in ordered},
                service__isnull=True,
                location__isnull=True,
            )
        )
        .order_by("pk")
    )
    schedules_by_service: dict[int, list[Schedule]] = defaultdict(list)
    if with_hours:
        service_of_link = {
            link.pk: service_pk
            for service_pk, service_links in links.items()
            for link in service_links
        }
        for schedule in Schedule.objects.filter(
            Q(service__in=service_ids) | Q(service_at_location__in=link_ids)
        ).order_by("pk"):
            owner = schedule.service_id or service_of_link.get(schedule.service_at_location_id)
            if owner is not None:
                schedules_by_service[owner].append(schedule)
    entries = []
    for service in ordered:
        service_links = links[service.pk]
        public_places = [
            listing.LocationView.of(link.location)
            for link in service_links
            if not link.location.is_confidential
        ]
        address = next((place.address_lines for place in public_places if place.address_lines), [])
        entries.append(
            SavedEntry(
                service=service,
                phone=_phone_for(service, service_links, phones),
                address_lines=address,
                hours=hours_summary(hours.weekly_hours(schedules_by_service[service.pk])),
            )
        )
    return entries


def _phone_for(
    service: Service, links: list[ServiceAtLocation], phones: list[Phone]
) -> Phone | None:
    link_ids = {link.pk for link in links}
    location_ids = {link.location_id for link in links}
    rules = (
        lambda phone: phone.service_id == service.pk,
        lambda phone: phone.service_at_location_id in link_ids,
        lambda phone: phone.location_id in location_ids,
        lambda phone: (
            phone.organization_id == service.organization_id
            and phone.service_id is None
            and phone.location_id is None
        ),
    )
    for rule in rules:
        found = next((phone for phone in phones if rule(phone)), None)
        if found is not None:
            return found
    return None


def local_today() -> datetime.date:
    """Today in the directory's own time zone (DIRECTORY_TIME_ZONE), not the server's UTC:
    a list printed at 9:30 p.m. in Chicago is dated that day."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.DIRECTORY_TIME_ZONE)).date()


def qr_svg(url: str, label: str) -> SafeString:
    """``url`` as a QR code in inline SVG, named ``label`` for screen readers.

    Safe to print unescaped: segno writes only numbers into the drawing and escapes the
    title. Error correction M keeps a creased or smudged printout readable; a full-size
    code (never a Micro QR), because phones' cameras read only those."""
    code = segno.make_qr(url, error="m")
    svg = code.svg_inline(title=label, svgclass="list-qr__code", lineclass=None, omitsize=True)
    if not svg.startswith("<svg "):
        raise ValueError("segno wrote something other than an <svg> element")
    # role="img" makes the drawing one image whose name is its <title>.
    return mark_safe('<svg role="img" ' + svg.removeprefix("<svg "))  # noqa: S308


# -- views ----------------------------------------------------------------------------------


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """To the ``next`` path the form names, when it is a path on this site; else ``fallback``."""
    target = request.POST.get("next", "")
    if not (
        target.startswith("/")
        and len(target) <= _MAX_NEXT_LENGTH
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _posted_id(request: HttpRequest) -> int:
    pk = parse_id(request.POST.get("service", ""))
    if pk is None:
        raise BadRequest("The listing to add or remove is not a listing number.")
    return pk


@require_POST
def saved_list_add(request: HttpRequest) -> HttpResponse:
    pk = _posted_id(request)
    service = Service.objects.public().filter(pk=pk).only("pk", "name", "slug").first()
    if service is None:
        # Closed or removed since its page was opened: say so, rather than "page not found".
        return render(request, "directory/list_refused.html", status=404)
    ids = saved_ids(request.session)
    if pk in ids:
        messages.info(request, _("“%(name)s” is already on your list.") % {"name": service.name})
    elif len(ids) >= MAX_LISTINGS:
        messages.warning(
            request,
            _(
                "Your list is full: it holds %(count)d listings at most. Remove one before "
                "adding “%(name)s”."
            )
            % {"count": MAX_LISTINGS, "name": service.name},
        )
    else:
        _store(request.session, [*ids, pk])
        messages.success(
            request,
            _("Added “%(name)s” to your list (%(count)d of %(max)d).")
            % {"name": service.name, "count": len(ids) + 1, "max": MAX_LISTINGS},
        )
    return _redirect_back(request, service.get_absolute_url())


@require_POST
def saved_list_remove(request: HttpRequest) -> HttpResponse:
    pk = _posted_id(request)
    ids = saved_ids(request.session)
    # Any status: a listing closed since it was added must still come off the list.
    service = Service.objects.filter(pk=pk).only("pk", "name", "slug", "status").first()
    name = service.name if service is not None else _("that listing")
    if pk in ids:
        _store(request.session, [saved for saved in ids if saved != pk])
        messages.success(request, _("Removed “%(name)s” from your list.") % {"name": name})
    else:
        messages.info(request, _("“%(name)s” was not on your list.") % {"name": name})
    fallback = (
        service.get_absolute_url()
        if service is not None and service.is_public
        else reverse("directory:list")
    )
    return _redirect_back(request, fallback)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def saved_list_clear(request: HttpRequest) -> HttpResponse:
    """GET asks whether to clear the list; POST clears it."""
    ids = saved_ids(request.session)
    if request.method == "POST":
        request.session.pop(SESSION_KEY, None)
        if ids:
            messages.success(request, _("Your list is now empty."))
        return HttpResponseRedirect(reverse("directory:list"))
    return render(request, "directory/list_clear.html", {"count": len(ids)})


def _missing_notice(asked: int, found: int) -> str:
    missing = asked - found
    if not missing:
        return ""
    return ngettext(
        "%(count)d listing on this list is no longer in the directory, so it is not shown.",
        "%(count)d listings on this list are no longer in the directory, so they are not shown.",
        missing,
    ) % {"count": missing}


def _days_kept() -> int:
    return max(1, settings.SESSION_COOKIE_AGE // 86400)


@never_cache
@require_safe
def saved_list(request: HttpRequest) -> HttpResponse:
    """The resident's list: four queries (the session and the listings) for any length."""
    ids = saved_ids(request.session)
    entries = entries_for(ids)
    return render(
        request,
        "directory/list.html",
        {
            "entries": entries,
            "notice": _missing_notice(len(ids), len(entries)),
            "max_listings": MAX_LISTINGS,
            "days_kept": _days_kept(),
            "shared_path": shared_path(entry.service.pk for entry in entries),
        },
    )


@never_cache
@require_safe
def saved_list_print(request: HttpRequest) -> HttpResponse:
    """The list for paper: today's date where the directory is, each listing's last-verified
    date, phone, address and hours, and a QR code of the list's shared address."""
    ids = saved_ids(request.session)
    entries = entries_for(ids, with_hours=True)
    shared_url = request.build_absolute_uri(shared_path(entry.service.pk for entry in entries))
    return render(
        request,
        "directory/list_print.html",
        {
            "entries": entries,
            "notice": _missing_notice(len(ids), len(entries)),
            "today": local_today(),
            "shared_url": shared_url,
            "qr_code": qr_svg(shared_url, _("QR code of this list’s web address"))
            if entries
            else "",
        },
    )


@require_safe
def saved_list_shared(request: HttpRequest) -> HttpResponse:
    """A list sent or printed by someone, read from its address alone: nothing is saved."""
    ids, ignored = parse_shared_ids(request.GET.get("ids", ""))
    entries = entries_for(ids, with_hours=True)
    notices = []
    if ignored:
        notices.append(
            ngettext(
                "%(count)d part of this address is not a listing or comes past the first "
                "%(max)d, so it was left out.",
                "%(count)d parts of this address are not listings or come past the first "
                "%(max)d, so they were left out.",
                ignored,
            )
            % {"count": ignored, "max": MAX_LISTINGS}
        )
    missing = _missing_notice(len(ids), len(entries))
    if missing:
        notices.append(missing)
    return render(
        request,
        "directory/list_shared.html",
        {"entries": entries, "notices": notices},
    )
