"""Figures this app contributes to the home page (see compassion_portal.figures)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compassion_portal.figures import Figure

from .models import Course, Lesson, LessonCompletion


def home_figures() -> list[Figure]:
    """Three queries: lessons, courses, lessons completed since the start of this month."""
    index = reverse("curriculum:index")
    return [
        Figure(_("compassion lessons to take"), Lesson.objects.count(), index),
        Figure(_("adult and youth courses"), Course.objects.count(), index),
        Figure(_("lessons completed this month"), LessonCompletion.objects.this_month().count()),
    ]
