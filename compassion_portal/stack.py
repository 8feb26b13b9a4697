"""Room on Python's frame stack for each request: a workaround for CPython 3.11.

CPython 3.11 keeps the frames of Python functions in chunks of 16 KiB that it maps from the
system when the stack grows past one and unmaps as soon as the stack shrinks back. A page
renders through deeply nested template nodes, so it crosses such a boundary back and forth:
under gunicorn the search page mapped and unmapped a chunk about 400 times a request
(counted with strace), and the same view called 80 frames deeper took 30.7 ms instead of
22.5. Only 3.11, the version this project runs on, was measured: on any other version the
middleware calls on directly.

``StackHeadroomMiddleware`` runs the rest of the request from a frame whose size makes
CPython map a 128 KiB chunk for it: its 8,200 local slots (64 KiB) fill half of it and the
request's frames, about 400 of them, fit in the other half, so the request maps one chunk
instead of hundreds. The slots are never used: only their number matters.
"""

import functools
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# A frame is 8 bytes a slot: 8,200 slots are just over 64 KiB, and CPython sizes a chunk as
# the smallest power of two (from 16 KiB) that holds the frame, so the chunk is 128 KiB.
SLOTS = 8200

_SOURCE = (
    "def call_with_headroom(get_response, request):\n"
    "    if False:  # never run; the names only make the frame large\n"
    f"        {' = '.join(f'_{n}' for n in range(SLOTS))} = None\n"
    "    return get_response(request)\n"
)


@functools.cache  # compiled once a process (about 0.1 s), not for every handler
def _call_with_headroom() -> Callable[[Callable, HttpRequest], HttpResponse]:
    namespace: dict = {}
    exec(compile(_SOURCE, __name__, "exec"), namespace)  # noqa: S102 - fixed source above
    return namespace["call_with_headroom"]


class StackHeadroomMiddleware:
    """The outermost middleware: every later one, the view and the templates run with room
    for about 400 frames in one chunk (on CPython 3.11; elsewhere it simply calls on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.call = _call_with_headroom() if sys.version_info[:2] == (3, 11) else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.call is None:
            return self.get_response(request)
        return self.call(self.get_response, request)
