"""Fixed-window rate limits kept in the shared cache (Redis when REDIS_URL is set).

Limits are named and configured in ``settings.PORTAL_RATE_LIMITS`` as ``(count, seconds)``
so that one installation can tighten them without touching code:

    @rate_limit("directory.suggest", key="ip")
    def suggest(request): ...

Only POST requests are counted; reading a page is never limited here.
"""

import functools
import hashlib
import ipaddress
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    """The visitor's address, as the rate limits and the audit log count it.

    REMOTE_ADDR is whoever opened the connection: behind nginx, nginx. Each of the
    ``settings.TRUSTED_PROXY_COUNT`` proxies in front of the app appends the address it was
    reached from to X-Forwarded-For, so the entry that many places from the right is the one
    the outermost proxy saw; everything left of it is whatever the visitor chose to send.
    With no trusted proxy, or when that entry is missing or not an address (a request that
    did not come through the proxies as configured), the connection's own address counts:
    never one the request merely claims.
    """
    peer = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies < 1:
        return peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        return peer
    return _address(hops[-proxies]) or peer


# An address with its port: "[2001:db8::7]:443" (also without the port) or "203.0.113.7:51234".
_WITH_PORT = re.compile(r"\[(?P<v6>[^\]]+)\](?::[0-9]{1,5})?|(?P<v4>[^:]+):[0-9]{1,5}")


def _address(text: str) -> str | None:
    """An IP address in its usual spelling, also when written with a port as some proxies
    do; None for anything else."""
    text = text.strip()
    if match := _WITH_PORT.fullmatch(text):
        text = match["v6"] or match["v4"]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


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
