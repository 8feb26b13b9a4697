"""Call a fellow mayor: engaged peer cities and writing to their staff."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from compacts.models import AuditEvent
from compacts.peers import peers_of
from compacts.plan import PlanStatus, PlanStep

from .factories import CityFactory, CityStaffFactory, PlanItemFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    return CityFactory(name="Riverbend", state="TX", slug="riverbend-tx", population=100_000)


def _engaged(**fields):
    city = CityFactory(**fields)
    SignatureFactory(city=city)
    return city


def _names(peers) -> list[str]:
    return [peer.city.name for peer in peers]


def test_peers_are_engaged_cities_in_the_same_state_of_similar_size_or_ahead(home):
    same_state = _engaged(name="Austin Test", state="TX", population=900_000)
    similar = _engaged(name="Dayton Test", state="OH", population=140_000)
    ahead = CityFactory(name="Boise Test", state="ID", population=10_000)
    PlanItemFactory(city=ahead, step=PlanStep.DIRECTORY, status=PlanStatus.DONE)
    CityFactory(name="Quiet Test", state="TX", population=100_000)  # not engaged
    _engaged(name="Far Test", state="ME", population=5_000)  # none of the three
    level = _engaged(name="Level Test", state="WA", population=2_000_000)
    PlanItemFactory(city=level, step=PlanStep.EXEMPLIFY, status=PlanStatus.DONE)
    PlanItemFactory(city=home, step=PlanStep.EXEMPLIFY, status=PlanStatus.DONE)

    peers = peers_of(home, steps_done={PlanStep.EXEMPLIFY})
    assert _names(peers) == ["Austin Test", "Boise Test", "Dayton Test"]
    reasons = {peer.city.name: peer.reasons for peer in peers}
    assert reasons["Austin Test"] == ["in the same state"]
    assert reasons["Dayton Test"] == ["of a similar size"]
    assert reasons["Boise Test"] == ["has done a step of the guide this city has not"]
    assert same_state.pk != similar.pk


def test_what_a_peer_has_done_is_counted_without_withdrawn_signatures(home):
    peer = _engaged(state="TX")
    SignatureFactory(city=peer, withdrawn_on="2026-01-01", withdrawal_reason="Council vote")
    PlanItemFactory(city=peer, step=PlanStep.DIRECTORY, status=PlanStatus.DONE)
    PlanItemFactory(city=peer, step=PlanStep.EXEMPLIFY, status=PlanStatus.UNDER_WAY)
    (found,) = peers_of(home, steps_done=set())
    assert (found.signatures, found.steps_done, found.items_done) == (1, 1, 1)


def test_a_city_of_unknown_size_has_no_similar_peers(db):
    home = CityFactory(state="TX", population=None)
    _engaged(state="OH", population=None)
    _engaged(state="OH", population=50_000)
    assert peers_of(home, steps_done=set()) == []


def test_peers_are_read_in_one_query_and_at_most_five(home, django_assert_num_queries):
    for _index in range(8):
        _engaged(state="TX")
    with django_assert_num_queries(1):
        peers = peers_of(home, steps_done=set())
    assert len(peers) == 5


def test_the_city_page_lists_peers_and_offers_contact_only_to_staff(client, home):
    peer = _engaged(name="Austin Test", state="TX", slug="austin-test-tx")
    contact = reverse("compacts:peer_contact", args=[home.slug, peer.slug])
    html = client.get(home.get_absolute_url()).content.decode()
    assert "Austin Test" in html
    assert contact not in html
    client.force_login(CityStaffFactory(city=home).user)
    assert contact in client.get(home.get_absolute_url()).content.decode()


# Writing to a peer's staff ---------------------------------------------------------------


@pytest.fixture
def peer(db):
    return _engaged(name="Austin Test", state="TX", slug="austin-test-tx")


@pytest.fixture
def peer_staff(peer):
    first = CityStaffFactory(city=peer)
    second = CityStaffFactory(city=peer)
    CityStaffFactory(city=peer, status="pending")
    return [first, second]


def _contact_url(home, peer) -> str:
    return reverse("compacts:peer_contact", args=[home.slug, peer.slug])


def test_staff_write_to_a_peers_staff_one_email_each_without_addresses(
    client, home, peer, peer_staff
):
    sender = CityStaffFactory(city=home).user
    client.force_login(sender)
    response = client.post(_contact_url(home, peer), {"message": "How did you start?"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(staff.user.email for staff in peer_staff)
    for message in mail.outbox:
        assert len(message.to) == 1
        assert message.cc == []
        assert message.bcc == []
        assert message.reply_to == [sender.email]
        assert "How did you start?" in message.body
        assert "Riverbend" in message.subject
        others = [staff.user.email for staff in peer_staff if staff.user.email != message.to[0]]
        assert not any(address in message.body for address in others)
    event = AuditEvent.objects.get(action="peer_contact")
    assert (event.actor, event.city) == (sender, home)
    assert "emailed 2 of 2 staff" in event.detail


def test_the_page_never_shows_the_peers_addresses(client, home, peer, peer_staff):
    client.force_login(CityStaffFactory(city=home).user)
    html = client.get(_contact_url(home, peer)).content.decode()
    assert not any(staff.user.email in html for staff in peer_staff)


def test_unverified_peer_staff_are_not_written_to(client, home, peer, peer_staff):
    EmailAddress.objects.filter(user=peer_staff[0].user).update(verified=False)
    client.force_login(CityStaffFactory(city=home).user)
    client.post(_contact_url(home, peer), {"message": "Hello"})
    assert [message.to for message in mail.outbox] == [[peer_staff[1].user.email]]


def test_a_peer_without_staff_cannot_be_written_to(client, home, peer):
    client.force_login(CityStaffFactory(city=home).user)
    page = client.get(_contact_url(home, peer))
    assert "has no staff on this portal yet" in page.content.decode()
    response = client.post(_contact_url(home, peer), {"message": "Hello"})
    assert response.status_code == 400
    assert not mail.outbox
    assert not AuditEvent.objects.filter(action="peer_contact").exists()


@pytest.mark.parametrize("message", ["", "   ", "x" * 2001])
def test_a_bad_message_gets_a_400(client, home, peer, peer_staff, message):
    client.force_login(CityStaffFactory(city=home).user)
    assert client.post(_contact_url(home, peer), {"message": message}).status_code == 400
    assert not mail.outbox


def test_only_the_citys_approved_staff_may_write(client, home, peer, peer_staff, other_city):
    url = _contact_url(home, peer)
    assert client.post(url, {"message": "Hi"}).url.startswith("/accounts/login/")
    client.force_login(CityStaffFactory(city=other_city).user)
    assert client.post(url, {"message": "Hi"}).status_code == 403
    client.force_login(CityStaffFactory(city=home, status="pending").user)
    assert client.post(url, {"message": "Hi"}).status_code == 403
    assert not mail.outbox


def test_a_city_that_is_not_engaged_or_is_ones_own_is_not_found(client, home):
    quiet = CityFactory(state="TX")
    client.force_login(CityStaffFactory(city=home).user)
    assert client.get(_contact_url(home, quiet)).status_code == 404
    SignatureFactory(city=home)
    assert client.get(_contact_url(home, home)).status_code == 404


def test_the_limit_is_per_person_not_per_address(client, home, peer, peer_staff, settings):
    settings.PORTAL_RATE_LIMITS = {
        **settings.PORTAL_RATE_LIMITS,
        "compacts.peer_contact": (2, 3600),
    }
    first, second = CityStaffFactory(city=home).user, CityStaffFactory(city=home).user
    url = _contact_url(home, peer)
    client.force_login(first)
    assert [client.post(url, {"message": "Hi"}).status_code for _ in range(3)] == [302, 302, 429]
    # A colleague on the same IP address is not held back by the first person's messages.
    client.force_login(second)
    assert client.post(url, {"message": "Hi"}).status_code == 302
    assert AuditEvent.objects.filter(action="peer_contact").count() == 3
