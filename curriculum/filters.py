"""Filters for the curriculum index."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Audience, GradeBand, Lesson, Provider, Theme


class LessonFilter(django_filters.FilterSet):
    audience = django_filters.ChoiceFilter(
        field_name="course__audience",
        choices=Audience.choices,
        label=_("Audience"),
        empty_label=_("Adults and young people"),
    )
    grade_band = django_filters.ChoiceFilter(
        field_name="course__grade_band",
        choices=GradeBand.choices,
        label=_("Grade band"),
        empty_label=_("Any grade band"),
    )
    provider = django_filters.ModelChoiceFilter(
        field_name="course__provider",
        queryset=Provider.objects.all(),
        to_field_name="slug",
        label=_("Provider"),
        empty_label=_("Any provider"),
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        label=_("Theme"),
        empty_label=_("Any theme"),
    )

    class Meta:
        model = Lesson
        fields = ["audience", "grade_band", "provider", "theme"]

    @property
    def is_active(self) -> bool:
        """True when the visitor chose at least one filter."""
        return self.is_bound and any(self.data.get(name) for name in self.filters)
