"""The production settings plus the bench's own page: DJANGO_SETTINGS_MODULE=bench.settings."""

from compassion_portal.settings import *  # noqa: F403

# As an app, bench/ lends its templates/ folder to the template loader.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
