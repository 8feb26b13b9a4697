"""Which lessons support which items of a city's plan, for the plan's pages in compacts.

compacts never imports the curriculum (see the import contracts in pyproject.toml): its
templates call the template tags in curriculum_tags, which read through this module.
"""

from collections import defaultdict

from django.db.models import Q

from .models import Lesson, LessonSupport

# ("step", a compacts.plan.PlanStep value) or ("commitment", a compacts.Commitment id)
PlanItemKey = tuple[str, str | int]


def lessons_supporting(
    steps: list[str], commitment_ids: list[int]
) -> dict[PlanItemKey, list[Lesson]]:
    """The lessons tagged with each of these plan steps and commitments, in one query.

    Keys are ``("step", code)`` and ``("commitment", id)``; an item no lesson supports has no
    key. Each list is in reading order (adult courses first), with each lesson's course and
    provider loaded, so that links to the lessons cost no further query.
    """
    if not steps and not commitment_ids:
        return {}
    supports = (
        LessonSupport.objects.filter(Q(step__in=steps) | Q(commitment_id__in=commitment_ids))
        .select_related("lesson__course__provider")
        .order_by(
            "lesson__course__audience",
            "lesson__course__position",
            "lesson__course__title",
            "lesson__course_id",
            "lesson__position",
        )
    )
    lessons: dict[PlanItemKey, list[Lesson]] = defaultdict(list)
    for support in supports:
        lessons[support.key].append(support.lesson)
    return dict(lessons)
