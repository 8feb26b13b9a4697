"""django-allauth, fitted to the portal."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from .ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The visitor's address as the portal's own rate limits and audit log read it
        (behind TRUSTED_PROXY_COUNT proxies), so that all of them count the same person. A
        header shorter than the proxies write falls back to the connection's address
        (allauth's own reading refused such a request with an error page)."""
        return client_ip(request)
