"""Courses without lessons are not listed; "open this lesson" says what kind of page it opens."""

import importlib
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import reverse

from curriculum import demo
from curriculum.models import Course, Lesson, LinkKind
from curriculum.progress import team_progress_for_city
from tests.compacts.factories import CityFactory

from .factories import CourseFactory, LessonFactory, ProviderFactory, YouthCourseFactory

pytestmark = pytest.mark.django_db


class TestCoursesWithoutLessons:
    @pytest.fixture
    def courses(self):
        taught = LessonFactory(course=CourseFactory(title="Course with lessons")).course
        empty = YouthCourseFactory(title="Course without lessons")
        return taught, empty

    def test_the_queryset(self, courses):
        taught, _ = courses
        assert list(Course.objects.with_lessons()) == [taught]

    def test_not_on_the_index(self, client, courses):
        response = client.get(reverse("curriculum:index"))
        assert list(response.context["courses"]) == [courses[0]]
        html = response.content.decode()
        assert "Course with lessons" in html
        assert "Course without lessons" not in html
        assert "0 lessons" not in html

    def test_not_on_the_progress_page(self, user_client, courses):
        response = user_client.get(reverse("curriculum:progress"))
        assert list(response.context["courses"]) == [courses[0]]
        assert "Course without lessons" not in response.content.decode()

    def test_not_in_a_city_teams_progress(self, courses):
        rows = team_progress_for_city(CityFactory())
        assert [row.course for row in rows] == [courses[0]]

    def test_the_demo_lists_only_its_two_taught_courses(self, client):
        demo.load()
        assert Course.objects.count() == 5
        html = client.get(reverse("curriculum:index")).content.decode()
        courses = html.split("<h2>Courses</h2>", 1)[1]
        assert "CompassionateUSA micro-course" in courses
        assert "SEE Learning: Middle school" in courses
        for band in ("Early elementary", "Late elementary", "High school"):
            assert f"SEE Learning: {band}" not in courses
        assert " 0 lessons" not in courses


def lesson_page(client, lesson) -> str:
    return client.get(lesson.get_absolute_url()).content.decode()


class TestOpenThisLesson:
    def test_a_link_to_the_lesson_itself(self, client):
        lesson = LessonFactory(link="https://provider.example.org/lesson-3")
        html = lesson_page(client, lesson)
        assert 'href="https://provider.example.org/lesson-3" rel="noopener"' in html
        assert f">Open this lesson at {lesson.course.provider.name}</a>" in html
        assert "catalogue" not in html

    def test_the_course_page_when_the_lesson_has_no_link(self, client):
        lesson = LessonFactory(link="")
        html = lesson_page(client, lesson)
        assert f'href="{lesson.course.link}" rel="noopener"' in html
        assert f">Open this lesson's course at {lesson.course.provider.name}</a>" in html
        assert "Open this lesson at" not in html

    def test_a_course_link_to_the_catalogue_says_so(self, client):
        provider = ProviderFactory(name="SEE Learning")
        course = CourseFactory(
            provider=provider, link="https://see.example.org", link_kind=LinkKind.CATALOGUE
        )
        html = lesson_page(client, LessonFactory(course=course, link=""))
        assert ">Find this lesson in the catalogue of SEE Learning</a>" in html
        assert "not the lesson itself" in html
        assert "Open this lesson" not in html

    def test_a_lesson_link_marked_as_the_catalogue_says_so(self, client):
        lesson = LessonFactory(link="https://provider.example.org/", link_kind=LinkKind.CATALOGUE)
        html = lesson_page(client, lesson)
        assert 'href="https://provider.example.org/" rel="noopener"' in html
        assert "Find this lesson in the catalogue of" in html

    def test_the_providers_website_is_always_called_its_catalogue(self, client):
        course = CourseFactory(link="")
        lesson = LessonFactory(course=course, link="")
        html = lesson_page(client, lesson)
        assert f'href="{course.provider.website}" rel="noopener"' in html
        assert "Find this lesson in the catalogue of" in html

    def test_no_link_at_all(self, client):
        provider = ProviderFactory(website="")
        lesson = LessonFactory(course=CourseFactory(provider=provider, link=""), link="")
        html = lesson_page(client, lesson)
        assert "Open this lesson" not in html
        assert "Find this lesson" not in html

    @pytest.mark.parametrize(
        ("kind", "wording"),
        [
            (LinkKind.COURSE, ">Open this course at Provider X</a>"),
            (LinkKind.CATALOGUE, ">Find this course in the catalogue of Provider X</a>"),
        ],
    )
    def test_the_course_page(self, client, kind, wording):
        course = CourseFactory(provider=ProviderFactory(name="Provider X"), link_kind=kind)
        html = client.get(course.get_absolute_url()).content.decode()
        assert wording in html

    def test_every_demo_lesson_that_links_a_home_page_says_it_is_the_catalogue(self, client):
        demo.load()
        lessons = list(Lesson.objects.with_course())
        assert len(lessons) == 13
        for lesson in lessons:
            link = lesson.external_link
            assert link is not None, lesson
            if urlsplit(link.url).path in ("", "/"):
                assert link.kind == LinkKind.CATALOGUE, lesson
            html = lesson_page(client, lesson)
            if link.kind == LinkKind.CATALOGUE:
                assert "Find this lesson in the catalogue of" in html, lesson
                assert "Open this lesson" not in html, lesson

    def test_the_admin_shows_what_a_link_opens(self, admin_client):
        lesson = LessonFactory()
        for url in (
            reverse("admin:curriculum_lesson_change", args=[lesson.pk]),
            reverse("admin:curriculum_course_change", args=[lesson.course.pk]),
        ):
            html = admin_client.get(url).content.decode()
            assert 'name="link_kind"' in html, url
            assert "The provider&#x27;s catalogue or home page" in html, url
        changelist = admin_client.get(reverse("admin:curriculum_course_changelist"))
        assert "The course&#x27;s page" in changelist.content.decode()


def test_the_migration_marks_home_page_links_as_catalogues():
    migration = importlib.import_module(
        "curriculum.migrations.0004_symmetric_counterparts_and_catalogue_links"
    )
    home = CourseFactory(link="https://provider.example.org/")
    bare = CourseFactory(link="https://provider.example.org")
    page = CourseFactory(link="https://provider.example.org/courses/compassion")
    lesson = LessonFactory(course=page, link="https://provider.example.org")
    migration.mark_home_pages_as_catalogues(apps, None)
    kinds = dict(Course.objects.values_list("pk", "link_kind"))
    assert [kinds[home.pk], kinds[bare.pk], kinds[page.pk]] == ["catalogue", "catalogue", "course"]
    lesson.refresh_from_db()
    assert lesson.link_kind == LinkKind.CATALOGUE
