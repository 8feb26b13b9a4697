"""The deployment tests start real servers: gunicorn, Debian's nginx in front of it, and for
two app servers Postgres and Redis too. Each test skips, saying why, where something it needs
is missing on a laptop; in CI (CI=true), which installs and starts all of them, it fails."""

import pytest

from bench._server import nginx_binary
from tests.environment import missing


@pytest.fixture(scope="session")
def nginx_installed() -> str:
    binary = nginx_binary()
    if binary is None:
        missing("nginx is not installed (apt-get install nginx): no test behind a real proxy")
    return binary
