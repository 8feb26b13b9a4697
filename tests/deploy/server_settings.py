"""Settings of the servers that the deployment tests start: those of the two-worker test
(the production settings, run with DEBUG off and HTTPS=0, with static files named as found),
with passwords hashed by MD5 as in the test settings. A person a test makes in its own
process can then sign in on the servers, and the failed sign-ins that allauth's rate limit
needs (ten) cost no PBKDF2 rounds; nothing these tests look at depends on the hasher."""

from tests.portal.two_workers_settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
