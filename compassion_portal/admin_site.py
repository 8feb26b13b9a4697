"""The Django admin, reachable only through allauth's sign-in and only with a second factor.

Signing in goes through allauth (so its rate limits and two-factor step apply), and a staff
user without two-factor authentication is sent to set it up before any admin page opens.
"""

from dataclasses import dataclass

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compacts.models import CityJoinRequest, CityStaff, Signature
from directory.models import ImportJob, ProposedChange, Service, Suggestion, SuggestionStatus


@dataclass(frozen=True)
class ToDo:
    label: str
    count: int
    url: str


def admin_to_do(request: HttpRequest) -> list[ToDo]:
    """What waits for an admin, each with the list that shows it: one count a query, and
    only of what this admin may see."""
    new_suggestions = Suggestion.objects.filter(status=SuggestionStatus.NEW)
    waiting: list[tuple[str, QuerySet, str]] = [
        (_("staff requests to decide"), CityStaff.objects.pending(), "status__exact=pending"),
        (_("cities asking to join"), CityJoinRequest.objects.pending(), "status__exact=pending"),
        (
            _("signatures whose renewal is due or overdue"),
            Signature.objects.renewable(),
            "renewal=due",
        ),
        (_("new suggestions and problem reports"), new_suggestions, "status__exact=new"),
        (
            _("changes providers proposed to their listings"),
            ProposedChange.objects.pending(),
            "status__exact=pending",
        ),
        (
            _("listings nobody has checked for a year"),
            Service.objects.stale(),
            "stale=yes",
        ),
        (
            _("HSDS imports of the last 30 days that skipped rows or failed"),
            ImportJob.objects.to_look_at(),
            "to_look_at=yes",
        ),
    ]
    to_do = []
    for label, rows, query in waiting:
        options = rows.model._meta
        if request.user.has_perm(f"{options.app_label}.view_{options.model_name}"):
            url = reverse(f"admin:{options.app_label}_{options.model_name}_changelist")
            to_do.append(ToDo(label, rows.count(), f"{url}?{query}"))
    return to_do


def _needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_staff and not is_mfa_enabled(user)


class PortalAdminSite(admin.AdminSite):
    site_header = _("Compassion Portal administration")
    site_title = _("Compassion Portal admin")
    index_title = _("Curate cities, compacts, the directory and the curriculum")

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return super().index(request, {"to_do": admin_to_do(request), **(extra_context or {})})

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
