"""Fixed-window rate limits kept in the shared cache (Redis when REDIS_URL is set).

Limits are named and configured in ``settings.PORTAL_RATE_LIMITS`` as ``(count, seconds)``
so that one installation can tighten them without touching code:

    @rate_limit("directory.suggest", key="ip")
    def suggest(request): ...

Only POST requests are counted; reading a page is never limited here.
"""

import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind a proxy, gunicorn's
    ``forwarded_allow_ips`` and the proxy decide what REMOTE_ADDR holds."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window_key(scope: str, identity: str, period: int) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{int(time.time() // period)}"


def hit(scope: str, identity: str) -> bool:
    """Count one attempt; return True when it is over the limit for ``scope``."""
    limit, period = settings.PORTAL_RATE_LIMITS[scope]
    key = _window_key(scope, identity, period)
    if cache.add(key, 1, timeout=period):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=period)
        count = 1
    return count > limit


def too_many_requests(request: HttpRequest, message: str = "") -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"message": message or _("You have sent this form too often. Please wait and try again.")},
        status=429,
    )
    response["Retry-After"] = "60"
    return response


def rate_limit(scope: str, *, key: str = "ip", message: str = "") -> Callable:
    """Limit POSTs to a view per client IP (``key="ip"``) or per signed-in user (``"user"``)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                if key == "user" and request.user.is_authenticated:
                    identity = f"user:{request.user.pk}"
                else:
                    identity = f"ip:{client_ip(request)}"
                if hit(scope, identity):
                    return too_many_requests(request, message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
