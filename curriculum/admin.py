from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Audience, Course, Lesson, Provider, Resource, Theme, validate_counterparts

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
    fields = ["position", "title", "slug", "duration_minutes", "link"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["position"]
    extra = 1
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "provider", "audience", "grade_band", "position"]
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
