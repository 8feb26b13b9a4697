"""This app's part of the signed-in person's account page."""

from django.db.models import Count

from .models import LessonCompletion


def account_section(user) -> tuple[str, dict] | None:
    """The person's curriculum progress in brief, with a link to the full page."""
    summary = LessonCompletion.objects.for_user(user).aggregate(
        lessons=Count("lesson_id", distinct=True),
        courses=Count("lesson__course_id", distinct=True),
    )
    return ("curriculum/includes/account_section.html", summary)
