"""A resident's list: kept in the session, changed by POST only, printed with a QR code."""

import datetime
import re

import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.models import PhoneType, ServiceStatus
from directory.saved_list import MAX_LISTINGS
from directory.search import refresh_search_vectors
from tests.directory.factories import (
    LocationFactory,
    OrganizationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("directory:list")
ADD = reverse("directory:list_add")
REMOVE = reverse("directory:list_remove")
CLEAR = reverse("directory:list_clear")
PRINT = reverse("directory:list_print")
SHARED = reverse("directory:list_shared")


def add(client: Client, service, **extra):
    return client.post(ADD, {"service": service.pk, **extra})


def names_on(html: str) -> list[str]:
    """The listing names of a list page, in the order shown."""
    return re.findall(r'<h2 class="saved-entry__name"><a href="[^"]*">([^<]*)</a>', html)


@pytest.fixture
def pantry():
    service = ServiceFactory(
        name="Eastside pantry",
        organization__name="Riverbend Food Bank",
        assured_date=datetime.date(2026, 2, 3),
    )
    link = ServiceAtLocationFactory(
        service=service, location__address_1="12 Oak Street", location__postal_code="78201"
    )
    PhoneFactory(service=service, number="(555) 010-4242")
    ScheduleFactory(service_at_location=link, byday="MO,TU,WE", opens_at="09:00", closes_at="12:00")
    return service


@pytest.fixture
def clinic():
    return ServiceFactory(
        name="Walk-in clinic", organization__name="Riverbend Health", assured_date=None
    )


# --- changing the list ---------------------------------------------------------------------


def test_adding_starts_an_anonymous_session_and_keeps_the_listing(client, pantry):
    assert "sessionid" not in client.cookies
    response = add(client, pantry)
    assert response.status_code == 302
    assert response["Location"] == pantry.get_absolute_url()
    assert client.cookies["sessionid"].value  # no account: the session alone holds the list
    html = client.get(LIST).content.decode()
    assert names_on(html) == ["Eastside pantry"]


def test_the_list_keeps_the_order_listings_were_added_in(client, pantry, clinic):
    third = ServiceFactory(name="Aardvark legal aid")
    for service in (clinic, third, pantry):
        add(client, service)
    assert names_on(client.get(LIST).content.decode()) == [
        "Walk-in clinic",
        "Aardvark legal aid",
        "Eastside pantry",
    ]


def test_adding_twice_keeps_one_entry(client, pantry):
    add(client, pantry)
    response = add(client, pantry)
    html = client.get(response["Location"]).content.decode()
    assert "is already on your list" in html
    assert names_on(client.get(LIST).content.decode()) == ["Eastside pantry"]


def test_removing_takes_the_listing_off(client, pantry, clinic):
    add(client, pantry)
    add(client, clinic)
    response = client.post(REMOVE, {"service": pantry.pk, "next": LIST}, follow=True)
    html = response.content.decode()
    assert "Removed “Eastside pantry” from your list." in html
    assert names_on(html) == ["Walk-in clinic"]


def test_a_listing_closed_since_it_was_added_can_still_be_removed(client, pantry):
    add(client, pantry)
    pantry.status = ServiceStatus.INACTIVE
    pantry.save()
    html = client.get(LIST).content.decode()
    assert names_on(html) == []
    assert "1 listing on this list is no longer in the directory" in html
    response = client.post(REMOVE, {"service": pantry.pk})
    assert response["Location"] == LIST  # its own page is gone
    assert "no longer in the directory" not in client.get(LIST).content.decode()


@pytest.mark.parametrize("url", [ADD, REMOVE])
def test_get_cannot_change_the_list(client, pantry, url):
    add(client, pantry)
    before = names_on(client.get(LIST).content.decode())
    assert client.get(url, {"service": pantry.pk}).status_code == 405
    assert client.get(CLEAR).status_code == 200  # the question, not the answer
    assert names_on(client.get(LIST).content.decode()) == before == ["Eastside pantry"]


def test_csrf_is_enforced_and_the_listing_page_form_carries_the_token(pantry):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(ADD, {"service": pantry.pk}).status_code == 403
    page = browser.get(pantry.get_absolute_url()).content.decode()
    # What a browser sends: the fields of the form the button names, and the button's own.
    button = re.search(r'<button type="submit" form="([\w-]+)" name="service" value="(\d+)"', page)
    assert button.group(2) == str(pantry.pk)
    form = re.search(
        rf'<form id="{button.group(1)}" method="post" action="([^"]+)" hidden>(.*?)</form>', page
    )
    assert form.group(1) == ADD
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    assert set(fields) == {"csrfmiddlewaretoken", "next"}
    response = browser.post(ADD, {**fields, "service": button.group(2)})
    assert response.status_code == 302
    assert response["Location"] == pantry.get_absolute_url()
    assert names_on(browser.get(LIST).content.decode()) == ["Eastside pantry"]
    # The clear form, too, is refused without its token.
    assert browser.post(CLEAR).status_code == 403
    assert names_on(browser.get(LIST).content.decode()) == ["Eastside pantry"]


@pytest.mark.parametrize("status", [ServiceStatus.INACTIVE, ServiceStatus.DEFUNCT])
def test_only_public_listings_can_be_added(client, status):
    hidden = ServiceFactory(name="Closed shelter", status=status)
    response = add(client, hidden)
    assert response.status_code == 404
    assert "No public listing has this number" in response.content.decode()
    assert names_on(client.get(LIST).content.decode()) == []


@pytest.mark.parametrize("bad", ["", "abc", "1.5", "-3", "²", "١٢", "9" * 30, "1 OR 1=1", "12\x00"])
@pytest.mark.parametrize("url", [ADD, REMOVE])
def test_a_bad_listing_number_is_a_400_not_a_500(client, url, bad):
    assert client.post(url, {"service": bad}).status_code == 400


def test_an_unknown_listing_number_is_a_404(client):
    assert client.post(ADD, {"service": "987654321"}).status_code == 404
    # Removing what is not there only says so.
    response = client.post(REMOVE, {"service": "987654321"}, follow=True)
    assert "“that listing” was not on your list." in response.content.decode()


def test_the_list_is_capped_with_a_clear_message(client):
    services = ServiceFactory.create_batch(MAX_LISTINGS + 1)
    for service in services[:MAX_LISTINGS]:
        assert add(client, service).status_code == 302
    response = add(client, services[-1], next=LIST)
    html = client.get(response["Location"]).content.decode()
    assert f"Your list is full: it holds {MAX_LISTINGS} listings at most." in html
    names = names_on(html)
    assert len(names) == MAX_LISTINGS
    assert services[-1].name not in names
    # Making room lets it in.
    client.post(REMOVE, {"service": services[0].pk})
    add(client, services[-1])
    assert names_on(client.get(LIST).content.decode())[-1] == services[-1].name


@pytest.mark.parametrize(
    ("next_url", "goes_back"),
    [
        ("/directory/?q=food&page=2", True),
        ("/directory/services/elsewhere/", True),
        ("https://evil.example/steal", False),
        ("//evil.example/steal", False),
        ("/\\evil.example/steal", False),
        ("http://testserver.evil.example/", False),
        ("javascript:alert(1)", False),
        ("relative/path", False),
        ("/" + "a" * 3000, False),
    ],
)
@pytest.mark.parametrize("url", [ADD, REMOVE])
def test_next_returns_only_to_this_site(client, pantry, url, next_url, goes_back):
    if url == REMOVE:
        add(client, pantry)
    response = client.post(url, {"service": pantry.pk, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == (next_url if goes_back else pantry.get_absolute_url())


def test_two_visitors_have_separate_lists(pantry, clinic):
    ana, ben = Client(), Client()
    add(ana, pantry)
    add(ben, clinic)
    assert names_on(ana.get(LIST).content.decode()) == ["Eastside pantry"]
    assert names_on(ben.get(LIST).content.decode()) == ["Walk-in clinic"]
    ben.post(CLEAR)
    assert names_on(ana.get(LIST).content.decode()) == ["Eastside pantry"]
    assert names_on(ben.get(LIST).content.decode()) == []


def test_clearing_asks_first_then_empties_the_list(client, pantry, clinic):
    add(client, pantry)
    add(client, clinic)
    question = client.get(CLEAR).content.decode()
    assert "This takes all 2 listings off your list." in question
    assert f'<form method="post" action="{CLEAR}"' in question
    assert names_on(client.get(LIST).content.decode()) == ["Eastside pantry", "Walk-in clinic"]
    response = client.post(CLEAR, follow=True)
    html = response.content.decode()
    assert "Your list is now empty." in html
    assert "Your list is empty" in html
    assert names_on(html) == []


# --- the listing page's button -------------------------------------------------------------


def test_the_listing_page_says_whether_the_listing_is_on_the_list(client, pantry, clinic):
    html = client.get(pantry.get_absolute_url()).content.decode()
    assert "Add to my list" in html
    assert "Remove from my list" not in html
    add(client, pantry)
    html = client.get(pantry.get_absolute_url()).content.decode()
    assert f'form="list-remove" name="service" value="{pantry.pk}"' in html
    assert "Remove from my list" in html
    assert "Add to my list" not in html
    # Another listing's page is not fooled by it.
    assert "Add to my list" in client.get(clinic.get_absolute_url()).content.decode()


def test_the_listing_page_button_returns_to_the_same_page(client, pantry):
    page = pantry.get_absolute_url() + "?back=q%3Dfood%26evil%3D1&utm=%22evil"
    html = client.get(page).content.decode()
    # The way back to the search, as the listing page cleaned it; nothing else of the address.
    assert f'name="next" value="{pantry.get_absolute_url()}?back=q%3Dfood"' in html
    assert "evil" not in html
    response = client.post(
        ADD, {"service": pantry.pk, "next": f"{pantry.get_absolute_url()}?back=q%3Dfood"}
    )
    assert response["Location"] == f"{pantry.get_absolute_url()}?back=q%3Dfood"
    html = client.get(response["Location"]).content.decode()
    assert f'<a href="{reverse("directory:search")}?q=food">Back to your search results</a>' in html


# --- the list page -------------------------------------------------------------------------


def test_the_list_page_shows_how_to_reach_each_listing(client, pantry, clinic):
    confidential = ServiceAtLocationFactory(
        service=clinic, location__address_1="9 Secret Way", location__is_confidential=True
    )
    ServiceAtLocationFactory(service=clinic, location__address_1="40 Public Road")
    PhoneFactory(location=confidential.location, number="(555) 010-7000")
    add(client, pantry)
    add(client, clinic)
    html = client.get(LIST).content.decode()
    assert "Riverbend Food Bank" in html
    assert '<a href="tel:5550104242">(555) 010-4242</a>' in html
    assert "12 Oak Street<br>Riverbend, TX 78201" in html
    assert "Last verified Feb. 3, 2026" in html
    # The clinic: never verified, its address the first public one, its number a location's.
    assert "Not verified" in html
    assert "40 Public Road" in html
    assert "9 Secret Way" not in html
    assert '<a href="tel:5550107000">' in html
    assert html.count('form="list-remove" name="service"') == 2
    assert html.count(f'action="{REMOVE}"') == 1  # the one form those two buttons submit
    assert f'href="{PRINT}"' in html
    assert "Print this list" in html
    assert f'href="{CLEAR}"' in html


def test_the_number_shown_is_the_services_own_never_a_fax(client):
    service = ServiceFactory(name="Tax help")
    link = ServiceAtLocationFactory(service=service)
    PhoneFactory(organization=service.organization, number="(555) 010-0001")
    PhoneFactory(location=link.location, number="(555) 010-0002")
    PhoneFactory(service=service, number="(555) 010-0003", type=PhoneType.FAX)
    add(client, service)
    html = client.get(LIST).content.decode()
    assert "(555) 010-0002" in html  # its location's, before its provider's
    assert "(555) 010-0003" not in html
    assert "(555) 010-0001" not in html
    PhoneFactory(service=service, number="(555) 010-0004")
    html = client.get(LIST).content.decode()
    assert "(555) 010-0004" in html
    assert "(555) 010-0002" not in html


def test_the_providers_number_when_nothing_closer_is_listed(client):
    service = ServiceFactory(name="Tax help")
    PhoneFactory(organization=service.organization, number="(555) 010-0001")
    add(client, service)
    assert "(555) 010-0001" in client.get(LIST).content.decode()


def test_the_empty_list_says_how_to_add_listings(client):
    html = client.get(LIST).content.decode()
    assert "Your list is empty" in html
    assert "press “Add to my list”" in html
    assert f'href="{reverse("directory:search")}"' in html
    assert "Print this list" not in html


def test_the_list_pages_are_never_cached(client, pantry):
    add(client, pantry)
    for url in (LIST, PRINT, CLEAR):
        assert "no-store" in client.get(url)["Cache-Control"]


# --- the print page ------------------------------------------------------------------------


def test_the_print_page_is_dated_in_the_directorys_local_time(client, pantry, clinic, monkeypatch):
    add(client, pantry)
    add(client, clinic)
    # 03:30 UTC on 10 March 2026 is still the evening of 9 March in Chicago.
    instant = datetime.datetime(2026, 3, 10, 3, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    html = client.get(PRINT).content.decode()
    assert "Printed on March 9, 2026" in html
    assert "March 10, 2026" not in html
    assert "Last verified Feb. 3, 2026" in html
    assert "Not verified" in html
    assert names_on(html) == ["Eastside pantry", "Walk-in clinic"]


def test_the_print_page_date_follows_the_setting(client, pantry, monkeypatch, settings):
    add(client, pantry)
    settings.DIRECTORY_TIME_ZONE = "Asia/Tokyo"
    instant = datetime.datetime(2026, 3, 9, 20, 0, tzinfo=datetime.UTC)  # 10 March in Tokyo
    monkeypatch.setattr(timezone, "now", lambda: instant)
    assert "Printed on March 10, 2026" in client.get(PRINT).content.decode()


def test_the_print_page_gives_phone_address_and_hours(client, pantry):
    add(client, pantry)
    html = client.get(PRINT).content.decode()
    assert "(555) 010-4242" in html
    assert "12 Oak Street" in html
    assert "Monday to Wednesday: 9 a.m. – noon" in html


def svg_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The size of the drawing and its dark modules (row, column), read from segno's path:
    absolute M, relative m, and h runs of dark modules along a row's middle line."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            run = int(first)
            dark |= {(int(y - 0.5), int(x) + step) for step in range(run)}
            x += run
    return size, dark


def test_the_qr_code_is_the_shared_address_of_the_list(client, pantry, clinic):
    add(client, clinic)
    add(client, pantry)
    html = client.get(PRINT).content.decode()
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert svg.startswith('<svg role="img" ')
    assert "<title>QR code of this list’s web address</title>" in svg
    url = f"http://testserver{SHARED}?ids={clinic.pk},{pantry.pk}"
    assert f'<span class="list-qr__url">{url}</span>' in html
    size, dark = svg_modules(svg)
    matrix = segno.make_qr(url, error="m").matrix
    border = (size - len(matrix)) // 2
    expected = {
        (row + border, column + border)
        for row, values in enumerate(matrix)
        for column, value in enumerate(values)
        if value
    }
    assert dark == expected
    # The address, opened on a phone with no session, shows the same list.
    assert names_on(Client().get(url).content.decode()) == ["Walk-in clinic", "Eastside pantry"]


def test_the_empty_print_page_has_no_qr_code(client):
    html = client.get(PRINT).content.decode()
    assert "<svg" not in html
    assert "nothing to print yet" in html


# --- the shared address --------------------------------------------------------------------


def test_the_shared_address_shows_the_same_listings_read_only(client, pantry, clinic):
    add(client, pantry)
    add(client, clinic)
    shared = re.search(r'<a href="([^"]+)">A link to this list', client.get(LIST).content.decode())
    stranger = Client()
    html = stranger.get(shared.group(1).replace("&amp;", "&")).content.decode()
    assert names_on(html) == ["Eastside pantry", "Walk-in clinic"]
    assert "Last verified Feb. 3, 2026" in html
    assert f'action="{REMOVE}"' not in html
    assert 'form="list-remove"' not in html
    assert "sessionid" not in stranger.cookies  # reading a shared list saves nothing


def test_the_shared_address_leaves_out_what_it_cannot_show(client, pantry):
    closed = ServiceFactory(name="Old shelter", status=ServiceStatus.DEFUNCT)
    html = client.get(SHARED, {"ids": f"{closed.pk},x,{pantry.pk},{pantry.pk},424242"}).content
    html = html.decode()
    assert names_on(html) == ["Eastside pantry"]
    assert "2 parts of this address are not listings" in html  # x and the repeat
    assert "2 listings on this list are no longer in the directory" in html
    assert "Old shelter" not in html


def test_the_shared_address_is_capped(client):
    services = ServiceFactory.create_batch(MAX_LISTINGS + 3)
    ids = ",".join(str(service.pk) for service in services)
    html = client.get(SHARED, {"ids": ids}).content.decode()
    assert len(names_on(html)) == MAX_LISTINGS
    assert f"3 parts of this address are not listings or come past the first {MAX_LISTINGS}" in html


@pytest.mark.parametrize("ids", ["", ",,,", "9" * 40, "²,١", "1" * 5000, "-1,0"])
def test_odd_shared_addresses_are_answered_calmly(client, ids):
    response = client.get(SHARED, {"ids": ids})
    assert response.status_code == 200
    assert "no listings that are in the directory now" in response.content.decode()


# --- queries -------------------------------------------------------------------------------


@pytest.fixture
def twenty_on_the_list(client):
    organizations = OrganizationFactory.create_batch(4)
    for n in range(20):
        service = ServiceFactory(organization=organizations[n % 4])
        for _ in range(2):
            link = ServiceAtLocationFactory(service=service)
            PhoneFactory(service_at_location=link)
            ScheduleFactory(service_at_location=link)
        LocationFactory(organization=service.organization)
        PhoneFactory(service=service)
        ScheduleFactory(service=service, byday="SA")
        add(client, service)
    return client


def test_list_pages_read_twenty_listings_in_a_few_queries(
    twenty_on_the_list, django_assert_max_num_queries
):
    client = twenty_on_the_list
    # The session, the services with their organizations, their locations, the phones.
    with django_assert_max_num_queries(4):
        html = client.get(LIST).content.decode()
    assert len(names_on(html)) == 20
    # ... and the hours.
    with django_assert_max_num_queries(5):
        html = client.get(PRINT).content.decode()
    assert len(names_on(html)) == 20
    shared = re.search(r'<span class="list-qr__url">http://testserver([^<]+)</span>', html)
    with django_assert_max_num_queries(4):  # no session
        html = Client().get(shared.group(1)).content.decode()
    assert len(names_on(html)) == 20


def test_a_result_card_adds_its_listing_and_comes_back_to_the_search(client, pantry, clinic):
    refresh_search_vectors()
    search = reverse("directory:search")
    html = client.get(search, {"q": "pantry"}).content.decode()
    card = html.split("Eastside pantry</a></h3>")[1].split("</li>")[0]
    assert f'form="list-add" name="service" value="{pantry.pk}"' in card
    # The page's one "add" form, which every card's button submits, comes back to the search.
    add_form = re.search(
        rf'<form id="list-add" method="post" action="{ADD}" hidden>.*?</form>', html
    )
    assert add_form is not None
    assert 'name="next" value="/directory/?q=pantry"' in add_form.group(0)
    assert html.count('<form id="list-add"') == 1
    response = add(client, pantry, next="/directory/?q=pantry")
    assert response.status_code == 302
    assert response["Location"] == "/directory/?q=pantry"
    html = client.get(search, {"q": "pantry"}).content.decode()
    assert "Remove from my list<span" in html.split("Eastside pantry</a></h3>")[1]
