"""Team progress on a city's page: counts of approved staff per course, never names."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from compacts.models import StaffStatus
from curriculum.progress import team_progress_for_city
from tests.compacts.factories import CityFactory, CityStaffFactory

from .factories import (
    CourseFactory,
    LessonCompletionFactory,
    LessonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_of_three():
    course = CourseFactory(title="Adult course")
    return course, LessonFactory.create_batch(3, course=course)


def finish(user, lessons):
    for lesson in lessons:
        LessonCompletionFactory(user=user, lesson=lesson)


def test_counts_started_and_finished_for_approved_staff_only(course_of_three):
    course, lessons = course_of_three
    city = CityFactory()
    finisher = CityStaffFactory(city=city).user
    starter = CityStaffFactory(city=city).user
    CityStaffFactory(city=city)  # approved, has not started
    pending = CityStaffFactory(city=city, status=StaffStatus.PENDING).user
    revoked = CityStaffFactory(city=city, status=StaffStatus.REVOKED).user
    elsewhere = CityStaffFactory().user  # approved for another city
    finish(finisher, lessons)
    finish(starter, lessons[:1])
    for outsider in (pending, revoked, elsewhere):
        finish(outsider, lessons)
    empty_course = CourseFactory(title="No lessons yet")

    rows = team_progress_for_city(city)

    assert [row.course for row in rows] == [course]  # a course without lessons is left out
    assert empty_course not in [row.course for row in rows]
    assert (rows[0].started, rows[0].finished, rows[0].staff_total) == (2, 1, 3)


def test_a_city_without_approved_staff_shows_zeros(course_of_three):
    city = CityFactory()
    CityStaffFactory(city=city, status=StaffStatus.PENDING)
    rows = team_progress_for_city(city)
    assert [(row.started, row.finished, row.staff_total) for row in rows] == [(0, 0, 0)]


def test_query_count_is_fixed(django_assert_max_num_queries):
    city = CityFactory()
    courses = CourseFactory.create_batch(5)
    lessons = [LessonFactory.create_batch(4, course=course) for course in courses]
    for number in range(25):
        user = CityStaffFactory(city=city).user
        finish(user, lessons[number % 5][: 1 + number % 4])
    with django_assert_max_num_queries(2):  # the courses with the staff count; completions
        rows = team_progress_for_city(city)
    assert sum(row.started for row in rows) == 25
    assert sum(row.finished for row in rows) == 6  # those with 1 + n % 4 == 4


def test_the_city_page_include_shows_counts_and_no_names(course_of_three):
    _, lessons = course_of_three
    city = CityFactory()
    staff = CityStaffFactory(city=city, user__name="Robin Staffer", user__email="robin@example.org")
    finish(staff.user, lessons)
    html = render_to_string(
        "curriculum/includes/city_team_progress.html",
        {"team_progress": team_progress_for_city(city)},
    )
    assert "Adult course" in html
    assert "<caption>" in html
    assert "<td>1</td> <td>1</td>" in re.sub(r"\s+", " ", html)
    assert "Robin Staffer" not in html
    assert "robin@example.org" not in html


def test_the_city_page_include_without_staff_explains_itself():
    html = render_to_string("curriculum/includes/city_team_progress.html", {"team_progress": []})
    assert "will be shown here as counts" in html


def test_the_city_page_shows_the_team_progress(client, course_of_three):
    _, lessons = course_of_three
    city = CityFactory()
    finish(CityStaffFactory(city=city, user__name="Robin Staffer").user, lessons[:2])
    html = client.get(reverse("compacts:city_detail", args=[city.slug])).content.decode()
    assert "The city team's learning" in html
    assert "<td>1</td> <td>0</td>" in re.sub(r"\s+", " ", html)
    assert "Robin Staffer" not in html
