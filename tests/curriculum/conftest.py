import pytest

from .factories import LessonFactory, ThemeFactory, YouthCourseFactory


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def theme(db):
    return ThemeFactory(name="Self-compassion", slug="self-compassion")


@pytest.fixture
def adult_lesson(theme):
    return LessonFactory(title="Kindness to yourself", slug="kindness", themes=[theme])


@pytest.fixture
def youth_lesson(theme):
    return LessonFactory(
        course=YouthCourseFactory(),
        title="Compassion for Self and Others",
        slug="self-and-others",
        themes=[theme],
    )
