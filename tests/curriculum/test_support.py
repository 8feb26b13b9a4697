"""Lessons tagged with the plan steps and compact commitments they support."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse

from compacts.plan import PlanStep
from curriculum import demo, services
from curriculum.models import Audience, LessonSupport
from curriculum.support import lessons_supporting
from tests.compacts.factories import CommitmentFactory

from .factories import CourseFactory, LessonFactory, YouthCourseFactory
from .test_admin import lesson_form_data, support_rows

pytestmark = pytest.mark.django_db

STUDY = PlanStep.STUDY_COMPASSION.value
SCHOOLS = PlanStep.SCHOOL_CURRICULUM.value


class TestConstraint:
    @pytest.mark.parametrize("both", [False, True])
    def test_exactly_one_of_step_and_commitment(self, both):
        lesson = LessonFactory()
        commitment = CommitmentFactory() if both else None
        support = LessonSupport(lesson=lesson, step=STUDY if both else "", commitment=commitment)
        with pytest.raises(ValidationError, match="either a step of the plan or a compact"):
            support.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            support.save()

    def test_a_lesson_names_a_step_or_a_commitment_once(self):
        lesson = LessonFactory()
        commitment = CommitmentFactory()
        LessonSupport.objects.create(lesson=lesson, step=STUDY)
        LessonSupport.objects.create(lesson=lesson, commitment=commitment)
        with pytest.raises(ValidationError, match="already supports that step"):
            LessonSupport(lesson=lesson, step=STUDY).full_clean()
        with pytest.raises(ValidationError, match="already supports that commitment"):
            LessonSupport(lesson=lesson, commitment=commitment).full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            LessonSupport.objects.create(lesson=lesson, step=STUDY)
        # Another lesson may support the same ones.
        LessonSupport.objects.create(lesson=LessonFactory(), step=STUDY)

    def test_the_service_replaces_and_keeps_each_once(self):
        lesson = LessonFactory()
        first, second = CommitmentFactory.create_batch(2)
        services.lesson_supports_set(lesson, steps=[STUDY, STUDY], commitments=[first])
        services.lesson_supports_set(lesson, steps=[SCHOOLS], commitments=[second, second])
        assert sorted(lesson.supports.values_list("step", "commitment_id")) == [
            ("", second.pk),
            (SCHOOLS, None),
        ]


class TestAdminInline:
    def post(self, admin_client, lesson, rows, initial=0):
        return admin_client.post(
            reverse("admin:curriculum_lesson_change", args=[lesson.pk]),
            lesson_form_data(lesson, **support_rows(rows, initial)),
        )

    def test_the_lesson_page_has_the_inline(self, admin_client):
        lesson = LessonFactory()
        commitment = CommitmentFactory(text="Bring anti-bias programs into schools.")
        html = admin_client.get(
            reverse("admin:curriculum_lesson_change", args=[lesson.pk])
        ).content.decode()
        assert 'name="supports-0-step"' in html
        assert 'name="supports-0-commitment"' in html
        assert f"{commitment.compact.title} · " in html

    def test_adds_a_step_and_a_commitment(self, admin_client):
        lesson = LessonFactory()
        commitment = CommitmentFactory()
        response = self.post(
            admin_client, lesson, [{"step": STUDY}, {"step": "", "commitment": commitment.pk}]
        )
        assert response.status_code == 302
        assert sorted(lesson.supports.values_list("step", "commitment_id")) == [
            ("", commitment.pk),
            (STUDY, None),
        ]

    def test_both_on_one_row_is_a_form_error_not_a_500(self, admin_client):
        lesson = LessonFactory()
        commitment = CommitmentFactory()
        response = self.post(admin_client, lesson, [{"step": STUDY, "commitment": commitment.pk}])
        assert response.status_code == 200
        assert "Choose either a step of the plan or a compact commitment" in (
            response.content.decode()
        )
        assert not LessonSupport.objects.exists()

    def test_the_same_step_twice_in_one_submission_is_a_form_error(self, admin_client):
        lesson = LessonFactory()
        response = self.post(admin_client, lesson, [{"step": STUDY}, {"step": STUDY}])
        assert response.status_code == 200
        assert "This step or commitment is already listed above." in response.content.decode()
        assert not LessonSupport.objects.exists()

    def test_a_step_already_saved_again_on_a_new_row_is_a_form_error(self, admin_client):
        lesson = LessonFactory()
        saved = LessonSupport.objects.create(lesson=lesson, step=STUDY)
        response = self.post(
            admin_client,
            lesson,
            [{"id": saved.pk, "lesson": lesson.pk, "step": STUDY}, {"step": STUDY}],
            initial=1,
        )
        assert response.status_code == 200
        assert "This step or commitment is already listed above." in response.content.decode()
        assert LessonSupport.objects.count() == 1


class TestLessonsSupporting:
    @pytest.fixture
    def tagged(self):
        """24 lessons in 6 courses: adult ones support study, youth ones the school step,
        and every third lesson one of three commitments."""
        commitments = CommitmentFactory.create_batch(3)
        courses = [CourseFactory() for _ in range(3)] + [YouthCourseFactory() for _ in range(3)]
        lessons = []
        for number in range(24):
            course = courses[number % 6]
            lesson = LessonFactory(course=course)
            step = STUDY if course.audience == Audience.ADULT else SCHOOLS
            services.lesson_supports_set(
                lesson,
                steps=[step],
                commitments=[commitments[number // 3 % 3]] if number % 3 == 0 else [],
            )
            lessons.append(lesson)
        return lessons, commitments

    def test_one_query_and_links_cost_nothing_more(self, tagged, django_assert_num_queries):
        lessons, commitments = tagged
        with django_assert_num_queries(1):
            supports = lessons_supporting(
                list(PlanStep.values), [commitment.pk for commitment in commitments]
            )
        with django_assert_num_queries(0):
            rendered = [
                (lesson.get_absolute_url(), lesson.course.title, lesson.course.provider.name)
                for found in supports.values()
                for lesson in found
            ]
        assert len(rendered) == 24 + 8
        assert {lesson.pk for lesson in supports[("step", STUDY)]} == {
            lesson.pk for lesson in lessons if lesson.course.audience == Audience.ADULT
        }
        assert len(supports[("step", SCHOOLS)]) == 12
        assert [len(supports[("commitment", c.pk)]) for c in commitments] == [3, 3, 2]
        assert ("step", PlanStep.DIRECTORY.value) not in supports

    def test_only_the_items_asked_for(self, tagged, django_assert_num_queries):
        _, commitments = tagged
        with django_assert_num_queries(1):
            supports = lessons_supporting([STUDY], [commitments[0].pk])
        assert set(supports) == {("step", STUDY), ("commitment", commitments[0].pk)}
        with django_assert_num_queries(0):
            assert lessons_supporting([], []) == {}

    def test_adult_lessons_come_first_then_by_course_and_position(self):
        youth = LessonFactory(course=YouthCourseFactory(position=0), position=1)
        course = CourseFactory(position=5)
        second = LessonFactory(course=course, position=2)
        first = LessonFactory(course=course, position=1)
        for lesson in (youth, second, first):
            services.lesson_supports_set(lesson, steps=[STUDY], commitments=[])
        assert lessons_supporting([STUDY], [])[("step", STUDY)] == [first, second, youth]


class TestTemplateTag:
    TEMPLATE = Template("{% load curriculum_tags %}{% plan_item_lessons supports key %}")

    def test_links_the_lessons_of_one_item(self):
        lesson = LessonFactory(title="Kindness at work")
        services.lesson_supports_set(lesson, steps=[STUDY], commitments=[])
        supports = lessons_supporting([STUDY], [])
        html = self.TEMPLATE.render(Context({"supports": supports, "key": ("step", STUDY)}))
        assert f'<a href="{lesson.get_absolute_url()}">Kindness at work</a>' in html
        assert lesson.course.title in html

    @pytest.mark.parametrize("supports", [{}, None])
    def test_renders_nothing_for_an_item_no_lesson_supports(self, supports):
        html = self.TEMPLATE.render(Context({"supports": supports, "key": ("step", STUDY)}))
        assert html.strip() == ""


class TestLessonPage:
    def test_names_the_steps_in_the_guides_order_and_the_commitments(self, client):
        lesson = LessonFactory()
        commitment = CommitmentFactory(text="Speak out against every act of hate.")
        services.lesson_supports_set(lesson, steps=[SCHOOLS, STUDY], commitments=[commitment])
        html = client.get(lesson.get_absolute_url()).content.decode()
        assert "Supports these steps of a city's plan" in html
        assert html.index("Study and exercise compassion") < html.index(
            "Create curriculum for local school districts"
        )
        assert "Supports these compact commitments" in html
        assert "Speak out against every act of hate." in html
        assert f'href="{commitment.compact.get_absolute_url()}"' in html

    def test_says_nothing_when_it_supports_nothing(self, client):
        html = client.get(LessonFactory().get_absolute_url()).content.decode()
        assert "Supports these" not in html


def test_demo_tags_adult_lessons_with_study_and_chapters_with_school_curriculum():
    demo.load()
    supports = lessons_supporting([STUDY, SCHOOLS], [])
    assert [lesson.slug for lesson in supports[("step", STUDY)]] == [
        f"compassionateusa-lesson-{n}" for n in range(1, 7)
    ]
    assert [lesson.slug for lesson in supports[("step", SCHOOLS)]] == [
        f"see-learning-middle-school-chapter-{n}" for n in range(1, 8)
    ]
