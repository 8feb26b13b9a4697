import datetime

import factory

from directory.models import (
    Category,
    Language,
    Location,
    Organization,
    OrganizationKind,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Suggestion,
    Synonym,
)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "es"
    name = "Spanish"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Helping Hands {n}")
    slug = factory.Sequence(lambda n: f"helping-hands-{n}")
    description = "A community organization."
    kind = OrganizationKind.NONPROFIT


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    description = "Help for residents."
    status = ServiceStatus.ACTIVE
    assured_date = factory.LazyFunction(lambda: datetime.date.today())

    @factory.post_generation
    def categories(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.categories.add(*extracted)

    @factory.post_generation
    def languages(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.languages.add(*extracted)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Main office {n}")
    address_1 = factory.Sequence(lambda n: f"{100 + n} Elm Street")
    city = "Riverbend"
    state_province = "TX"
    postal_code = "78999"


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(
        LocationFactory, organization=factory.SelfAttribute("..service.organization")
    )


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    number = "(555) 010-2000"


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    byday = "MO,TU,WE,TH,FR"
    opens_at = datetime.time(9, 0)
    closes_at = datetime.time(17, 0)


class SynonymFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Synonym
        django_get_or_create = ("term",)

    term = factory.Sequence(lambda n: f"term {n}")
    expands_to = "expansion"


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    message = "The phone number is out of date."
