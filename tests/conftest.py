import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .factories import AdminFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache; every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request to a Spanish page leaves Spanish active in the thread (LocaleMiddleware
    activates the page's language and nothing deactivates it); the next test starts in the
    default language, as a new request would."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
