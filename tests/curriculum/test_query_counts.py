"""Query counts stay flat however many themes, lessons, completions and resources there are.

Expected counts, written down. Anonymous: index 6 (themes, their lessons, their counterpart
links, courses, and the two filter choice lists), course 2, community models 1. A signed-in
request adds 2 (session, user) and 1 for the person's completions; a theme filter adds 1 to
validate its slug. So signed in: filtered index 10, theme 6 (theme, lessons, counterpart
links, completions), course 5, lesson 9 (lesson, themes, counterparts, what it supports,
previous, next, completion), progress 4.
"""

import pytest
from django.urls import reverse

from compacts.plan import PlanStep
from curriculum import services
from curriculum.models import GradeBand
from tests.compacts.factories import CommitmentFactory

from .factories import (
    CourseFactory,
    LessonCompletionFactory,
    LessonFactory,
    ProviderFactory,
    ResourceFactory,
    ThemeFactory,
    YouthCourseFactory,
)

pytestmark = pytest.mark.django_db

SESSION_AND_USER = 2


@pytest.fixture
def big_curriculum(user):
    """10 themes; 100 lessons in 10 courses (5 adult, 5 youth); every lesson linked."""
    themes = ThemeFactory.create_batch(10)
    providers = ProviderFactory.create_batch(3)
    bands = list(GradeBand)
    adult_courses = [CourseFactory(provider=providers[i % 3]) for i in range(5)]
    youth_courses = [
        YouthCourseFactory(provider=providers[i % 3], grade_band=bands[i % 4]) for i in range(5)
    ]
    lessons = []
    for number in range(50):
        theme_pair = [themes[number % 10], themes[(number + 3) % 10]]
        adult = LessonFactory(course=adult_courses[number % 5], themes=theme_pair)
        youth = LessonFactory(course=youth_courses[number % 5], themes=theme_pair)
        services.lesson_counterpart_add(adult, youth)
        lessons += [adult, youth]
    for lesson in lessons[::3]:
        LessonCompletionFactory(user=user, lesson=lesson, note="a thought")
    return themes, lessons


def test_index_with_10_themes_and_100_lessons(
    client, user, big_curriculum, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("curriculum:index"))
    assert len(response.context["sections"]) == 10
    assert sum(len(s.adult) + len(s.youth) for s in response.context["sections"]) == 200

    client.force_login(user)
    with django_assert_max_num_queries(6 + 1 + 1 + SESSION_AND_USER):
        response = client.get(
            reverse("curriculum:index"), {"audience": "adult", "theme": big_curriculum[0][0].slug}
        )
    assert response.status_code == 200
    assert response.context["sections"][0].youth == []


def test_theme_page_with_40_lessons(client, user, big_curriculum, django_assert_max_num_queries):
    theme = big_curriculum[0][0]
    client.force_login(user)
    with django_assert_max_num_queries(4 + SESSION_AND_USER):
        response = client.get(theme.get_absolute_url())
    section = response.context["section"]
    assert len(section.adult) + len(section.youth) == 20
    assert len(section.pairs) == 10


def test_course_with_40_lessons(client, user, django_assert_max_num_queries):
    course = CourseFactory()
    lessons = LessonFactory.create_batch(40, course=course)
    for lesson in lessons[:25]:
        LessonCompletionFactory(user=user, lesson=lesson)
    with django_assert_max_num_queries(2):
        client.get(course.get_absolute_url())
    client.force_login(user)
    with django_assert_max_num_queries(3 + SESSION_AND_USER):
        response = client.get(course.get_absolute_url())
    assert len(response.context["lessons"]) == 40
    assert response.context["done_total"] == 25


def test_lesson_with_many_counterparts_and_themes(client, user, django_assert_max_num_queries):
    adult = LessonFactory(themes=ThemeFactory.create_batch(20))
    LessonFactory.create_batch(30, course=adult.course)
    youth_courses = YouthCourseFactory.create_batch(3)
    services.lesson_counterparts_set(
        adult, [LessonFactory(course=youth_courses[i % 3]) for i in range(25)]
    )
    commitments = CommitmentFactory.create_batch(5)
    services.lesson_supports_set(adult, steps=PlanStep.values, commitments=commitments)
    client.force_login(user)
    with django_assert_max_num_queries(7 + SESSION_AND_USER):
        response = client.get(adult.get_absolute_url())
    html = response.content.decode()
    assert html.count("lesson-list__meta") == 25
    assert all(commitment.text in html for commitment in commitments)


def test_progress_page(client, user, big_curriculum, django_assert_max_num_queries):
    client.force_login(user)
    with django_assert_max_num_queries(2 + SESSION_AND_USER):
        response = client.get(reverse("curriculum:progress"))
    assert len(response.context["courses"]) == 10
    assert response.context["done_total"] == 34


def test_community_models_with_25_toolkits(client, django_assert_max_num_queries):
    ResourceFactory.create_batch(25)
    with django_assert_max_num_queries(1):
        response = client.get(reverse("curriculum:community_models"))
    assert len(response.context["resources"]) == 25
