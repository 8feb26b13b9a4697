"""The Django admin, reachable only through allauth's sign-in and only with a second factor.

Signing in goes through allauth (so its rate limits and two-factor step apply), and a staff
user without two-factor authentication is sent to set it up before any admin page opens.
"""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


def _needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_staff and not is_mfa_enabled(user)


class PortalAdminSite(admin.AdminSite):
    site_header = _("Compassion Portal administration")
    site_title = _("Compassion Portal admin")
    index_title = _("Curate cities, compacts, the directory and the curriculum")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_mfa_enabled(request.user)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if _needs_second_factor(request):
            messages.warning(
                request,
                _("Set up two-factor authentication before you use the admin."),
            )
            return redirect("mfa_activate_totp")
        return secure_admin_login(super().login)(request, extra_context)
