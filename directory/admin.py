from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import (
    admin_unmet,  # noqa: F401  (registers the unmet needs report)
    admin_verification,  # noqa: F401  (registers the providers' proposed changes)
    changelog,
)
from .admin_hours import (
    HoursPreview,
    ScheduleInline,
    ServiceAtLocationScheduleInline,
    hours_panel,
)
from .admin_read_only import ReadOnlyAdmin
from .admin_upload import hsds_upload_urls
from .changelog import Change
from .models import (
    Category,
    ChangeAction,
    ChangeSource,
    HsdsRecord,
    ImportJob,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceLanguage,
    Suggestion,
    SuggestionStatus,
    Synonym,
)
from .search import refresh_search_vectors
from .services import services_mark_verified, suggestions_set_status


class StaleFilter(admin.SimpleListFilter):
    title = _("last verified")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Over a year ago, or never")), ("no", _("Within the last year"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        stale = Service.objects.stale()
        if self.value() == "yes":
            return queryset.filter(pk__in=stale.values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=stale.values("pk"))
        return queryset


class ToLookAtFilter(admin.SimpleListFilter):
    title = _("needs a look")
    parameter_name = "to_look_at"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Skipped rows or failed, in the last 30 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(pk__in=ImportJob.objects.to_look_at().values("pk"))
        return queryset


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """The imports, to read: each links to its page (progress, then report). Uploading is
    on the organizations' "Import an HSDS package" page; nothing here is edited."""

    list_display = ["import_page", "created_at", "created_by", "status", "skipped"]
    list_display_links = None
    list_filter = [ToLookAtFilter, "status"]
    list_select_related = ["created_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("package", "report")

    @admin.display(description=_("file"), ordering="file_name")
    def import_page(self, job: ImportJob) -> str:
        url = reverse("admin:directory_organization_import_job", kwargs={"job_id": job.pk})
        return format_html('<a href="{}">{}</a>', url, job.file_name)


@admin.register(HsdsRecord)
class HsdsRecordAdmin(ReadOnlyAdmin):
    """The rows an import kept as given (contacts, programs, a second address, a monthly
    schedule...), to read: the portal does not use them, the export writes them back, and
    the next import of the package replaces them. Nothing here is edited."""

    list_display = ["hsds_id", "table", "organization", "service", "location"]
    list_filter = ["table"]
    list_select_related = ["organization", "service", "location"]
    search_fields = ["hsds_id"]
    fields = ["table", "hsds_id", "cells", "organization", "service", "location"]
    readonly_fields = fields

    @admin.display(description=_("the row's cells"))
    def cells(self, record: HsdsRecord) -> str:
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            ((column, value) for column, value in record.data.items() if value not in ("", None)),
        )
        return format_html("<table>{}</table>", rows) if rows else "—"


# The directory's inlines are stacked: each field then has its own label, which a tabular inline's
# cells lack (axe-core: label, select-name). Empty rows are not shown until "Add another" is
# pressed, because an empty autocomplete box has no accessible name until something is chosen.


class ServiceInline(admin.StackedInline):
    model = Service
    fields = ["name", "slug", "status", "assured_date"]
    prepopulated_fields = {"slug": ["name"]}
    show_change_link = True
    extra = 0


class LocationInline(admin.StackedInline):
    model = Location
    fields = [
        ("name", "location_type"),
        ("address_1", "address_2"),
        ("city", "state_province", "postal_code"),
        ("latitude", "longitude"),
        "is_confidential",
        "accessibility",
        "transportation",
    ]
    extra = 0


