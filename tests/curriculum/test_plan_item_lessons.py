"""A plan item's page in compacts lists the curriculum lessons tagged as supporting it."""

import pytest
from django.urls import reverse

from compacts.plan import PlanStep
from curriculum.models import LessonSupport
from tests.compacts.factories import CityFactory, CommitmentFactory, SignatureFactory

from .factories import LessonFactory

pytestmark = pytest.mark.django_db


def test_a_step_page_lists_its_lessons_and_no_others(client):
    city = CityFactory(slug="riverbend-tx")
    study = LessonFactory(title="Practising self-compassion")
    other = LessonFactory(title="Listening across difference")
    LessonSupport.objects.create(lesson=study, step=PlanStep.STUDY_COMPASSION)
    LessonSupport.objects.create(lesson=other, step=PlanStep.GATHER_LEADERS)
    html = client.get(reverse("compacts:plan_item", args=[city.slug, "step-study"])).content
    assert study.get_absolute_url().encode() in html
    assert other.get_absolute_url().encode() not in html


def test_a_commitment_page_lists_the_lessons_tagged_with_that_commitment(client):
    city = CityFactory(slug="riverbend-tx")
    signature = SignatureFactory(city=city)
    commitment = CommitmentFactory(compact=signature.compact)
    lesson = LessonFactory(title="Responding to hate in your town")
    LessonSupport.objects.create(lesson=lesson, commitment=commitment)
    url = reverse("compacts:plan_item", args=[city.slug, f"commitment-{commitment.pk}"])
    assert lesson.get_absolute_url().encode() in client.get(url).content
