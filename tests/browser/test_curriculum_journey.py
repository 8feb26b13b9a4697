"""A visitor follows a theme to an adult lesson and its youth counterpart; a signed-in person
marks two lessons done and sees the progress; every curriculum page passes axe-core."""

import pytest

from curriculum import demo
from curriculum.models import Lesson
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def curriculum(db):
    demo.load()


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_theme_to_adult_lesson_to_youth_counterpart(page, curriculum, assert_accessible):
    page.goto("/curriculum/")
    assert_accessible(page, "curriculum index")

    page.get_by_role("link", name="Self-compassion", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Self-compassion"
    assert_accessible(page, "theme page")

    # The theme pairs Lesson 6 with the chapter it links, on one row of its table.
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Lesson 6: Self-compassion")
    )
    assert "Compassion for Self and Others" in row.inner_text()

    page.get_by_role("link", name="Lesson 6: Self-compassion", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lesson 6: Self-compassion"
    # The demo course links the provider's home page, and the link says so.
    open_link = page.get_by_role(
        "link", name="Find this lesson in the catalogue of CompassionateUSA"
    )
    assert open_link.get_attribute("rel") == "noopener"
    assert page.get_by_text("not the lesson itself").is_visible()
    assert page.get_by_text("Study and exercise compassion").is_visible()
    assert_accessible(page, "adult lesson")

    page.get_by_role("link", name="Compassion for Self and Others").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Compassion for Self and Others"
    assert page.get_by_role("heading", name="Matching lessons for adults").is_visible()
    assert_accessible(page, "youth lesson")

    page.get_by_role("link", name="SEE Learning: Middle school").first.click()
    assert_accessible(page, "course page")

    # A chapter that no adult lesson links has a row of its own, not Lesson 1's.
    page.goto("/curriculum/themes/engaging-systems/")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Creating a Compassionate Classroom")
    )
    assert "Lesson 1" not in row.inner_text()
    assert "No adult lesson on this theme is linked to it." in row.inner_text()
    assert_accessible(page, "theme page with an unpaired chapter")

    page.goto("/curriculum/?audience=youth&grade_band=middle_school")
    assert page.get_by_role("link", name="Building Resilience").is_visible()
    # Courses without lessons are not listed.
    assert page.get_by_role("link", name="SEE Learning: High school").count() == 0
    page.goto("/curriculum/?audience=martians")
    assert page.get_by_text("are not ones this page knows").is_visible()
    assert_accessible(page, "index with an unknown filter value")

    page.goto("/curriculum/community-models/")
    assert_accessible(page, "community models")


def test_signed_in_person_marks_two_lessons_done(page, curriculum, assert_accessible):
    user = UserFactory()
    sign_in(page, user)

    for slug in ("compassionateusa-lesson-1", "compassionateusa-lesson-2"):
        page.goto(f"/curriculum/lessons/{slug}/")
        if slug.endswith("1"):
            page.get_by_label("Your private reflection note (optional)").fill("Listen first.")
            assert_accessible(page, "lesson with the mark-as-done form")
        page.get_by_role("button", name="Mark as done").click()
        assert page.get_by_text("is marked as done").is_visible()
    assert_accessible(page, "lesson marked as done")

    page.get_by_role("link", name="See all your progress").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your curriculum progress"
    assert page.get_by_text("You have completed 2 of 13 lessons.").is_visible()
    row = page.get_by_role("row", name="CompassionateUSA micro-course")
    assert "2 of 6" in row.inner_text()
    assert page.get_by_text("Listen first.").is_visible()
    assert_accessible(page, "progress page")

    page.goto("/curriculum/lessons/compassionateusa-lesson-2/")
    page.get_by_role("button", name="Undo: mark as not done").click()
    assert page.get_by_text("is no longer marked as done").is_visible()
    assert Lesson.objects.get(slug="compassionateusa-lesson-2").completions.count() == 0
