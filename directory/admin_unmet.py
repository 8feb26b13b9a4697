"""The admin's weekly report of unmet needs (directory/unmet.py), and turning a frequent miss
into a synonym (a link to the synonym form, filled in) or a to-do (a suggestion the to-do
list counts: "No listing for diapers in 97483")."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .admin_read_only import ReadOnlyAdmin
from .models import Suggestion, SuggestionKind, UnmetSearch
from .unmet import week_of

ROWS_SHOWN = 50
WEEKS_OFFERED = 12


def _chosen_week(request: HttpRequest, weeks: list[datetime.date]) -> datetime.date | None:
    """The ?week=YYYY-MM-DD asked for (any day: its week), else the latest week logged."""
    try:
        return week_of(datetime.date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return weeks[0] if weeks else None


@admin.register(UnmetSearch)
class UnmetSearchAdmin(ReadOnlyAdmin):
    """Read-only: the rows are counts the search page writes."""

    def get_urls(self):
        to_do = self.admin_site.admin_view(self.to_do_view)
        return [path("to-do/", to_do, name="directory_unmetsearch_to_do"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        weeks = list(
            UnmetSearch.objects.order_by("-week")
            .values_list("week", flat=True)
            .distinct()[:WEEKS_OFFERED]
        )
        week = _chosen_week(request, weeks)
        rows = UnmetSearch.objects.filter(week=week)
        by_need = list(
            rows.values("need")
            .annotate(searches=Sum("searches"), found_nothing=Sum("found_nothing"))
            .order_by("-searches", "need")[:ROWS_SHOWN]
        )
        by_need_and_zip = list(
            rows.exclude(zip="").order_by("-searches", "need", "zip")[:ROWS_SHOWN]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Unmet needs"),
            "weeks": weeks,
            "week": week,
            "by_need": by_need,
            "by_need_and_zip": by_need_and_zip,
            "can_add_synonym": request.user.has_perm("directory.add_synonym"),
            "can_add_to_do": request.user.has_perm("directory.add_suggestion"),
            "synonym_add_url": reverse("admin:directory_synonym_add"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/directory/unmet_needs.html", context)

    @staticmethod
    @require_POST
    def to_do_view(request: HttpRequest) -> HttpResponse:
        """Put "No listing for NEED in ZIP" on the to-do list, as a new-listing suggestion."""
        if not request.user.has_perm("directory.add_suggestion"):
            raise PermissionDenied
        need = request.POST.get("need", "").strip()[:100]
        zip_code = request.POST.get("zip", "").strip()[:5]
        back = reverse("admin:directory_unmetsearch_changelist")
        if not need:
            messages.error(request, _("Choose a need to put on the to-do list."))
            return redirect(back)
        if zip_code:
            message = _("No listing for “%(need)s” in %(zip)s: residents searched for it.")
        else:
            message = _("No listing for “%(need)s”: residents searched for it.")
        suggestion = Suggestion.objects.create(
            kind=SuggestionKind.NEW_LISTING, message=message % {"need": need, "zip": zip_code}
        )
        messages.success(
            request,
            _("Added to the to-do list as message %(reference)s.")
            % {"reference": suggestion.reference},
        )
        return redirect(back)
