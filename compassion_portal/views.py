"""Site-wide pages: home, about, the signed-in user's account page and the health check."""

import logging
import sys
from dataclasses import dataclass

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compacts.models import CharterStatus, City, Compact
from curriculum.models import curriculum_totals
from directory.search import directory_totals

from .account import account_sections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    url: str = ""


def home_figures() -> list[Figure]:
    """The live figures at the top of the home page, in four queries: compacts with their
    active signatures and the city registry (two), directory listings (one, kept in the
    cache a few minutes), and lessons, courses and this month's completions (one)."""
    compacts = Compact.objects.with_signature_counts().in_published_order().only("title", "slug")
    cities = City.objects.partner_and_affirmed_counts()
    listings = directory_totals()
    learning = curriculum_totals()
    registry = reverse("compacts:city_list")
    search = reverse("directory:search")
    curriculum = reverse("curriculum:index")
    return [
        *(
            Figure(
                _("signatures of the %(title)s") % {"title": compact.title},
                compact.active_signature_count,
                compact.get_absolute_url(),
            )
            for compact in compacts
        ),
        Figure(_("partner cities"), cities["partners"], f"{registry}?partner=yes"),
        Figure(
            _("affirmed Compassionate Cities"),
            cities["affirmed"],
            f"{registry}?charter={CharterStatus.AFFIRMED}",
        ),
        Figure(_("directory listings"), listings["listings"], search),
        Figure(_("organizations in the directory"), listings["organizations"], search),
        Figure(_("compassion lessons to take"), learning["lessons"], curriculum),
        Figure(_("adult and youth courses"), learning["courses"], curriculum),
        Figure(_("lessons completed this month"), learning["completed_this_month"]),
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"figures": home_figures()})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/about.html")


@login_required
@require_safe
def account_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "account/profile.html",
        {
            "sections": account_sections(user),
            "mfa_enabled": is_mfa_enabled(user),
            "acts_for_a_city": user.city_roles.approved().exists(),
        },
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer; 503 (not 500) when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unavailable", exc_info=True)
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def service_unavailable() -> HttpResponse:
    """The 503 page, rendered without the request: no session, no user, no database."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database connection is 'try again shortly' (503), not a crash."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.warning("database unavailable while serving %s", request.path)
        return service_unavailable()
    # Rendered without the request context, so that the page needs no database.
    return HttpResponse(loader.render_to_string("500.html"), status=500)
