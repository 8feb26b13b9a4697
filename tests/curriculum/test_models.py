import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum import services
from curriculum.models import Audience, Course, GradeBand, LessonCompletion

from .factories import (
    CourseFactory,
    LessonCompletionFactory,
    LessonFactory,
    YouthCourseFactory,
)

pytestmark = pytest.mark.django_db


class TestCourseGradeBand:
    def test_adult_course_with_a_grade_band_is_invalid(self):
        course = CourseFactory.build(provider=CourseFactory().provider, grade_band="high_school")
        with pytest.raises(ValidationError) as error:
            course.full_clean()
        assert "grade_band" in error.value.message_dict

    def test_youth_course_without_a_grade_band_is_invalid(self):
        course = YouthCourseFactory.build(provider=CourseFactory().provider, grade_band="")
        with pytest.raises(ValidationError) as error:
            course.full_clean()
        assert "grade_band" in error.value.message_dict

    @pytest.mark.parametrize("band", GradeBand.values)
    def test_youth_course_with_any_grade_band_is_valid(self, band):
        YouthCourseFactory.build(provider=CourseFactory().provider, grade_band=band).full_clean()

    def test_database_refuses_a_grade_band_on_an_adult_course(self):
        course = CourseFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.filter(pk=course.pk).update(grade_band=GradeBand.HIGH_SCHOOL)

    def test_audience_cannot_change_while_counterparts_would_clash(self):
        adult = LessonFactory()
        youth = LessonFactory(course=YouthCourseFactory())
        services.lesson_counterpart_add(adult, youth)
        course = adult.course
        course.audience, course.grade_band = Audience.YOUTH, GradeBand.HIGH_SCHOOL
        with pytest.raises(ValidationError) as error:
            course.full_clean()
        assert "audience" in error.value.message_dict


class TestCounterparts:
    def test_link_is_symmetric(self, adult_lesson, youth_lesson):
        services.lesson_counterpart_add(adult_lesson, youth_lesson)
        assert list(youth_lesson.counterparts.all()) == [adult_lesson]
        assert list(adult_lesson.counterparts.all()) == [youth_lesson]

    def test_removing_one_side_removes_both(self, adult_lesson, youth_lesson):
        services.lesson_counterparts_set(adult_lesson, [youth_lesson])
        services.lesson_counterparts_set(youth_lesson, [])
        assert not adult_lesson.counterparts.exists()

    def test_two_adult_lessons_cannot_be_joined(self, adult_lesson):
        other_adult = LessonFactory()
        with pytest.raises(ValidationError):
            services.lesson_counterpart_add(adult_lesson, other_adult)
        assert not adult_lesson.counterparts.exists()

    def test_two_youth_lessons_cannot_be_joined(self, youth_lesson):
        other_youth = LessonFactory(course=YouthCourseFactory(grade_band="high_school"))
        with pytest.raises(ValidationError):
            services.lesson_counterparts_set(youth_lesson, [other_youth])
        assert not youth_lesson.counterparts.exists()

    def test_a_mixed_set_is_refused_whole(self, adult_lesson, youth_lesson):
        with pytest.raises(ValidationError):
            services.lesson_counterparts_set(adult_lesson, [youth_lesson, LessonFactory()])
        assert not adult_lesson.counterparts.exists()


class TestLesson:
    def test_position_is_unique_within_a_course(self, adult_lesson):
        with pytest.raises(IntegrityError), transaction.atomic():
            LessonFactory(course=adult_lesson.course, position=adult_lesson.position)

    def test_same_position_in_another_course_is_fine(self, adult_lesson):
        LessonFactory(position=adult_lesson.position)

    def test_external_url_falls_back_to_the_course_link(self, adult_lesson):
        assert adult_lesson.external_url == adult_lesson.course.link
        adult_lesson.link = "https://provider.example.org/lesson"
        assert adult_lesson.external_url == "https://provider.example.org/lesson"


class TestCompletionServices:
    def test_marking_done_twice_keeps_one_record(self, user, adult_lesson):
        first = services.completion_mark_done(user, adult_lesson, note="Felt calmer.")
        second = services.completion_mark_done(user, adult_lesson)
        assert first.pk == second.pk
        assert LessonCompletion.objects.count() == 1
        second.refresh_from_db()
        assert second.note == "Felt calmer."

    def test_a_new_note_replaces_the_old_one(self, user, adult_lesson):
        services.completion_mark_done(user, adult_lesson, note="First thoughts")
        services.completion_mark_done(user, adult_lesson, note="Second thoughts")
        assert LessonCompletion.objects.get().note == "Second thoughts"

    def test_undo_twice_is_harmless(self, user, adult_lesson):
        services.completion_mark_done(user, adult_lesson)
        assert services.completion_undo(user, adult_lesson) is True
        assert services.completion_undo(user, adult_lesson) is False
        assert not LessonCompletion.objects.exists()

    def test_the_database_keeps_one_completion_per_person_and_lesson(self, user, adult_lesson):
        LessonCompletionFactory(user=user, lesson=adult_lesson)
        with pytest.raises(IntegrityError), transaction.atomic():
            LessonCompletionFactory(user=user, lesson=adult_lesson)

    def test_this_month_counts_only_this_month(self, adult_lesson):
        LessonCompletionFactory(lesson=adult_lesson)
        LessonCompletionFactory(
            lesson=adult_lesson, completed_at=timezone.now() - datetime.timedelta(days=40)
        )
        assert LessonCompletion.objects.this_month().count() == 1
