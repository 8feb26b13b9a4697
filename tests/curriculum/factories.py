"""Factories for curriculum tests."""

import factory

from curriculum.models import (
    Audience,
    Course,
    GradeBand,
    Lesson,
    LessonCompletion,
    Provider,
    Resource,
    Theme,
)
from tests.factories import UserFactory


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    website = "https://provider.example.org"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    summary = "A theme for tests."
    position = factory.Sequence(lambda n: n)


class CourseFactory(factory.django.DjangoModelFactory):
    """An adult course; YouthCourseFactory gives a youth course with a grade band."""

    class Meta:
        model = Course

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    audience = Audience.ADULT
    grade_band = ""
    link = "https://provider.example.org/course"


class YouthCourseFactory(CourseFactory):
    audience = Audience.YOUTH
    grade_band = GradeBand.MIDDLE_SCHOOL


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    summary = "What this lesson is about."
    duration_minutes = 20

    @factory.post_generation
    def themes(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.themes.set(extracted)


class LessonCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonCompletion

    user = factory.SubFactory(UserFactory)
    lesson = factory.SubFactory(LessonFactory)
    note = ""


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Toolkit {n}")
    slug = factory.Sequence(lambda n: f"toolkit-{n}")
    provider = factory.SubFactory(ProviderFactory)
    link = "https://provider.example.org/toolkit"
    summary = "A toolkit for tests."
