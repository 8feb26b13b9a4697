"""Settings for the gunicorn of tests/portal/test_shared_cache.py: the production settings
(the test runs them with DEBUG off, HTTPS=0 and no REDIS_URL), with two changes only.

Static files are named as they are found, not from collectstatic's manifest: the test serves
pages, not style sheets, and must not collect files into the work tree. PER_WORKER_CACHE=1
gives each worker a cache of its own, which is what the test must be able to tell apart.
"""

import os

from compassion_portal.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("PER_WORKER_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
