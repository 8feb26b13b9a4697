"""Team progress: how many of a city's approved staff completed lessons, as counts only."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce

from compacts.models import CityStaff

from .models import Course, LessonCompletion


@dataclass(frozen=True)
class CourseTeamProgress:
    course: Course
    started: int  # approved staff who completed at least one lesson of the course
    finished: int  # approved staff who completed every lesson of the course
    staff_total: int


def team_progress_for_city(city) -> list[CourseTeamProgress]:
    """One row per course with lessons; counts of approved staff, never their names.

    Two queries whatever the number of staff, courses or lessons (one when the city has no
    approved staff): the courses, each carrying the city's staff count, then completions.
    """
    staff = CityStaff.objects.approved().filter(city=city)
    staff_count = staff.order_by().values("city").annotate(n=Count("pk")).values("n")
    courses = list(
        Course.objects.select_related("provider")
        .with_lessons()
        .with_lesson_totals()
        .annotate(
            city_staff_total=Coalesce(Subquery(staff_count, output_field=IntegerField()), Value(0))
        )
    )
    staff_total = courses[0].city_staff_total if courses else 0
    staff_users = staff.values("user_id")
    if not staff_total:
        return [CourseTeamProgress(course, 0, 0, 0) for course in courses]

    per_person = (
        LessonCompletion.objects.filter(user_id__in=staff_users)
        .values("lesson__course_id", "user_id")
        .annotate(done=Count("lesson_id", distinct=True))
        .order_by()
    )
    started: dict[int, int] = defaultdict(int)
    finished: dict[int, int] = defaultdict(int)
    totals = {course.pk: course.lesson_total for course in courses}
    for row in per_person:
        course_id = row["lesson__course_id"]
        started[course_id] += 1
        if row["done"] >= totals.get(course_id, 0) > 0:
            finished[course_id] += 1
    return [
        CourseTeamProgress(course, started[course.pk], finished[course.pk], staff_total)
        for course in courses
    ]
