"""Marking a lesson done and undoing it: POST only, idempotent, CSRF, private to each person."""

import pytest
from django.test import Client
from django.urls import reverse

from curriculum.models import LessonCompletion
from tests.factories import UserFactory

from .factories import LessonCompletionFactory, LessonFactory

pytestmark = pytest.mark.django_db


def done_url(lesson):
    return reverse("curriculum:lesson_mark_done", args=[lesson.slug])


def undo_url(lesson):
    return reverse("curriculum:lesson_undo", args=[lesson.slug])


def test_mark_done_records_it_and_redirects_back_with_a_message(user_client, user, adult_lesson):
    response = user_client.post(done_url(adult_lesson), {"note": "I paused before replying."})
    assert response.status_code == 302
    assert response.url == adult_lesson.get_absolute_url()
    completion = LessonCompletion.objects.get(user=user, lesson=adult_lesson)
    assert completion.note == "I paused before replying."
    page = user_client.get(response.url).content.decode()
    assert "is marked as done" in page
    assert "I paused before replying." in page
    assert "Undo: mark as not done" in page


def test_mark_done_twice_keeps_one_record(user_client, user, adult_lesson):
    user_client.post(done_url(adult_lesson), {"note": "first"})
    response = user_client.post(done_url(adult_lesson))
    assert response.status_code == 302
    assert LessonCompletion.objects.filter(user=user).count() == 1
    assert LessonCompletion.objects.get(user=user).note == "first"


def test_undo_removes_it_and_is_idempotent(user_client, user, adult_lesson):
    LessonCompletionFactory(user=user, lesson=adult_lesson, note="private")
    first = user_client.post(undo_url(adult_lesson))
    assert first.status_code == 302
    assert first.url == adult_lesson.get_absolute_url()
    assert not LessonCompletion.objects.filter(user=user).exists()
    second = user_client.post(undo_url(adult_lesson), follow=True)
    assert second.status_code == 200
    assert "was not marked as done" in second.content.decode()


@pytest.mark.parametrize("url_for", [done_url, undo_url])
def test_get_is_not_allowed(user_client, adult_lesson, url_for):
    assert user_client.get(url_for(adult_lesson)).status_code == 405
    assert not LessonCompletion.objects.exists()


@pytest.mark.parametrize("url_for", [done_url, undo_url])
def test_anonymous_post_is_sent_to_sign_in(client, adult_lesson, url_for):
    response = client.post(url_for(adult_lesson))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not LessonCompletion.objects.exists()


def test_post_without_csrf_token_is_refused(user, adult_lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(done_url(adult_lesson)).status_code == 403
    assert not LessonCompletion.objects.exists()

    # The same client succeeds with the token the lesson page gives it.
    client.get(adult_lesson.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(done_url(adult_lesson), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert LessonCompletion.objects.filter(user=user, lesson=adult_lesson).exists()


def test_too_long_note_is_refused_with_the_error_by_the_field(user_client, adult_lesson):
    response = user_client.post(done_url(adult_lesson), {"note": "x" * 4001})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "at most 4000 characters" in html
    assert not LessonCompletion.objects.exists()


class TestPrivacy:
    @pytest.fixture
    def someone_else(self, adult_lesson):
        other = UserFactory()
        LessonCompletionFactory(user=other, lesson=adult_lesson, note="my secret reflection")
        return other

    def test_lesson_page_does_not_show_another_persons_completion(
        self, user_client, adult_lesson, someone_else
    ):
        html = user_client.get(adult_lesson.get_absolute_url()).content.decode()
        assert "my secret reflection" not in html
        assert "You have not marked this lesson as done yet." in html

    def test_progress_page_shows_only_your_own(self, user_client, adult_lesson, someone_else):
        html = user_client.get(reverse("curriculum:progress")).content.decode()
        assert "my secret reflection" not in html
        assert "You have completed 0 of 1 lesson." in html

    def test_undo_cannot_remove_another_persons_completion(
        self, user_client, adult_lesson, someone_else
    ):
        user_client.post(undo_url(adult_lesson))
        assert LessonCompletion.objects.get(user=someone_else).note == "my secret reflection"

    def test_your_note_cannot_overwrite_theirs(self, user_client, user, adult_lesson, someone_else):
        user_client.post(done_url(adult_lesson), {"note": "mine"})
        assert LessonCompletion.objects.get(user=someone_else).note == "my secret reflection"
        assert LessonCompletion.objects.get(user=user).note == "mine"

    def test_course_page_counts_only_your_own(self, user_client, adult_lesson, someone_else):
        html = user_client.get(adult_lesson.course.get_absolute_url()).content.decode()
        assert "You have completed 0 of 1 lesson." in html
        assert ">Done<" not in html


def test_progress_page_counts_per_course(user_client, user, adult_lesson, youth_lesson):
    second = LessonFactory(course=adult_lesson.course, title="Second adult lesson")
    LessonCompletionFactory(user=user, lesson=adult_lesson, note="noted")
    LessonCompletionFactory(user=user, lesson=second)
    LessonCompletionFactory(user=user, lesson=youth_lesson)
    LessonFactory(course=youth_lesson.course)

    response = user_client.get(reverse("curriculum:progress"))
    courses = {course.pk: course for course in response.context["courses"]}
    assert (
        courses[adult_lesson.course_id].done_total,
        courses[adult_lesson.course_id].lesson_total,
    ) == (2, 2)
    assert (
        courses[youth_lesson.course_id].done_total,
        courses[youth_lesson.course_id].lesson_total,
    ) == (1, 2)
    html = response.content.decode()
    assert "You have completed 3 of 4 lessons." in html
    assert "Finished" in html
    assert "noted" in html
