"""Site-wide pages: home, about, the signed-in user's account page and the health check."""

import logging
import sys

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .account import account_sections
from .figures import all_home_figures

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"figures": all_home_figures()})


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


@require_safe
def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The benchmark's yardstick: one query of 12 rows through a tiny template.

    Served only when BENCH_PAGES=1, so that `make bench` can compare the search page with
    the cheapest page this stack can serve under the same server and settings.
    """
    if not settings.BENCH_PAGES:
        raise Http404
    from compacts.models import City

    cities = list(City.objects.order_by("name").values_list("name", "state")[:12])
    return render(request, "bench/baseline.html", {"cities": cities})


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
