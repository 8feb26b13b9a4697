from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from compassion_portal.ratelimit import client_ip

from . import services
from .exports import SIGNATURE_CSV_HEADER, csv_response, signature_csv_rows
from .models import (
    AuditAction,
    AuditEvent,
    City,
    CityJoinRequest,
    CityStaff,
    Commitment,
    Compact,
    MayorTerm,
    Signature,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "mayor_name", "partner_since", "charter_status", "is_demo"]
    list_filter = [
        "state",
        "charter_status",
        "is_demo",
        ("partner_since", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "mayor_name", "slug"]
    prepopulated_fields = {"slug": ["name", "state"]}
    fieldsets = (
        (None, {"fields": ("name", "state", "slug", "mayor_name", "population", "website")}),
        (_("Partnership"), {"fields": ("partner_since", "charter_status", "charter_affirmed_on")}),
        (_("Other"), {"fields": ("time_zone", "is_demo")}),
    )


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 1
    ordering = ["position"]


@admin.register(Compact)
class CompactAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "introduced_by",
        "introduced_label",
        "is_open",
        "renewal_months",
        "renewal_window_days",
    ]
    list_filter = ["is_open"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CommitmentInline]
    fieldsets = (
        (
            None,
            {"fields": ("title", "slug", "content_language", "summary", "background", "is_open")},
        ),
        (_("Introduced"), {"fields": ("introduced_by", "introduced_on", "introduced_label")}),
        (
            _("The published text"),
            {
                "fields": ("full_text", "source_name", "source_url", "published_on"),
                "description": _(
                    "Paste the compact's own text only when you have it as published; "
                    "otherwise link to it. The page says plainly when neither is known."
                ),
            },
        ),
        (
            _("Commitments and renewal"),
            {"fields": ("commitments_are_summary", "renewal_months", "renewal_window_days")},
        ),
    )


def _service_action(
    name: str, decide, description, done_message, *, rows: str, named, refused, related=()
):
    """An admin action that runs a service (so each decision is audited and emailed) on
    every selected row, passed as the keyword ``rows`` names ("staff", "join_request"), and
    reports the rows the service refuses (``named`` names one); ``refused`` is the message
    for an admin who may not decide them at all."""

    def action(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
        done, skipped = 0, []
        for row in queryset.select_related(*related) if related else queryset:
            try:
                decide(actor=request.user, ip=client_ip(request), **{rows: row})
            except services.CompactsError as error:
                skipped.append(f"{named(row)}: {error}")
            except PermissionDenied:
                modeladmin.message_user(request, refused, messages.ERROR)
                return
            else:
                done += 1
        if done:
            modeladmin.message_user(request, done_message(done), messages.SUCCESS)
        for line in skipped:
            modeladmin.message_user(request, line, messages.WARNING)

    action.__name__ = name
    return admin.action(description=description)(action)


def _decision_action(name: str, decide, description, done_message):
    return _service_action(
        name,
        decide,
        description,
        done_message,
        rows="staff",
        named=lambda staff: f"{staff.user} · {staff.city}",
        refused=_("You may not decide staff requests."),
        related=("user", "city"),
    )


approve_staff = _decision_action(
    "approve_staff",
    services.staff_approve,
    _("Approve the selected requests (emails each person)"),
    lambda n: ngettext("Approved %d request.", "Approved %d requests.", n) % n,
)
reject_staff = _decision_action(
    "reject_staff",
    services.staff_reject,
    _("Reject the selected requests (emails each person)"),
    lambda n: ngettext("Rejected %d request.", "Rejected %d requests.", n) % n,
)
revoke_staff = _decision_action(
    "revoke_staff",
    services.staff_revoke,
    _("Revoke the selected staff (emails each person)"),
    lambda n: ngettext("Revoked %d staff member.", "Revoked %d staff members.", n) % n,
)


@admin.register(CityStaff)
class CityStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "role", "job_title", "work_phone", "status", "requested_at"]
    list_filter = ["status", "role", "city__state"]
    search_fields = ["user__email", "user__name", "city__name", "job_title"]
    list_select_related = ["user", "city"]
    autocomplete_fields = ["city"]
    raw_id_fields = ["user"]
    actions = [approve_staff, reject_staff, revoke_staff]
    # Decisions go through the actions so that they are audited and emailed.
    readonly_fields = ["status", "requested_at", "decided_by", "decided_at"]
    date_hierarchy = "requested_at"


def _join_action(name: str, decide, description, done_message):
    return _service_action(
        name,
        decide,
        description,
        done_message,
        rows="join_request",
        named=lambda join_request: f"{join_request.city_name}, {join_request.state}",
        refused=_("You may not decide requests to add a city."),
    )


approve_join = _join_action(
    "approve_join",
    services.city_join_approve,
    _("Add the selected cities to the registry (files each person's staff request, emails them)"),
    lambda n: ngettext("Added %d city.", "Added %d cities.", n) % n,
)
refuse_join = _join_action(
    "refuse_join",
    services.city_join_refuse,
    _("Refuse the selected requests (emails each person)"),
    lambda n: ngettext("Refused %d request.", "Refused %d requests.", n) % n,
)


