"""django-allauth, fitted to the portal."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from .ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The visitor's address as the portal's own rate limits and audit log read it
        (behind TRUSTED_PROXY_COUNT proxies), so that all of them count the same person. A
        header shorter than the proxies write falls back to the connection's address
        (allauth's own reading refused such a request with an error page)."""
        return client_ip(request)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        """The confirmation link on SITE_URL, never the host and port a request came in on
        (an email read later must reach the public site)."""
        return _on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return _on_site(super().get_reset_password_from_key_url(key))


def _on_site(url: str) -> str:
    """``url``'s path and query on SITE_URL."""
    parts = urlsplit(url)
    return f"{settings.SITE_URL}{parts.path}" + (f"?{parts.query}" if parts.query else "")
