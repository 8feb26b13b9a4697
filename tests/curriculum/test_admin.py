"""Admin: the pages load, lessons sit inline in their course, counterparts are validated."""

import pytest
from django.urls import reverse

from curriculum.admin import LessonAdminForm
from curriculum.models import Lesson

from .factories import (
    CourseFactory,
    LessonFactory,
    ProviderFactory,
    ResourceFactory,
    ThemeFactory,
    YouthCourseFactory,
)

pytestmark = pytest.mark.django_db


def lesson_form_data(lesson, **changes):
    data = {
        "course": lesson.course_id,
        "position": lesson.position,
        "title": lesson.title,
        "slug": lesson.slug,
        "summary": lesson.summary,
        "content_language": lesson.content_language,
        "link": "",
        "link_kind": "lesson",
        "duration_minutes": "",
        "themes": [],
        "counterparts": [],
        **support_rows([]),
    }
    data.update(changes)
    return data


def support_rows(rows: list[dict], initial: int = 0) -> dict:
    """The admin's inline of what a lesson supports: rows of {"step": …, "commitment": …}."""
    data = {
        "supports-TOTAL_FORMS": str(len(rows)),
        "supports-INITIAL_FORMS": str(initial),
        "supports-MIN_NUM_FORMS": "0",
        "supports-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"supports-{index}-{name}"] = value
    return data


@pytest.mark.parametrize("model", ["provider", "theme", "course", "lesson", "resource"])
def test_changelist_and_add_pages_load(admin_client, model):
    LessonFactory(themes=[ThemeFactory()])
    ResourceFactory()
    assert admin_client.get(reverse(f"admin:curriculum_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:curriculum_{model}_add")).status_code == 200


def test_course_page_shows_its_lessons_inline_in_order(admin_client):
    course = CourseFactory()
    LessonFactory(course=course, position=2, title="Second")
    LessonFactory(course=course, position=1, title="First")
    html = admin_client.get(reverse("admin:curriculum_course_change", args=[course.pk])).content
    html = html.decode()
    assert html.index('value="First"') < html.index('value="Second"')


def test_lesson_page_chooses_counterparts_with_autocomplete(admin_client):
    lesson = LessonFactory()
    html = admin_client.get(reverse("admin:curriculum_lesson_change", args=[lesson.pk])).content
    assert b'data-field-name="counterparts"' in html
    assert b"admin-autocomplete" in html


def test_autocomplete_finds_lessons(admin_client):
    LessonFactory(title="Navigating Emotions", course=YouthCourseFactory())
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Navigating",
            "app_label": "curriculum",
            "model_name": "lesson",
            "field_name": "counterparts",
        },
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Navigating Emotions"]


def test_admin_form_accepts_a_youth_counterpart_and_links_both_ways(admin_client):
    adult = LessonFactory()
    youth = LessonFactory(course=YouthCourseFactory())
    response = admin_client.post(
        reverse("admin:curriculum_lesson_change", args=[adult.pk]),
        lesson_form_data(adult, counterparts=[youth.pk]),
    )
    assert response.status_code == 302
    assert list(youth.counterparts.all()) == [adult]


def test_admin_form_refuses_a_counterpart_for_the_same_audience(admin_client):
    adult = LessonFactory()
    other_adult = LessonFactory(title="Another adult lesson")
    response = admin_client.post(
        reverse("admin:curriculum_lesson_change", args=[adult.pk]),
        lesson_form_data(adult, counterparts=[other_adult.pk]),
    )
    assert response.status_code == 200
    assert "Another adult lesson" in str(response.context["adminform"].form.errors["counterparts"])
    assert not adult.counterparts.exists()


def test_admin_form_checks_against_the_new_course_audience():
    youth = LessonFactory(course=YouthCourseFactory())
    lesson = LessonFactory()
    form = LessonAdminForm(
        data=lesson_form_data(lesson, course=YouthCourseFactory().pk, counterparts=[youth.pk]),
        instance=lesson,
    )
    assert not form.is_valid()
    assert "counterparts" in form.errors


def test_admin_course_form_refuses_a_grade_band_for_adults(admin_client):
    provider = ProviderFactory()
    response = admin_client.post(
        reverse("admin:curriculum_course_add"),
        {
            "provider": provider.pk,
            "title": "Adults with a band",
            "slug": "adults-with-a-band",
            "audience": "adult",
            "grade_band": "high_school",
            "position": 0,
            "lessons-TOTAL_FORMS": 0,
            "lessons-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "grade_band" in response.context["adminform"].form.errors
    assert not Lesson.objects.exists()