@admin.register(CityJoinRequest)
class CityJoinRequestAdmin(admin.ModelAdmin):
    list_display = [
        "city_name",
        "state",
        "requested_by",
        "role",
        "job_title",
        "work_phone",
        "time_zone",
        "status",
        "requested_at",
    ]
    list_filter = ["status", "state"]
    search_fields = ["city_name", "requested_by__email", "job_title"]
    list_select_related = ["requested_by"]
    actions = [approve_join, refuse_join]
    # Decisions go through the actions so that they are audited and emailed; an admin may
    # correct the city's name or state and must set its time zone before approving.
    fields = [
        "city_name",
        "state",
        "time_zone",
        "requested_by",
        "role",
        "job_title",
        "work_phone",
        "message",
        "status",
        "requested_at",
        "decided_by",
        "decided_at",
        "city",
    ]
    readonly_fields = [
        "requested_by",
        "role",
        "job_title",
        "work_phone",
        "message",
        "status",
        "requested_at",
        "decided_by",
        "decided_at",
        "city",
    ]
    date_hierarchy = "requested_at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # people ask from the site, with a verified email

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # refuse instead: the audit log refers to the request


class SignatureStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("withdrawn", _("Withdrawn"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "withdrawn":
            return queryset.withdrawn()
        return queryset


class RenewalDueFilter(admin.SimpleListFilter):
    title = _("renewal")
    parameter_name = "renewal"

    def lookups(self, request, model_admin):
        return [("due", _("Can be renewed now (due or overdue)"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.renewable()
        return queryset


@admin.action(description=_("Download the selected signatures as CSV"))
def export_signatures_csv(modeladmin, request, queryset) -> HttpResponse:
    return csv_response(
        "signatures.csv",
        [*SIGNATURE_CSV_HEADER, "compact", "withdrawn_on"],
        (
            [*row, signature.compact.title, signature.withdrawn_on or ""]
            for signature, row in _with_rows(queryset.select_related("city", "compact"))
        ),
    )


def _with_rows(signatures):
    signatures = list(signatures)
    return zip(signatures, signature_csv_rows(signatures), strict=True)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "city",
        "compact",
        "mayor_name",
        "signed_on",
        "renewed_on",
        "renewal_due",
        "withdrawn_on",
    ]
    list_filter = ["compact", "city__state", SignatureStatusFilter, RenewalDueFilter]
    search_fields = ["city__name", "mayor_name", "compact__title"]
    list_select_related = ["city", "compact"]
    autocomplete_fields = ["city"]
    raw_id_fields = ["signed_by"]
    actions = [export_signatures_csv]
    date_hierarchy = "signed_on"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # withdraw instead: the public record keeps its history

    @admin.display(description=_("renewal"))
    def renewal_due(self, obj: Signature) -> str:
        if not obj.is_active:
            return "—"
        renewal = obj.renewal()
        due = formats.date_format(renewal.due_on, "DATE_FORMAT")
        if renewal.is_overdue:
            return _("overdue since %(date)s") % {"date": due}
        if renewal.is_due:
            return _("due by %(date)s") % {"date": due}
        return _("next due %(date)s") % {"date": due}

    def save_model(self, request, obj: Signature, form, change: bool) -> None:
        """Admins may correct signatures here; sign, renew and withdraw are still audited."""
        super().save_model(request, obj, form, change)
        action = None
        if not change:
            action = AuditAction.SIGN
        elif "withdrawn_on" in form.changed_data and obj.withdrawn_on:
            action = AuditAction.WITHDRAW
        elif "renewed_on" in form.changed_data and obj.renewed_on:
            action = AuditAction.RENEW
        if action:
            services.audit_admin_change(
                actor=request.user, action=action, signature=obj, ip=client_ip(request)
            )


@admin.register(MayorTerm)
class MayorTermAdmin(admin.ModelAdmin):
    """Recording a new mayor's term: the previous term ends the day before, the city's mayor
    changes, and signatures made earlier are marked for re-affirmation (compacts.services).
    Terms are history: once recorded they are read here, not changed or deleted."""

    list_display = ["city", "mayor_name", "starts_on", "ends_on"]
    list_filter = ["city__state"]
    search_fields = ["city__name", "mayor_name"]
    list_select_related = ["city"]
    # A plain <select>, not the autocomplete box: that one has no accessible name (axe
    # aria-input-field-name), and a city is found in a select by typing its first letters.
    fields = ["city", "mayor_name", "starts_on", "ends_on"]

    def get_readonly_fields(self, request, obj=None):
        return ["ends_on"] if obj is None else self.fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: MayorTerm, form, change: bool) -> None:
        term = services.mayor_term_record(
            actor=request.user,
            city=obj.city,
            mayor_name=obj.mayor_name,
            starts_on=obj.starts_on,
            ip=client_ip(request),
        )
        obj.pk, obj.ends_on = term.pk, term.ends_on


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: readable by admins, changeable by nobody."""

    list_display = ["at", "actor", "action", "city", "compact", "detail", "ip_address"]
    list_filter = ["action", "compact"]
    search_fields = ["actor__email", "city__name", "detail", "ip_address"]
    list_select_related = ["actor", "city", "compact"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
