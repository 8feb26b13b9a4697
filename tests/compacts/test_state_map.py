"""/cities/map/: partner cities and their active signatures per state, as a tile-grid SVG and a
table, each state linking to the registry filtered to exactly the cities it counts."""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import resolve, reverse

from compacts import state_map
from compacts.state_map import BUCKETS, STATE_TILES, TERRITORY_TILES, StateFigures
from compacts.states import STATE_CHOICES

from .factories import CityFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db

STATE_MAP = "/cities/map/"
PARTNER_SINCE = datetime.date(2023, 5, 1)


@dataclass
class Tile:
    element: str
    attrs: dict[str, str | None]
    texts: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.texts[0]

    @property
    def count(self) -> int:
        return int(self.texts[1])


@dataclass
class Row:
    heading: str = ""
    href: str | None = None
    cells: list[str] = field(default_factory=list)


class MapReader(HTMLParser):
    """The map's squares (their element, attributes and texts) and the table's state rows."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: dict[str, Tile] = {}
        self.rows: dict[str, Row] = {}
        self._tile: Tile | None = None
        self._row: Row | None = None
        self._in_text = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "state-tile" in classes:
            self._tile = Tile(tag, attributes)
        elif tag == "text" and self._tile is not None:
            self._in_text = True
            self._tile.texts.append("")
        elif tag == "tr" and attributes.get("data-state"):
            self._row = Row()
            self.rows[attributes["data-state"]] = self._row
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "a" and self._row is not None:
            self._row.href = attributes["href"]

    def handle_endtag(self, tag):
        if tag == "text":
            self._in_text = False
        elif self._tile is not None and tag == self._tile.element:
            self.tiles[self._tile.texts[0]] = self._tile
            self._tile = None
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell).strip()
            if tag == "th":
                self._row.heading = text
            else:
                self._row.cells.append(text)
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._in_text:
            self._tile.texts[-1] += data
        if self._cell is not None:
            self._cell.append(data)


def _read(response) -> MapReader:
    assert response.status_code == 200
    reader = MapReader()
    reader.feed(response.content.decode())
    return reader


@pytest.fixture
def registry():
    """Data in which each wrong way of counting gives Texas another number.

    Texas: three partner cities with 4 active signatures (5 counting the withdrawn one, 7
    counting a non-partner city's, 6 partner cities if the signature join is not de-duplicated).
    Ohio: one partner city whose only signature was withdrawn. California: only a non-partner
    city, which signed. Puerto Rico: a territory with one partner city.
    """
    compacts = CompactFactory.create_batch(3)

    def partner(name: str, state: str):
        return CityFactory(name=name, state=state, partner_since=PARTNER_SINCE)

    alder, birch, _cedar = partner("Alder", "TX"), partner("Birch", "TX"), partner("Cedar", "TX")
    SignatureFactory(compact=compacts[0], city=alder)
    SignatureFactory(compact=compacts[1], city=alder)
    SignatureFactory(
        compact=compacts[2], city=alder, withdrawn_on="2024-06-01", withdrawal_reason="Paused"
    )
    SignatureFactory(compact=compacts[0], city=birch)
    SignatureFactory(compact=compacts[1], city=birch)
    not_yet = CityFactory(name="Dogwood", state="TX")
    SignatureFactory(compact=compacts[0], city=not_yet)
    SignatureFactory(compact=compacts[1], city=not_yet)
    SignatureFactory(compact=compacts[2], city=not_yet)

    lakeside = partner("Lakeside", "OH")
    SignatureFactory(
        compact=compacts[0], city=lakeside, withdrawn_on="2024-06-01", withdrawal_reason="Paused"
    )

    SignatureFactory(compact=compacts[0], city=CityFactory(name="Elm", state="CA"))

    SignatureFactory(compact=compacts[0], city=partner("Ponce Test", "PR"))
    return compacts


def test_url_is_the_public_contract_and_no_city_slug():
    assert reverse("compacts:state_map") == STATE_MAP
    assert resolve(STATE_MAP).url_name == "state_map"
    assert resolve("/cities/map-tx/").url_name == "city_detail"


def test_every_state_dc_and_territory_has_one_square_and_one_row(client, registry):
    page = _read(client.get(STATE_MAP))
    codes = [code for code, _name in STATE_CHOICES]
    assert sorted(page.tiles) == sorted(codes)
    assert list(page.rows) == codes
    assert len(STATE_TILES) == 51
    assert set(TERRITORY_TILES) | set(STATE_TILES) == set(codes)
    # No two squares on the same spot.
    assert len(set(STATE_TILES.values())) == len(STATE_TILES)


def test_figures_are_partner_cities_and_their_active_signatures(client, registry):
    page = _read(client.get(STATE_MAP))
    texas = page.tiles["TX"]
    assert texas.count == 3
    assert texas.attrs["aria-label"] == "Texas (TX): 3 partner cities, 4 active signatures"
    assert page.rows["TX"].cells == ["3", "4"]
    # Ohio's only signature was withdrawn; its partner city still counts.
    assert page.tiles["OH"].attrs["aria-label"] == (
        "Ohio (OH): 1 partner city, 0 active signatures"
    )
    assert page.rows["OH"].cells == ["1", "0"]
    assert page.rows["PR"].cells == ["1", "1"]


def test_the_link_lists_exactly_the_cities_and_signatures_the_state_shows(client, registry):
    """For each state with partners, the registry page its square links to lists as many
    cities as the square says, and their "Compacts signed" add up to its signatures."""
    page = _read(client.get(STATE_MAP))
    linked = {code: tile for code, tile in page.tiles.items() if tile.element == "a"}
    assert sorted(linked) == ["OH", "PR", "TX"]
    for code, tile in linked.items():
        registry_page = client.get(tile.attrs["href"])
        assert registry_page.status_code == 200
        listed = list(registry_page.context["page_obj"])
        assert registry_page.context["page_obj"].paginator.count == tile.count, code
        assert {city.state for city in listed} == {code}
        signatures = sum(city.active_signature_count for city in listed)
        assert page.rows[code].cells == [str(tile.count), str(signatures)], code
        # No "filters not understood" warning: the link's parameters are the filter's own.
        assert not list(registry_page.context["messages"])


def test_the_table_and_the_map_agree(client, registry):
    page = _read(client.get(STATE_MAP))
    for code, name in STATE_CHOICES:
        tile, row = page.tiles[code], page.rows[code]
        assert row.heading == str(name)
        assert row.cells[0] == str(tile.count)
        assert tile.attrs.get("href") == row.href
        assert tile.attrs["aria-label"].startswith(f"{name} ({code}): ")
        if tile.count:
            assert tile.attrs["aria-label"].endswith(f", {row.cells[1]} active signatures") or (
                row.cells[1] == "1" and tile.attrs["aria-label"].endswith(", 1 active signature")
            )


def test_a_state_without_partners_is_a_square_but_no_link(client, registry):
    page = _read(client.get(STATE_MAP))
    california = page.tiles["CA"]  # a city there signed, but it is not a partner
    assert california.element == "g"
    assert "href" not in california.attrs
    assert california.attrs["role"] == "img"
    assert california.attrs["aria-label"] == "California (CA): no partner city yet"
    assert california.count == 0
    assert "state-tile--0" in california.attrs["class"]
    assert page.rows["CA"] == Row(heading="California", href=None, cells=["0", "0"])


def test_totals(client, registry):
    response = client.get(STATE_MAP)
    assert response.context["total_partner_cities"] == 5
    assert response.context["total_active_signatures"] == 5
    assert "No city is a Compassionate USA partner yet" not in response.content.decode()


def test_colour_buckets_and_their_key(client, registry):
    page = _read(client.get(STATE_MAP))
    assert "state-tile--2" in page.tiles["TX"].attrs["class"]
    assert "state-tile--1" in page.tiles["OH"].attrs["class"]
    html = client.get(STATE_MAP).content.decode()
    for _fewest, label in BUCKETS:
        assert str(label) in html


@pytest.mark.parametrize(
    ("partner_cities", "bucket"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (40, 3)]
)
def test_bucket_of_a_count(partner_cities, bucket):
    assert StateFigures("TX", partner_cities, 0).bucket == bucket


def test_territories_sit_in_a_row_below_the_states(client, registry):
    tiles = {tile.figures.code: tile for tile in client.get(STATE_MAP).context["tiles"]}
    lowest_state = max(tiles[code].y for code in STATE_TILES)
    assert all(tiles[code].y > lowest_state for code in TERRITORY_TILES)


def test_no_partner_cities_at_all(client):
    CityFactory(name="Elm", state="CA")  # in the registry, not a partner
    response = client.get(STATE_MAP)
    page = _read(response)
    assert "No city is a Compassionate USA partner yet" in response.content.decode()
    assert all(tile.element == "g" and tile.count == 0 for tile in page.tiles.values())
    assert all(row.cells == ["0", "0"] and row.href is None for row in page.rows.values())


def test_queries(client, django_assert_max_num_queries):
    compacts = CompactFactory.create_batch(3)
    states = ["TX", "OH", "CA", "NY", "FL", "PR", "DC"]
    for index in range(28):
        city = CityFactory(state=states[index % len(states)], partner_since=PARTNER_SINCE)
        for compact in compacts[: index % 4]:
            SignatureFactory(compact=compact, city=city)
    with django_assert_max_num_queries(1):
        response = client.get(STATE_MAP)
    assert response.context["total_partner_cities"] == 28
    assert response.context["total_active_signatures"] == sum(i % 4 for i in range(28))


def test_text_is_escaped(client, registry, monkeypatch):
    """State names are translations: whatever a translation holds is written as text."""
    monkeypatch.setitem(state_map.STATE_NAMES, "TX", 'Tex"as <b>&</b>')
    html = client.get(STATE_MAP).content.decode()
    assert "<b>&</b>" not in html
    assert 'aria-label="Tex&quot;as &lt;b&gt;&amp;&lt;/b&gt; (TX): 3 partner cities' in html
    assert ">Tex&quot;as &lt;b&gt;&amp;&lt;/b&gt;</a>" in html
    # The link's query string is escaped in its attribute too.
    assert 'href="/cities/?state=TX&amp;partner=yes"' in html


def test_wrong_method(client):
    assert client.post(STATE_MAP).status_code == 405


def test_the_registry_links_to_the_map(client):
    assert f'href="{STATE_MAP}"' in client.get("/cities/").content.decode()
