import pytest

from .factories import CityFactory, CityStaffFactory, CompactFactory


@pytest.fixture
def city(db):
    return CityFactory(name="Riverbend", state="TX", slug="riverbend-tx", mayor_name="Ana Ortiz")


@pytest.fixture
def other_city(db):
    return CityFactory(name="Lakeside", state="OH", slug="lakeside-oh")


@pytest.fixture
def compact(db):
    return CompactFactory(title="Mayors' Compact to Combat Hate", slug="combat-hate")


@pytest.fixture
def staff(city):
    """An approved staff member of ``city`` with a verified email."""
    return CityStaffFactory(city=city)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff.user)
    return client
