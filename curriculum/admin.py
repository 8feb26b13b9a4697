from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from compacts.models import Commitment

from .models import (
    Audience,
    Course,
    Lesson,
    LessonSupport,
    Provider,
    Resource,
    Theme,
    validate_counterparts,
)

# Links typed without a scheme are taken as https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "website", "cost"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class LessonInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = Lesson
    fields = ["position", "title", "slug", "duration_minutes", "link", "link_kind"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["position"]
    extra = 1
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "provider", "audience", "grade_band", "link_kind", "position"]
    list_filter = ["audience", "grade_band", "provider"]
    list_select_related = ["provider"]
    search_fields = ["title", "provider__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["provider"]
    inlines = [LessonInline]


class LessonAdminForm(forms.ModelForm):
    class Meta:
        model = Lesson
        formfield_callback = https_formfield
        fields = [
            "course",
            "position",
            "title",
            "slug",
            "summary",
            "content_language",
            "link",
            "link_kind",
            "duration_minutes",
            "themes",
            "counterparts",
        ]

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        counterparts = cleaned.get("counterparts")
        if course and counterparts:
            try:
                validate_counterparts(course.audience, counterparts.select_related("course"))
            except ValidationError as error:
                self.add_error("counterparts", error)
        return cleaned


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, commitment: Commitment) -> str:
        return f"{commitment.compact.title} · {commitment}"


class LessonSupportFormSet(forms.BaseInlineFormSet):
    """Names each step or commitment once, so two new rows alike get an error, not a 500.

    (The database's unique constraints are conditional, which form validation checks only
    against saved rows, not against another row of the same submission.)
    """

    def clean(self) -> None:
        super().clean()
        seen: set[tuple] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            step, commitment = form.cleaned_data.get("step"), form.cleaned_data.get("commitment")
            if not step and not commitment:
                continue
            key = ("step", step) if step else ("commitment", commitment.pk)
            if key in seen:
                form.add_error(None, _("This step or commitment is already listed above."))
            seen.add(key)


class LessonSupportInline(admin.TabularInline):
    model = LessonSupport
    formset = LessonSupportFormSet
    fields = ["step", "commitment"]
    extra = 1
    verbose_name = _("step of a city's plan or compact commitment this lesson supports")
    verbose_name_plural = _("steps of a city's plan and compact commitments this lesson supports")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commitment":
            return CommitmentChoiceField(
                queryset=Commitment.objects.select_related("compact").order_by(
                    "compact__title", "position"
                ),
                required=False,
                label=db_field.verbose_name,
                help_text=_("Choose a step or a commitment on each row, not both."),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    form = LessonAdminForm
    list_display = ["title", "course", "position", "audience_label", "duration_minutes"]
    list_filter = ["course__audience", "course__provider", "themes"]
    list_select_related = ["course"]
    search_fields = ["title", "slug", "course__title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["course", "counterparts"]
    filter_horizontal = ["themes"]
    ordering = ["course__position", "course__title", "position"]
    inlines = [LessonSupportInline]

    @admin.display(description=_("audience"), ordering="course__audience")
    def audience_label(self, lesson: Lesson) -> str:
        return Audience(lesson.course.audience).label


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "provider", "audience"]
    list_filter = ["audience", "provider"]
    list_select_related = ["provider"]
    search_fields = ["title", "provider__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["provider"]
