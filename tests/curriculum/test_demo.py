import pytest
from django.core.management import call_command

from curriculum import demo
from curriculum.models import Audience, Course, GradeBand, Lesson, Provider, Resource, Theme

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("slug", flat=True))
        for model in (Provider, Theme, Course, Lesson, Resource)
    } | {
        "counterparts": sorted(
            Lesson.counterparts.through.objects.values_list("from_lesson_id", "to_lesson_id")
        ),
        "themes": sorted(Lesson.themes.through.objects.values_list("lesson_id", "theme_id")),
    }


def test_load_is_idempotent():
    demo.load()
    first = snapshot()
    summary = demo.load()
    assert snapshot() == first
    assert "0 created, 0 updated" in summary


def test_load_demo_command_runs(capsys):
    call_command("load_demo")
    assert "curriculum:" in capsys.readouterr().out


def test_demo_names_the_guides_themes_and_see_learning_chapters():
    demo.load()
    assert list(Theme.objects.values_list("name", flat=True)) == [
        "Engaging systems",
        "Healing shared trauma",
        "Celebrating differences",
        "Skills that reduce harm",
        "Inner calm and mindful interaction",
        "Self-compassion",
    ]
    middle = Course.objects.get(grade_band=GradeBand.MIDDLE_SCHOOL)
    assert list(middle.lessons.order_by("position").values_list("title", flat=True)) == [
        "Creating a Compassionate Classroom",
        "Building Resilience",
        "Strengthening Attention and Self-Awareness",
        "Navigating Emotions",
        "Learning About and From One Another",
        "Compassion for Self and Others",
        "We're All in This Together",
    ]
    assert set(
        Course.objects.for_audience(Audience.YOUTH).values_list("grade_band", flat=True)
    ) == set(GradeBand.values)


def test_every_adult_lesson_has_a_youth_counterpart_and_no_invented_title():
    demo.load()
    adult_lessons = Lesson.objects.for_audience(Audience.ADULT).prefetch_related(
        "counterparts__course"
    )
    assert len(adult_lessons) == 6
    for lesson in adult_lessons:
        theme = lesson.themes.get()
        assert lesson.title == f"Lesson {lesson.position}: {theme.name}"
        counterparts = list(lesson.counterparts.all())
        assert counterparts, lesson
        assert {other.course.audience for other in counterparts} == {Audience.YOUTH}


def test_demo_links_only_to_known_provider_home_pages():
    demo.load()
    known = {
        "",
        "https://www.compassionateusa.org",
        "https://seelearning.emory.edu",
        "https://ctb.ku.edu",
        "https://charterforcompassion.org",
    }
    links = (
        set(Provider.objects.values_list("website", flat=True))
        | set(Course.objects.values_list("link", flat=True))
        | set(Lesson.objects.values_list("link", flat=True))
        | set(Resource.objects.values_list("link", flat=True))
    )
    assert links <= known
    assert Resource.objects.count() == 3
