import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compassion_portal.views import home_figures
from curriculum.account import account_section

from .factories import LessonCompletionFactory, LessonFactory, YouthCourseFactory

pytestmark = pytest.mark.django_db


def test_home_figures_count_lessons_courses_and_this_months_completions(
    django_assert_max_num_queries,
):
    lessons = LessonFactory.create_batch(3)  # three adult courses
    LessonFactory(course=YouthCourseFactory())
    YouthCourseFactory()  # no lessons yet: not a course anyone can take, so not counted
    LessonCompletionFactory(lesson=lessons[0])
    LessonCompletionFactory(lesson=lessons[1])
    LessonCompletionFactory(
        lesson=lessons[2], completed_at=timezone.now() - datetime.timedelta(days=45)
    )
    # One query for the curriculum, three for the other apps' figures.
    with django_assert_max_num_queries(4):
        figures = home_figures()
    lessons, courses, completions = figures[-3:]
    assert [str(lessons.label), str(courses.label), str(completions.label)] == [
        "compassion lessons to take",
        "adult and youth courses",
        "lessons completed this month",
    ]
    assert [lessons.value, courses.value, completions.value] == [4, 4, 2]
    assert lessons.url == courses.url == reverse("curriculum:index")
    assert completions.url == ""


def test_home_page_shows_the_curriculum_figures(client):
    LessonFactory()
    html = client.get(reverse("home")).content.decode()
    assert "lessons completed this month" in html
    assert "compassion lessons to take" in html


def test_account_section_summarises_only_this_users_progress(user):
    lessons = LessonFactory.create_batch(2)
    for lesson in lessons:
        LessonCompletionFactory(user=user, lesson=lesson)
    LessonCompletionFactory(lesson=lessons[0])  # someone else
    template, context = account_section(user)
    assert template == "curriculum/includes/account_section.html"
    assert context == {"lessons": 2, "courses": 2}


def test_account_page_links_to_progress(user_client, user):
    LessonCompletionFactory(user=user)
    html = user_client.get(reverse("account_profile")).content.decode()
    assert "You have completed 1 lesson" in html
    assert f'href="{reverse("curriculum:progress")}"' in html
    assert html.count("<h1") == 1
