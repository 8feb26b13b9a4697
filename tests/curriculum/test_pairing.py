"""Counterpart links are symmetric, and a theme pairs two lessons only where they are linked.

Over the demo content too: the issue found a theme page pairing an adult lesson with a youth
lesson whose own page said no counterpart was linked.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from curriculum import demo, services
from curriculum.models import Audience, Lesson, Theme

from .factories import LessonFactory, ThemeFactory, YouthCourseFactory
from .test_admin import lesson_form_data

pytestmark = pytest.mark.django_db

Link = Lesson.counterparts.through
LESSON_HREF = re.compile(r'href="/curriculum/lessons/([^/"]+)/"')


def links() -> set[tuple[int, int]]:
    return set(Link.objects.values_list("from_lesson_id", "to_lesson_id"))


def assert_counterparts_symmetric_and_across_audiences() -> None:
    all_links = links()
    assert all_links, "no counterpart links to check"
    assert {(b, a) for a, b in all_links} == all_links, "a link without its reverse"
    audience = dict(Lesson.objects.values_list("pk", "course__audience"))
    assert all(audience[a] != audience[b] for a, b in all_links)
    # What each lesson's page lists is the same relation, read from either side.
    for lesson in Lesson.objects.prefetch_related("counterparts"):
        for other in lesson.counterparts.all():
            assert lesson in other.counterparts.all(), (lesson, other)


def pairs_shown_on(client, theme: Theme) -> tuple[set[tuple[str, str]], set[str]]:
    """The (adult slug, youth slug) pairs that the theme page shows on one row, and every
    lesson slug on the page's table."""
    html = client.get(theme.get_absolute_url()).content.decode()
    table = html.split("<main", 1)[1].split("</table>", 1)[0]
    shown, slugs = set(), set()
    for row in table.split("<tbody>", 1)[1].split("<tr>")[1:]:
        adult_cell, youth_cell = row.split("</td>", 1)
        adults, youth = LESSON_HREF.findall(adult_cell), LESSON_HREF.findall(youth_cell)
        shown |= {(a, y) for a in adults for y in youth}
        slugs |= {*adults, *youth}
    return shown, slugs


def pairs_linked_within(theme: Theme) -> set[tuple[str, str]]:
    lessons = {lesson.pk: lesson for lesson in theme.lessons.select_related("course")}
    return {
        (lessons[a].slug, lessons[b].slug)
        for a, b in links()
        if a in lessons and b in lessons and lessons[a].course.audience == Audience.ADULT
    }


class TestSymmetry:
    def test_adding_through_the_service_links_both_pages(self, client):
        adult = LessonFactory()
        youth = LessonFactory(course=YouthCourseFactory())
        services.lesson_counterpart_add(adult, youth)
        assert list(youth.counterparts.all()) == [adult]
        html = client.get(youth.get_absolute_url()).content.decode()
        assert f'href="{adult.get_absolute_url()}"' in html
        assert "No matching lesson for the other audience is linked yet." not in html

    def test_setting_from_the_youth_side_replaces_both_sides(self):
        adult, other_adult = LessonFactory.create_batch(2)
        youth = LessonFactory(course=YouthCourseFactory())
        services.lesson_counterpart_add(adult, youth)
        services.lesson_counterparts_set(youth, [other_adult])
        assert list(adult.counterparts.all()) == []
        assert list(other_adult.counterparts.all()) == [youth]
        assert_counterparts_symmetric_and_across_audiences()

    def test_removing_in_the_admin_removes_both_sides(self, admin_client):
        adult = LessonFactory()
        youth = LessonFactory(course=YouthCourseFactory())
        services.lesson_counterpart_add(adult, youth)
        response = admin_client.post(
            reverse("admin:curriculum_lesson_change", args=[youth.pk]),
            lesson_form_data(youth, counterparts=[]),
        )
        assert response.status_code == 302
        assert list(adult.counterparts.all()) == []
        assert links() == set()

    def test_the_migration_adds_a_missing_reverse_link(self):
        adult = LessonFactory()
        youth, lone = LessonFactory.create_batch(2, course=YouthCourseFactory())
        services.lesson_counterpart_add(adult, youth)
        # Written around the ORM, as raw SQL or a bulk insert into the join table could.
        Link.objects.bulk_create([Link(from_lesson_id=lone.pk, to_lesson_id=adult.pk)])
        assert lone not in adult.counterparts.all()

        migration = importlib.import_module(
            "curriculum.migrations.0004_symmetric_counterparts_and_catalogue_links"
        )
        migration.make_counterparts_symmetric(apps, None)
        assert set(adult.counterparts.all()) == {youth, lone}
        assert_counterparts_symmetric_and_across_audiences()
        migration.make_counterparts_symmetric(apps, None)  # again: nothing to add
        assert len(links()) == 4


class TestThemePairs:
    def test_a_youth_lesson_on_the_theme_but_not_linked_gets_its_own_row(self, client):
        theme = ThemeFactory()
        adult = LessonFactory(themes=[theme])
        linked = LessonFactory(course=YouthCourseFactory(), themes=[theme])
        unlinked = LessonFactory(course=YouthCourseFactory(), themes=[theme])
        services.lesson_counterpart_add(adult, linked)

        shown, slugs = pairs_shown_on(client, theme)
        assert shown == {(adult.slug, linked.slug)}
        assert slugs == {adult.slug, linked.slug, unlinked.slug}
        html = client.get(theme.get_absolute_url()).content.decode()
        assert "No adult lesson on this theme is linked to it." in html

    def test_an_adult_lesson_linked_to_nothing_on_the_theme_says_so(self, client):
        theme = ThemeFactory()
        adult = LessonFactory(themes=[theme])
        elsewhere = LessonFactory(course=YouthCourseFactory(), themes=[ThemeFactory()])
        services.lesson_counterpart_add(adult, elsewhere)
        shown, slugs = pairs_shown_on(client, theme)
        assert shown == set()
        assert slugs == {adult.slug}
        html = client.get(theme.get_absolute_url()).content.decode()
        assert "No youth lesson on this theme is linked to it." in html


class TestDemoContent:
    @pytest.fixture
    def demo_content(self):
        call_command("load_demo", verbosity=0)

    def test_counterparts_are_symmetric(self, demo_content):
        assert_counterparts_symmetric_and_across_audiences()

    def test_every_pairing_on_every_theme_page_is_one_the_lessons_link(self, client, demo_content):
        themes = list(Theme.objects.all())
        assert len(themes) == 6
        for theme in themes:
            shown, slugs = pairs_shown_on(client, theme)
            assert shown == pairs_linked_within(theme), theme
            assert slugs == set(theme.lessons.values_list("slug", flat=True)), theme

    def test_the_engaging_systems_chapter_without_a_counterpart_is_not_paired(self, client):
        demo.load()
        theme = Theme.objects.get(slug="engaging-systems")
        shown, _ = pairs_shown_on(client, theme)
        assert shown == {
            ("compassionateusa-lesson-1", "see-learning-middle-school-chapter-7"),
        }
        chapter = Lesson.objects.get(slug="see-learning-middle-school-chapter-1")
        assert list(chapter.counterparts.all()) == []

    def test_the_index_pairs_the_same_lessons_as_the_theme_pages(self, client, demo_content):
        response = client.get(reverse("curriculum:index"))
        for section in response.context["sections"]:
            shown = {(adult.slug, youth.slug) for adult, youth in section.pairs}
            assert shown == pairs_linked_within(section.theme), section.theme
