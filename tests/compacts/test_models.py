import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compacts.models import CharterStatus, City, Compact, Signature

from .factories import CityFactory, CommitmentFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_one_active_signature_per_compact_and_city_is_enforced_by_the_database(compact, city):
    SignatureFactory(compact=compact, city=city)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(compact=compact, city=city, mayor_name="Someone Else")
    assert Signature.objects.count() == 1


def test_a_withdrawn_city_may_sign_again(compact, city):
    SignatureFactory(
        compact=compact,
        city=city,
        withdrawn_on=datetime.date(2024, 5, 1),
        withdrawal_reason="Council vote",
    )
    SignatureFactory(compact=compact, city=city)
    assert Signature.objects.filter(compact=compact, city=city).count() == 2
    assert Signature.objects.active().filter(compact=compact, city=city).count() == 1


def test_a_withdrawal_needs_a_reason(compact, city):
    with pytest.raises(IntegrityError), transaction.atomic():
        SignatureFactory(compact=compact, city=city, withdrawn_on=datetime.date(2024, 5, 1))


def test_city_is_unique_on_name_and_state(city):
    with pytest.raises(IntegrityError), transaction.atomic():
        CityFactory(name=city.name, state=city.state, slug="another-slug")
    CityFactory(name=city.name, state="OK", slug="riverbend-ok")


def test_city_time_zone_must_be_an_iana_name():
    city = CityFactory.build(time_zone="Central Time")
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert "time_zone" in excinfo.value.message_dict


def test_city_state_must_be_a_state_or_territory():
    city = CityFactory.build(state="XX")
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert "state" in excinfo.value.message_dict
    CityFactory.build(state="PR", slug="ponce-pr").full_clean()


def test_only_affirmed_cities_have_an_affirmation_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        CityFactory(charter_status=CharterStatus.INITIATIVE, charter_affirmed_on="2023-01-01")
    CityFactory(charter_status=CharterStatus.AFFIRMED, charter_affirmed_on="2023-01-01")


def test_city_querysets():
    partner = CityFactory(partner_since=datetime.date(2023, 4, 1))
    affirmed = CityFactory(charter_status=CharterStatus.AFFIRMED)
    CityFactory()
    assert list(City.objects.partners()) == [partner]
    assert list(City.objects.affirmed()) == [affirmed]


def test_signature_counts_ignore_withdrawn_signatures(compact):
    SignatureFactory.create_batch(3, compact=compact)
    SignatureFactory(compact=compact, withdrawn_on="2024-05-01", withdrawal_reason="Changed course")
    counted = Compact.objects.with_signature_counts().get(pk=compact.pk)
    assert counted.active_signature_count == 3


def test_signatory_line_and_commitment_order(compact, city):
    signature = SignatureFactory(compact=compact, city=city, mayor_name="Ana Ortiz")
    assert signature.signatory_line == "Mayor Ana Ortiz, Riverbend, TX"
    CommitmentFactory(compact=compact, position=2, text="second")
    CommitmentFactory(compact=compact, position=1, text="first")
    assert [c.text for c in compact.commitments.all()] == ["first", "second"]
