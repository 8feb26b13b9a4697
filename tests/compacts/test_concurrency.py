"""Sixteen staff press "sign" at the same moment: the database keeps exactly one signature."""

import threading

import pytest
from django.db import connection, connections

from compacts import services
from compacts.models import AuditEvent, Signature

from .factories import CityFactory, CityStaffFactory, CompactFactory

THREADS = 16

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_sixteen_simultaneous_signatures_make_exactly_one():
    compact = CompactFactory()
    city = CityFactory()
    staff = [CityStaffFactory(city=city).user for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def sign(user) -> None:
        try:
            barrier.wait(timeout=30)
            services.signature_create(actor=user, compact=compact, city=city, mayor_name="Ana")
            outcome = "signed"
        except services.AlreadySigned:
            outcome = "already"
        except BaseException as exc:  # anything else is the failure this test looks for
            with lock:
                unexpected.append(exc)
            outcome = "error"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=sign, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert unexpected == []
    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["signed"]
    assert Signature.objects.active().filter(compact=compact, city=city).count() == 1
    assert AuditEvent.objects.filter(action="sign").count() == 1
