"""Phone first, in the HTML the server sends: the home page's search form leads to the
directory with the directory's own field names, and the directory's "More filters" disclosure
is open exactly when one of the filters folded into it has a value."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from directory.search import refresh_search_vectors
from tests.compacts.factories import CityFactory
from tests.directory.factories import (
    CategoryFactory,
    LanguageFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db
SEARCH = reverse("directory:search")
FOLDED = ("category", "kind", "language", "city", "open_now")


@dataclass
class Control:
    tag: str
    attrs: dict[str, str | None]
    in_details: bool


@dataclass
class Form:
    attrs: dict[str, str | None]
    controls: list[Control] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # the for= of each label: its text
    details: list[dict[str, str | None]] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)

    def named(self, name: str) -> list[Control]:
        return [control for control in self.controls if control.attrs.get("name") == name]


class FormReader(HTMLParser):
    """The forms of a page with their controls, labels and <details> elements, and the
    order in which the page's landmarks and lists begin (to say what comes first)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self._form: Form | None = None
        self._details_depth = 0
        self._text_for: tuple[str, str] | None = None  # ("label", for) or ("summary", "")
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.starts.append((tag, attributes))
        if tag == "form":
            self._form = Form(attributes)
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "details":
            self._details_depth += 1
            self._form.details.append(attributes)
        elif tag in ("input", "select", "textarea"):
            self._form.controls.append(Control(tag, attributes, self._details_depth > 0))
        elif tag == "label":
            self._text_for, self._text = ("label", attributes.get("for") or ""), []
        elif tag == "summary":
            self._text_for, self._text = ("summary", ""), []

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "form":
            self._form = None
        elif tag == "details":
            self._details_depth -= 1
        elif tag in ("label", "summary") and self._text_for:
            kind, target = self._text_for
            text = " ".join("".join(self._text).split())
            if kind == "label":
                self._form.labels[target] = text
            else:
                self._form.summaries.append(text)
            self._text_for = None

    def handle_data(self, data):
        if self._text_for:
            self._text.append(data)


def read(client, path: str, query: dict | None = None) -> FormReader:
    response = client.get(path, query or {})
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader


def position(reader: FormReader, **wanted: str) -> int:
    """Where the first element whose attributes include ``wanted`` begins."""
    return next(
        i
        for i, (_, attrs) in enumerate(reader.starts)
        if all(attrs.get(name) == value for name, value in wanted.items())
    )


def search_form(reader: FormReader) -> Form:
    found = [form for form in reader.forms if form.attrs.get("role") == "search"]
    assert len(found) == 1, "one search form a page"
    return found[0]


@pytest.fixture
def riverbend():
    """Valid values for every folded filter: a city, a category, Spanish, a ZIP."""
    city = CityFactory(slug="riverbend-tx", name="Riverbend")
    food = CategoryFactory(name="Food", slug="food")
    service = ServiceFactory(
        name="Food pantry",
        organization__city=city,
        categories=[food],
        languages=[LanguageFactory()],
    )
    ServiceAtLocationFactory(service=service, location__postal_code="78994")
    refresh_search_vectors()
    return service


# --- the home page ------------------------------------------------------------------------


def test_home_search_form_sends_what_and_where_to_the_directory(client):
    form = search_form(read(client, reverse("home")))
    assert form.attrs["action"] == SEARCH
    assert (form.attrs.get("method") or "get").lower() == "get"
    assert form.attrs.get("aria-label")
    names = [control.attrs.get("name") for control in form.controls]
    assert names == ["q", "zip"]
    what, where = form.named("q")[0], form.named("zip")[0]
    assert form.labels[what.attrs["id"]] == "What do you need?"
    assert form.labels[where.attrs["id"]] == "ZIP code"
    assert where.attrs.get("inputmode") == "numeric"
    assert where.attrs.get("autocomplete") == "postal-code"


def test_home_search_comes_right_after_the_heading_before_the_figures(client):
    reader = read(client, reverse("home"))
    order = [tag for tag, _ in reader.starts]
    h1, form = order.index("h1"), position(reader, role="search")
    assert h1 < form < position(reader, **{"class": "figures"})
    assert order[h1:form] == ["h1", "p"]  # the heading, its lead, then the search


def test_home_form_submits_into_a_directory_search(client, riverbend):
    form = search_form(read(client, SEARCH, {"q": "food", "zip": "78994"}))
    assert form.named("q")[0].attrs.get("value") == "food"
    assert form.named("zip")[0].attrs.get("value") == "78994"
    html = client.get(SEARCH, {"q": "food", "zip": "78994"}).content.decode()
    assert "1 result." in html
    assert "Food pantry" in html


# --- the directory ------------------------------------------------------------------------


def test_each_field_appears_once_with_what_and_where_outside_the_disclosure(client, riverbend):
    form = search_form(read(client, SEARCH, {"q": "food"}))
    for name in ("q", "zip", *FOLDED):
        assert len(form.named(name)) == 1, name
    assert [name for name in ("q", "zip") if form.named(name)[0].in_details] == []
    assert [name for name in FOLDED if not form.named(name)[0].in_details] == []
    assert len(form.details) == 1
    assert form.summaries == ["More filters"]
    for control in form.controls:
        assert control.attrs["id"] in form.labels, control.attrs["name"]


def _is_open(client, query: dict) -> bool:
    details = search_form(read(client, SEARCH, query)).details
    assert len(details) == 1
    return "open" in details[0]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "food"},
        {"zip": "78994"},
        {"q": "food", "zip": "78994", "page": "2"},
        {"q": "food", "category": "", "kind": "", "language": "", "city": "", "open_now": ""},
    ],
    ids=["no search", "words", "zip", "words zip page", "empty filters"],
)
def test_more_filters_stay_closed_without_a_folded_filter(client, riverbend, query):
    assert not _is_open(client, query)


@pytest.mark.parametrize(
    "query",
    [
        {"category": "food"},
        {"kind": "nonprofit"},
        {"language": "es"},
        {"city": "riverbend-tx"},
        {"open_now": "on"},
        {"q": "food", "zip": "78994", "category": "food"},
        {"q": "food", "category": "no-such-category"},
    ],
    ids=["category", "kind", "language", "city", "open now", "with words", "invalid category"],
)
def test_more_filters_open_when_a_folded_filter_is_set(client, riverbend, query):
    assert _is_open(client, query)


def test_results_follow_the_form_and_the_suggestion_link_follows_them(client, riverbend):
    reader = read(client, SEARCH, {"q": "food"})
    form = position(reader, role="search")
    results = position(reader, **{"class": "results"})
    assert form < results < position(reader, href=reverse("directory:suggest"))
