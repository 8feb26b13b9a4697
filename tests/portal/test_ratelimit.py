import os

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from compassion_portal.ratelimit import hit, rate_limit


@pytest.fixture
def tight_limit(settings):
    settings.PORTAL_RATE_LIMITS = {"test.scope": (2, 60)}


@pytest.mark.usefixtures("tight_limit")
def test_hit_counts_per_identity():
    assert hit("test.scope", "a") is False
    assert hit("test.scope", "a") is False
    assert hit("test.scope", "a") is True
    assert hit("test.scope", "b") is False


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_limit")
def test_decorator_answers_429_after_the_limit_and_ignores_get():
    @rate_limit("test.scope")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    for _ in range(5):
        assert view(factory.get("/")).status_code == 200
    statuses = [view(factory.post("/", REMOTE_ADDR="10.0.0.9")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert view(factory.post("/", REMOTE_ADDR="10.0.0.10")).status_code == 200


def test_limits_live_in_the_shared_cache_when_redis_is_configured(settings, tight_limit):
    """CI runs the rate-limit tests once with REDIS_URL set; then the counts are in Redis."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: the local-memory cache is in use")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    hit("test.scope", "shared")
    keys = cache._cache.get_client().keys("*ratelimit:test.scope:*")
    assert keys, "the rate-limit counter should be stored in Redis"
