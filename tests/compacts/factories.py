import datetime

import factory
from django.utils.text import slugify

from compacts.models import (
    CharterStatus,
    City,
    CityStaff,
    Commitment,
    Compact,
    MayorTerm,
    PlanItem,
    Signature,
    StaffRole,
    StaffStatus,
)
from compacts.plan import PlanStatus, PlanStep
from tests.factories import UserFactory


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"Testville {n}")
    state = "TX"
    slug = factory.LazyAttribute(lambda city: slugify(f"{city.name}-{city.state}"))
    mayor_name = factory.Sequence(lambda n: f"Pat Example {n}")
    time_zone = "America/Chicago"
    charter_status = CharterStatus.NONE
    is_demo = True


class CompactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compact

    title = factory.Sequence(lambda n: f"Test Compact {n}")
    slug = factory.LazyAttribute(lambda compact: slugify(compact.title))
    summary = "A compact used in tests."
    introduced_by = "USCM with a partner"
    introduced_on = datetime.date(2017, 8, 1)
    is_open = True


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    compact = factory.SubFactory(CompactFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Commitment number {n}.")


class CityStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityStaff

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)
    role = StaffRole.STAFF
    job_title = "Policy adviser"
    work_phone = "(512) 555-0100"
    status = StaffStatus.APPROVED


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    compact = factory.SubFactory(CompactFactory)
    city = factory.SubFactory(CityFactory)
    mayor_name = factory.LazyAttribute(lambda signature: signature.city.mayor_name)
    signed_on = datetime.date(2024, 3, 1)


class MayorTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MayorTerm

    city = factory.SubFactory(CityFactory)
    mayor_name = factory.Sequence(lambda n: f"Mayor Number {n}")
    starts_on = factory.Sequence(lambda n: datetime.date(1980 + n, 1, 1))


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    city = factory.SubFactory(CityFactory)
    step = PlanStep.BRIDGE_BUILDER
    status = PlanStatus.UNDER_WAY
    responsible_role = "Office of the Mayor"
