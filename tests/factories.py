"""Factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model

DEFAULT_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs) -> None:
        """A verified primary email unless built with ``verified=False``."""
        if not create:
            return
        EmailAddress.objects.update_or_create(
            user=self,
            email=self.email,
            defaults={"primary": True, "verified": extracted is not False},
        )
        self.save()


class AdminFactory(UserFactory):
    """A superuser with TOTP two-factor on, as the admin requires; ``totp=False`` for none."""

    is_staff = True
    is_superuser = True

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            self.totp_secret = generate_totp_secret()
            TOTP.activate(self, self.totp_secret)


def current_totp_code(secret: str) -> str:
    """The code an authenticator app would show right now for ``secret``."""
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))
