import pytest
from django.core.cache import cache

from .factories import AdminFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache; every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def unverified_user(db):
    return UserFactory(verified=False)


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client
