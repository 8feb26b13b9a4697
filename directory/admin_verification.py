"""The admin's queue of changes proposed by providers from their verification links
(directory/verification.py): approve (the listing changes, the change log says "the
provider", the listing is verified today) or decline. The proposals themselves are never
edited; deciding needs the change permission."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_read_only import ReadOnlyAdmin
from .models import ProposedChange, VerificationRequest
from .verification import (
    APPLIED_FIELDS,
    PROPOSABLE_FIELDS,
    proposed_change_approve,
    proposed_change_decline,
)


@admin.register(ProposedChange)
class ProposedChangeAdmin(admin.ModelAdmin):
    list_display = [
        "listing_link",
        "field",
        "current_value",
        "proposed_value",
        "provider_note",
        "created_at",
        "status",
    ]
    list_display_links = ["field"]
    list_filter = ["status", "field_name"]
    list_select_related = ["service", "decided_by"]
    search_fields = ["service__name", "proposed_value", "provider_note"]
    actions = ["approve", "decline"]
    readonly_fields = [
        "service",
        "request",
        "field_name",
        "current_value",
        "proposed_value",
        "provider_note",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("listing"), ordering="service__name")
    def listing_link(self, change: ProposedChange) -> str:
        url = reverse("admin:directory_service_change", args=[change.service_id])
        return format_html('<a href="{}">{}</a>', url, change.service.name)

    @admin.display(description=_("field"), ordering="field_name")
    def field(self, change: ProposedChange) -> str:
        label = PROPOSABLE_FIELDS.get(change.field_name, change.field_name)
        if change.field_name in APPLIED_FIELDS:
            return str(label)
        return format_html("{} <span>({})</span>", label, _("applied by hand"))

    @admin.action(
        description=_("Approve the selected changes (the listing changes)"),
        permissions=["change"],
    )
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved = 0
        by_hand = 0
        for change in queryset.select_related("service"):
            if proposed_change_approve(change=change, actor=request.user):
                approved += 1
                by_hand += change.field_name not in APPLIED_FIELDS
        self.message_user(
            request,
            ngettext("Approved %(count)d change.", "Approved %(count)d changes.", approved)
            % {"count": approved},
            messages.SUCCESS,
        )
        if by_hand:
            self.message_user(
                request,
                _(
                    "Hours and notes are not applied by themselves: change the listing's hours "
                    "or details on its page in the admin."
                ),
                messages.WARNING,
            )

    @admin.action(
        description=_("Decline the selected changes (the listing stays as it is)"),
        permissions=["change"],
    )
    def decline(self, request: HttpRequest, queryset: QuerySet) -> None:
        declined = sum(
            proposed_change_decline(change=change, actor=request.user) for change in queryset
        )
        self.message_user(
            request,
            ngettext("Declined %(count)d change.", "Declined %(count)d changes.", declined)
            % {"count": declined},
            messages.SUCCESS,
        )


@admin.register(VerificationRequest)
class VerificationRequestAdmin(ReadOnlyAdmin):
    """Read-only: which listings were asked, when, and whether a link was used."""

    list_display = ["service", "sent_to", "sent_at", "reminder", "expires_at", "used_at"]
    list_filter = ["reminder", ("used_at", admin.EmptyFieldListFilter)]
    list_select_related = ["service"]
    search_fields = ["service__name", "sent_to"]
    exclude = ["token_hash"]
