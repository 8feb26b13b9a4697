"""Partner cities at a glance: a tile-grid map of the United States and the same figures as a
table, each state linking to its partner cities in the registry.

One square per state on a 12 by 8 grid that keeps each state near its neighbours (the common
tile-grid layout of news graphics: Alaska top left, Hawaii bottom left, Maine top right); the
territories sit in a row of their own below. No map tiles, no scripts: the page is an SVG the
server writes, scaled by its viewBox.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from .models import City
from .states import STATE_CHOICES

# (column, row) of each state on the grid.
STATE_TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (11, 0),
    "VT": (10, 1), "NH": (11, 1),
    "WA": (1, 2), "ID": (2, 2), "MT": (3, 2), "ND": (4, 2), "MN": (5, 2), "IL": (6, 2),
    "WI": (7, 2), "MI": (8, 2), "NY": (9, 2), "RI": (10, 2), "MA": (11, 2),
    "OR": (1, 3), "NV": (2, 3), "WY": (3, 3), "SD": (4, 3), "IA": (5, 3), "IN": (6, 3),
    "OH": (7, 3), "PA": (8, 3), "NJ": (9, 3), "CT": (10, 3),
    "CA": (1, 4), "UT": (2, 4), "CO": (3, 4), "NE": (4, 4), "MO": (5, 4), "KY": (6, 4),
    "WV": (7, 4), "VA": (8, 4), "MD": (9, 4), "DE": (10, 4),
    "AZ": (2, 5), "NM": (3, 5), "KS": (4, 5), "AR": (5, 5), "TN": (6, 5), "NC": (7, 5),
    "SC": (8, 5), "DC": (9, 5),
    "OK": (4, 6), "LA": (5, 6), "MS": (6, 6), "AL": (7, 6), "GA": (8, 6),
    "HI": (0, 7), "TX": (4, 7), "FL": (9, 7),
}  # fmt: skip
# The inhabited territories, left to right in the row below the states.
TERRITORY_TILES: dict[str, int] = {"AS": 0, "GU": 1, "MP": 2, "PR": 3, "VI": 4}

TILE = 56  # a square's side, in SVG units
PITCH = 60  # from one square to the next: a 4-unit gap that the focus ring fills
GRID_COLUMNS, GRID_ROWS = 12, 8
TERRITORY_LABEL_Y = GRID_ROWS * PITCH + 22
TERRITORY_ROW_Y = GRID_ROWS * PITCH + 34
MAP_WIDTH = GRID_COLUMNS * PITCH - (PITCH - TILE)
MAP_HEIGHT = TERRITORY_ROW_Y + TILE

# Colour buckets by partner cities, lowest first: (fewest partner cities, legend text). The
# count is also written in each square, so the colour is never the only way to read it.
BUCKETS = [
    (0, gettext_lazy("No partner city yet")),
    (1, gettext_lazy("1 partner city")),
    (2, gettext_lazy("2 or 3 partner cities")),
    (4, gettext_lazy("4 or more partner cities")),
]

STATE_NAMES = dict(STATE_CHOICES)


@dataclass(frozen=True)
class StateFigures:
    code: str
    partner_cities: int
    active_signatures: int

    @property
    def name(self) -> str:
        return STATE_NAMES[self.code]

    @property
    def bucket(self) -> int:
        return max(i for i, (fewest, _label) in enumerate(BUCKETS) if self.partner_cities >= fewest)

    @property
    def registry_url(self) -> str:
        """The registry filtered to this state's partner cities: it lists exactly
        ``partner_cities`` cities, and their "Compacts signed" add up to ``active_signatures``."""
        query = urlencode({"state": self.code, "partner": "yes"})
        return f"{reverse('compacts:city_list')}?{query}"

    @property
    def label(self) -> str:
        """The square's accessible name: the full name, the code shown in it and both figures."""
        if not self.partner_cities:
            return _("%(state)s (%(code)s): no partner city yet") % {
                "state": self.name,
                "code": self.code,
            }
        cities = ngettext(
            "%(count)d partner city", "%(count)d partner cities", self.partner_cities
        ) % {"count": self.partner_cities}
        signatures = ngettext(
            "%(count)d active signature", "%(count)d active signatures", self.active_signatures
        ) % {"count": self.active_signatures}
        return _("%(state)s (%(code)s): %(cities)s, %(signatures)s") % {
            "state": self.name,
            "code": self.code,
            "cities": cities,
            "signatures": signatures,
        }


@dataclass(frozen=True)
class Tile:
    figures: StateFigures
    x: int
    y: int


def figures_by_state() -> list[StateFigures]:
    """Every state, DC and territory in STATE_CHOICES order, with its partner cities and their
    active signatures; one query.

    Signatures count only for partner cities, so that a state's square, its table row and the
    registry page it links to (its partner cities, each with its compacts signed) say the same.
    """
    rows = (
        City.objects.partners()
        .order_by()
        .values("state")
        .annotate(
            # The join with signatures repeats a city once per signature: count it once.
            partner_cities=Count("pk", distinct=True),
            active_signatures=Count("signatures", filter=Q(signatures__withdrawn_on__isnull=True)),
        )
    )
    counted = {row["state"]: row for row in rows}
    return [
        StateFigures(
            code=code,
            partner_cities=counted.get(code, {}).get("partner_cities", 0),
            active_signatures=counted.get(code, {}).get("active_signatures", 0),
        )
        for code, _name in STATE_CHOICES
    ]


def tiles(figures: list[StateFigures]) -> list[Tile]:
    """Each state's square placed in SVG units, the territories' in their row below."""
    placed = []
    for state in figures:
        if state.code in STATE_TILES:
            column, row = STATE_TILES[state.code]
            placed.append(Tile(state, column * PITCH, row * PITCH))
        else:
            placed.append(Tile(state, TERRITORY_TILES[state.code] * PITCH, TERRITORY_ROW_Y))
    return placed


@require_safe
def state_map(request: HttpRequest) -> HttpResponse:
    figures = figures_by_state()
    return render(
        request,
        "compacts/state_map.html",
        {
            "figures": figures,
            "tiles": tiles(figures),
            "buckets": [label for _fewest, label in BUCKETS],
            "total_partner_cities": sum(state.partner_cities for state in figures),
            "total_active_signatures": sum(state.active_signatures for state in figures),
            "map_width": MAP_WIDTH,
            "map_height": MAP_HEIGHT,
            "tile_size": TILE,
            "tile_centre": TILE // 2,
            "territory_label_y": TERRITORY_LABEL_Y,
        },
    )
