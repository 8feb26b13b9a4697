"""Every curriculum page, anonymous and signed in; unknown slugs; bad filter values."""

import pytest
from django.urls import reverse

from curriculum import services

from .factories import LessonCompletionFactory, LessonFactory, ResourceFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(adult_lesson, youth_lesson):
    services.lesson_counterpart_add(adult_lesson, youth_lesson)
    ResourceFactory(title="Neighbourhood toolkit")
    return adult_lesson, youth_lesson


def page_urls(adult_lesson, theme):
    return [
        reverse("curriculum:index"),
        reverse("curriculum:theme_detail", args=[theme.slug]),
        reverse("curriculum:course_detail", args=[adult_lesson.course.slug]),
        reverse("curriculum:lesson_detail", args=[adult_lesson.slug]),
        reverse("curriculum:community_models"),
    ]


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_public_page_renders_with_one_h1(client, user, linked, theme, signed_in):
    if signed_in:
        client.force_login(user)
    for url in page_urls(linked[0], theme):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        assert "css/curriculum.css" in html
        assert 'style="' not in html
        assert "<script" not in html


def test_public_pages_refuse_post(client, linked, theme):
    for url in page_urls(linked[0], theme):
        assert client.post(url).status_code == 405, url


def test_progress_page_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("curriculum:progress"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_progress_page_for_a_signed_in_user(user_client):
    response = user_client.get(reverse("curriculum:progress"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("name", ["theme_detail", "course_detail", "lesson_detail"])
def test_unknown_slugs_are_404(client, name):
    assert client.get(reverse(f"curriculum:{name}", args=["no-such-thing"])).status_code == 404


@pytest.mark.parametrize("name", ["lesson_mark_done", "lesson_undo"])
def test_marking_an_unknown_lesson_is_404(user_client, name):
    assert (
        user_client.post(reverse(f"curriculum:{name}", args=["no-such-thing"])).status_code == 404
    )


class TestIndex:
    def test_theme_shows_linked_lessons_on_one_row(self, client, linked, theme):
        html = client.get(reverse("curriculum:index")).content.decode()
        section = html.split(f'id="theme-{theme.slug}"', 1)[1].split("</table>", 1)[0]
        assert "For adults" in section
        assert "For young people" in section
        rows = section.split("<tbody>", 1)[1].split("<tr>")[1:]
        assert len(rows) == 1
        adult_cell, youth_cell = rows[0].split("</td>", 1)
        assert "Kindness to yourself" in adult_cell
        assert "Compassion for Self and Others" in youth_cell

    def test_filter_by_audience(self, client, linked):
        html = client.get(reverse("curriculum:index"), {"audience": "youth"}).content.decode()
        results = html.split("<h2>Courses</h2>")[0]
        assert "Compassion for Self and Others" in results
        assert "Kindness to yourself" not in results
        assert "No linked adult lesson matches these filters." in results

    def test_filter_by_grade_band(self, client, linked):
        response = client.get(reverse("curriculum:index"), {"grade_band": "high_school"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "No lessons match these filters." in html
        assert "Compassion for Self and Others" not in html.split("<h2>Courses</h2>")[0]

    def test_filter_by_provider(self, client, linked):
        provider = linked[0].course.provider
        html = client.get(reverse("curriculum:index"), {"provider": provider.slug}).content.decode()
        results = html.split("<h2>Courses</h2>")[0]
        assert "Kindness to yourself" in results
        assert "Compassion for Self and Others" not in results

    def test_filter_by_theme_shows_only_that_theme(self, client, linked, theme):
        other = ThemeFactory(name="Engaging systems")
        LessonFactory(title="Systems lesson", themes=[other])
        html = client.get(reverse("curriculum:index"), {"theme": theme.slug}).content.decode()
        assert "Kindness to yourself" in html
        assert "Systems lesson" not in html
        assert f'id="theme-{other.slug}"' not in html

    @pytest.mark.parametrize(
        "query",
        [
            {"audience": "aliens"},
            {"grade_band": "college"},
            {"provider": "nobody"},
            {"theme": "no-such-theme"},
            {"audience": "adult", "theme": "<script>"},
        ],
    )
    def test_unknown_filter_values_give_an_empty_result_and_a_message(self, client, linked, query):
        response = client.get(reverse("curriculum:index"), query)
        assert response.status_code == 200
        html = response.content.decode()
        assert "are not ones this page knows" in html
        results = html.split("<h2>Courses</h2>")[0]
        assert "Kindness to yourself" not in results
        assert "Compassion for Self and Others" not in results
        assert "<script>" not in html.split("<main", 1)[1]

    def test_unrelated_query_parameters_are_ignored(self, client, linked):
        html = client.get(reverse("curriculum:index"), {"page": "abc"}).content.decode()
        assert "Kindness to yourself" in html
        assert "are not ones this page knows" not in html

    def test_signed_in_user_sees_own_done_badges(self, client, user, linked):
        LessonCompletionFactory(user=user, lesson=linked[0])
        anonymous = client.get(reverse("curriculum:index")).content.decode()
        client.force_login(user)
        signed_in = client.get(reverse("curriculum:index")).content.decode()
        assert ">Done<" not in anonymous
        assert ">Done<" in signed_in


class TestLessonPage:
    def test_links_out_to_the_course_and_says_so(self, client, linked):
        adult, _ = linked
        html = client.get(adult.get_absolute_url()).content.decode()
        assert f'href="{adult.course.link}" rel="noopener"' in html
        assert f"Open this lesson's course at {adult.course.provider.name}" in html
        assert "20 minutes" in html

    def test_shows_the_counterpart_for_the_other_audience(self, client, linked):
        adult, youth = linked
        html = client.get(adult.get_absolute_url()).content.decode()
        assert "Matching lessons for young people" in html
        assert f'href="{youth.get_absolute_url()}"' in html
        back = client.get(youth.get_absolute_url()).content.decode()
        assert "Matching lessons for adults" in back
        assert f'href="{adult.get_absolute_url()}"' in back

    def test_previous_and_next_lessons(self, client, adult_lesson):
        course = adult_lesson.course
        first = LessonFactory(course=course, position=adult_lesson.position - 1, slug="first")
        last = LessonFactory(course=course, position=adult_lesson.position + 5, slug="last")
        html = client.get(adult_lesson.get_absolute_url()).content.decode()
        assert f'href="{first.get_absolute_url()}" rel="prev"' in html
        assert f'href="{last.get_absolute_url()}" rel="next"' in html

    def test_anonymous_visitor_is_invited_to_sign_in(self, client, adult_lesson):
        html = client.get(adult_lesson.get_absolute_url()).content.decode()
        assert "Sign in to mark this lesson as done" in html
        assert "Mark as done" not in html

    def test_signed_in_user_gets_the_form(self, user_client, adult_lesson):
        html = user_client.get(adult_lesson.get_absolute_url()).content.decode()
        assert "Mark as done" in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert '<label for="id_note"' in html


class TestCoursePage:
    def test_lessons_in_order_with_the_users_progress(self, client, user, adult_lesson):
        course = adult_lesson.course
        later = LessonFactory(course=course, position=adult_lesson.position + 1, title="Later")
        LessonCompletionFactory(user=user, lesson=later)
        client.force_login(user)
        html = client.get(course.get_absolute_url()).content.decode()
        assert html.index("Kindness to yourself") < html.index("Later")
        assert "You have completed 1 of 2 lessons." in html


def test_community_models_lists_toolkits(client):
    resource = ResourceFactory(title="Neighbourhood toolkit", summary="Street by street.")
    html = client.get(reverse("curriculum:community_models")).content.decode()
    assert "Neighbourhood toolkit" in html
    assert "Street by street." in html
    assert f'href="{resource.link}" rel="noopener"' in html


def test_index_links_to_community_models(client):
    html = client.get(reverse("curriculum:index")).content.decode()
    assert f'href="{reverse("curriculum:community_models")}"' in html