class PhoneInline(admin.StackedInline):
    model = Phone
    fields = ["number", "extension", "type", "description"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "is_demo", "modified_at"]
    list_filter = ["kind", "city", "is_demo"]
    search_fields = ["name", "alternate_name", "hsds_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["city"]
    readonly_fields = ["hsds_id", "created_at", "modified_at"]
    inlines = [ServiceInline, LocationInline, PhoneInline]

    def get_urls(self) -> list:
        return hsds_upload_urls(self.admin_site) + super().get_urls()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_vectors(form.instance.services.values_list("pk", flat=True))


class ServiceCategoryInline(admin.StackedInline):
    model = ServiceCategory
    autocomplete_fields = ["category"]
    fields = ["category"]
    extra = 0


class ServiceLanguageInline(admin.StackedInline):
    model = ServiceLanguage
    fields = ["language", "note"]
    extra = 0


class ServiceAtLocationInline(admin.StackedInline):
    model = ServiceAtLocation
    fields = ["location", "description"]
    autocomplete_fields = ["location"]
    extra = 0


class ServicePhoneInline(PhoneInline):
    fk_name = "service"


class ServiceAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Why (kept in the change log)"),
        max_length=300,
        required=False,
        help_text=_("For example: the provider phoned; a resident reported it (message ABC)."),
    )

    class Meta:
        model = Service
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose; every field is curated)


def _form_changes(form) -> list[Change]:
    """What an admin form changed on its object's own columns, before and after (the hours'
    ticked days are their ``byday`` column)."""
    concrete = {field.name for field in form._meta.model._meta.concrete_fields}
    changes = [
        Change(name, form.initial.get(name), form.cleaned_data.get(name))
        for name in form.changed_data
        if name in concrete
    ]
    if "days" in form.changed_data and "days" not in concrete:
        before = ",".join(form.initial.get("days") or [])
        changes.append(Change("byday", before, form.instance.byday))
    return changes


class ChangeLoggedInlines:
    """Admin pages whose phone and hours inlines write the listing's change log."""

    def logged_service(self, obj) -> Service:
        raise NotImplementedError

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model not in (Phone, Schedule):
            return
        service = self.logged_service(form.instance)
        reason = form.cleaned_data.get("change_reason", "")

        def log(resource, changes, action=ChangeAction.UPDATE) -> None:
            changelog.record(
                service=service,
                resource=resource,
                changes=changes,
                source=ChangeSource.ADMIN,
                action=action,
                actor=request.user,
                reason=reason,
            )

        changed = [obj for obj, _fields in formset.changed_objects]
        for inline_form in formset.forms:
            obj = inline_form.instance
            if obj in formset.new_objects:
                log(obj, [Change("added", "", str(obj))], ChangeAction.CREATE)
            elif any(obj is other for other in changed):
                log(obj, _form_changes(inline_form))
        for obj in formset.deleted_objects:
            log(obj, [Change("removed", str(obj), "")])


