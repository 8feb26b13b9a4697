"""Writes for the curriculum: counterpart links, what a lesson supports in a city's plan, and
a person's lesson completions."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from compacts.models import Commitment

from .models import Lesson, LessonCompletion, LessonSupport, validate_counterparts


def lesson_counterparts_set(lesson: Lesson, counterparts: Iterable[Lesson]) -> None:
    """Replace a lesson's counterparts; the link is symmetric, so each side sees the other.

    Raises ValidationError when a counterpart is for the same audience as the lesson.
    """
    counterparts = list(counterparts)
    validate_counterparts(lesson.course.audience, counterparts)
    lesson.counterparts.set(counterparts)


def lesson_counterpart_add(lesson: Lesson, counterpart: Lesson) -> None:
    validate_counterparts(lesson.course.audience, [counterpart])
    lesson.counterparts.add(counterpart)


@transaction.atomic
def lesson_supports_set(
    lesson: Lesson, *, steps: Iterable[str], commitments: Iterable[Commitment]
) -> None:
    """Replace the plan steps (compacts.plan.PlanStep values) and compact commitments that
    ``lesson`` supports; a step or commitment given twice is kept once."""
    LessonSupport.objects.filter(lesson=lesson).delete()
    LessonSupport.objects.bulk_create(
        [LessonSupport(lesson=lesson, step=step) for step in dict.fromkeys(steps)]
        + [
            LessonSupport(lesson=lesson, commitment=commitment)
            for commitment in dict.fromkeys(commitments)
        ]
    )


def completion_mark_done(user, lesson: Lesson, note: str | None = None) -> LessonCompletion:
    """Record that ``user`` finished ``lesson``; doing it twice keeps one record.

    ``note`` None leaves an existing note alone; a string (even empty) replaces it.
    """
    try:
        with transaction.atomic():
            completion, created = LessonCompletion.objects.get_or_create(
                user=user,
                lesson=lesson,
                defaults={"note": note or "", "completed_at": timezone.now()},
            )
    except IntegrityError:
        # Two clicks at once: the other request created it first.
        completion, created = LessonCompletion.objects.get(user=user, lesson=lesson), False
    if not created and note is not None and completion.note != note:
        completion.note = note
        completion.save(update_fields=["note"])
    return completion


def completion_undo(user, lesson: Lesson) -> bool:
    """Forget that ``user`` finished ``lesson``, note included. True when one was removed."""
    deleted, _ = LessonCompletion.objects.filter(user=user, lesson=lesson).delete()
    return bool(deleted)
