import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from compacts import demo
from compacts.models import City, CityStaff, Commitment, Compact, Signature, StaffStatus

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (City, Compact, Commitment, Signature, CityStaff)
    } | {
        "cities": list(City.objects.order_by("slug").values()),
        "signatures": list(Signature.objects.order_by("pk").values()),
    }


def test_demo_loads_the_two_compacts_and_fictional_cities(settings):
    settings.DEBUG = True
    demo.load()
    hate = Compact.objects.get(slug="combat-hate-extremism-bigotry")
    equity = Compact.objects.get(slug="racial-equity")
    assert hate.commitments.count() == 10
    assert equity.commitments.exists()
    assert "African American Mayors Association" in equity.introduced_by
    assert City.objects.count() >= 40
    assert not City.objects.filter(is_demo=False).exists()
    assert len(set(City.objects.values_list("state", flat=True))) >= 30
    riverbend = City.objects.get(slug="riverbend-tx")
    assert (riverbend.name, riverbend.state, riverbend.time_zone) == (
        "Riverbend",
        "TX",
        "America/Chicago",
    )
    assert City.objects.partners().exists()
    assert City.objects.affirmed().exists()
    assert Signature.objects.withdrawn().exists()
    assert Signature.objects.filter(renewed_on__isnull=False).exists()
    assert (
        Signature.objects.active().filter(compact=hate).count()
        > Signature.objects.active().filter(compact=equity).count()
        > 0
    )


def test_demo_is_idempotent(settings):
    settings.DEBUG = True
    demo.load()
    before = _snapshot()
    demo.load()
    assert _snapshot() == before


def test_demo_staff_account_only_with_debug(settings, capsys):
    settings.DEBUG = False
    summary = demo.load()
    assert "not creating the demo staff account" in summary
    assert "Notice:" in capsys.readouterr().out
    assert not get_user_model().objects.filter(email=demo.DEMO_STAFF_EMAIL).exists()
    assert City.objects.count() >= 40  # the rest is still loaded

    settings.DEBUG = True
    demo.load()
    user = get_user_model().objects.get(email=demo.DEMO_STAFF_EMAIL)
    assert user.check_password(demo.DEMO_STAFF_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    staff = CityStaff.objects.get(user=user)
    assert (staff.city.slug, staff.status) == ("riverbend-tx", StaffStatus.APPROVED)


def test_demo_never_adds_a_second_signature_where_one_exists(settings):
    settings.DEBUG = True
    demo.load()
    riverbend = City.objects.get(slug="riverbend-tx")
    equity = Compact.objects.get(slug="racial-equity")
    Signature.objects.create(compact=equity, city=riverbend, mayor_name="Signed on the site")
    demo.load()
    assert Signature.objects.filter(compact=equity, city=riverbend).count() == 1


def test_demo_signatures_are_consistent(settings):
    settings.DEBUG = True
    demo.load()
    assert not Signature.objects.filter(
        withdrawn_on__isnull=False, renewed_on__isnull=False
    ).exists()
    assert all(s.mayor_name == s.city.mayor_name for s in Signature.objects.select_related("city"))