@admin.register(Service)
class ServiceAdmin(HoursPreview, ChangeLoggedInlines, admin.ModelAdmin):
    """Every change made here is written to the listing's change log (directory.changelog):
    its own fields, and the phones and hours of its inlines. "Hours residents see" shows
    every hour that applies, wherever it is kept (admin_hours)."""

    form = ServiceAdminForm
    list_display = ["name", "organization", "status", "assured_date", "is_demo"]
    list_filter = [
        "status",
        StaleFilter,
        ("organization__kind", admin.ChoicesFieldListFilter),
        "categories",
        "is_demo",
    ]
    search_fields = ["name", "alternate_name", "organization__name", "hsds_id"]
    list_select_related = ["organization"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization"]
    readonly_fields = ["hsds_id", "last_modified", "created_at", "hours_residents_see"]
    inlines = [
        ServiceCategoryInline,
        ServiceLanguageInline,
        ServiceAtLocationInline,
        ServicePhoneInline,
        ScheduleInline,
    ]
    actions = ["mark_verified_today"]
    date_hierarchy = "assured_date"

    @admin.action(description=_("Mark verified today"), permissions=["change"])
    def mark_verified_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services_mark_verified(queryset, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d listing marked as verified today.",
                "%(count)d listings marked as verified today.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: Service, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changelog.record(
            service=obj,
            resource=obj,
            changes=_form_changes(form) if change else [Change("name", "", obj.name)],
            source=ChangeSource.ADMIN,
            action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
            actor=request.user,
            reason=form.cleaned_data.get("change_reason", ""),
        )

    def logged_service(self, obj: Service) -> Service:
        return obj

    @admin.display(description=_("hours residents see"))
    def hours_residents_see(self, obj: Service) -> str:
        return hours_panel(obj) if obj.pk else "—"

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_vectors([form.instance.pk])


@admin.register(ServiceAtLocation)
class ServiceAtLocationAdmin(HoursPreview, ChangeLoggedInlines, admin.ModelAdmin):
    """A service at one location: the hours and phones that apply there only."""

    list_display = ["service", "location"]
    search_fields = ["service__name", "location__name", "location__address_1"]
    list_select_related = ["service", "location"]
    autocomplete_fields = ["service", "location"]
    readonly_fields = ["hsds_id"]
    inlines = [ServiceAtLocationScheduleInline]

    def logged_service(self, obj: ServiceAtLocation) -> Service:
        return obj.service

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_vectors([form.instance.service_id])


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "city", "postal_code", "is_confidential"]
    list_filter = ["is_confidential", "location_type"]
    search_fields = ["name", "address_1", "city", "postal_code", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["hsds_id"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "code", "taxonomy", "is_sensitive"]
    list_filter = ["is_sensitive"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["hsds_id"]

    def save_model(self, request: HttpRequest, obj: Category, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            refresh_search_vectors(obj.services.values_list("pk", flat=True))


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class SynonymTopicFilter(admin.SimpleListFilter):
    """The topics synonyms are filed under, and "no topic" for those filed under none (a
    blank topic was a link without text)."""

    title = _("topic")
    parameter_name = "topic"
    NONE = "-"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        topics = Synonym.objects.exclude(topic="").order_by("topic").values_list("topic", flat=True)
        return [*((topic, topic) for topic in topics.distinct()), (self.NONE, _("No topic"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == self.NONE:
            return queryset.filter(topic="")
        if self.value():
            return queryset.filter(topic=self.value())
        return queryset


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "expands_to", "language", "topic"]
    list_editable = ["expands_to"]
    list_filter = ["language", SynonymTopicFilter]
    search_fields = ["term", "expands_to", "topic"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Residents' suggestions and reports. Changing a status or the public reply goes through
    directory.services.suggestions_set_status, which emails a sender who asked for it."""

    list_display = ["created_at", "reference", "kind", "status", "listing_link", "short_message"]
    list_display_links = ["reference"]  # what a resident quotes when they write back
    list_filter = ["status", "kind"]
    search_fields = ["reference", "message", "contact_name", "contact_email", "service__name"]
    list_select_related = ["service", "organization"]
    readonly_fields = [
        "reference",
        "kind",
        "message",
        "contact_name",
        "contact_email",
        "notify",
        "language",
        "service",
        "organization",
        "listing_link",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "closed_at",
    ]
    fields = [*readonly_fields[:10], "status", "public_reply", *readonly_fields[10:]]
    actions = ["mark_in_review", "mark_fixed", "mark_declined"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("listing"))
    def listing_link(self, suggestion: Suggestion) -> str:
        if suggestion.service_id:
            url = reverse("admin:directory_service_change", args=[suggestion.service_id])
            return format_html('<a href="{}">{}</a>', url, suggestion.service)
        if suggestion.organization_id:
            url = reverse("admin:directory_organization_change", args=[suggestion.organization_id])
            return format_html('<a href="{}">{}</a>', url, suggestion.organization)
        return "—"

    @admin.display(description=_("message"))
    def short_message(self, suggestion: Suggestion) -> str:
        return suggestion.message[:80]

    def _set_status(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        count = suggestions_set_status(queryset, status=status, reviewer=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d suggestion marked %(status)s.",
                "%(count)d suggestions marked %(status)s.",
                count,
            )
            % {"count": count, "status": SuggestionStatus(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark the selected messages as in review"), permissions=["change"])
    def mark_in_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, SuggestionStatus.IN_REVIEW)

    @admin.action(description=_("Mark the selected messages as fixed"), permissions=["change"])
    def mark_fixed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, SuggestionStatus.ACCEPTED)

    @admin.action(description=_("Mark the selected messages as declined"), permissions=["change"])
    def mark_declined(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, SuggestionStatus.REJECTED)

    def save_model(self, request: HttpRequest, obj: Suggestion, form, change: bool) -> None:
        """Only the status and the public reply can change here, through the service."""
        if change and {"status", "public_reply"} & set(form.changed_data):
            suggestions_set_status(
                [obj], status=obj.status, reviewer=request.user, public_reply=obj.public_reply
            )
