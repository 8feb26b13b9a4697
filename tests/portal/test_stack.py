"""The frame-stack headroom of each request (compassion_portal/stack.py).

CPython 3.11 maps and unmaps a 16 KiB chunk of frame stack each time a request's frames
cross a chunk's end; every fresh mapping costs the process page faults. The faults a request
causes are therefore the measure: hundreds without the headroom, a few dozen with it."""

import resource
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 11), reason="the workaround is for CPython 3.11's frame stack"
)
URL = "/directory/?q=pantry"


def faults_per_request(client: Client, requests: int = 10) -> float:
    for _ in range(3):  # templates compiled, caches warm
        assert client.get(URL).status_code == 200
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(requests):
        client.get(URL)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / requests


@pytest.mark.django_db
def test_a_page_maps_its_frame_stack_once_not_hundreds_of_times():
    ServiceFactory.create_batch(20, name="Food pantry")
    with_headroom = faults_per_request(Client())
    without = [name for name in settings.MIDDLEWARE if not name.endswith("StackHeadroomMiddleware")]
    assert len(without) == len(settings.MIDDLEWARE) - 1
    with override_settings(MIDDLEWARE=without):
        plain = faults_per_request(Client())
    # The control: without the headroom the page itself thrashes the stack (measured here:
    # 206 faults a request on SQLite, 352 on Postgres; 22-24 with it).
    assert plain > 150, plain
    assert with_headroom < 60, with_headroom
