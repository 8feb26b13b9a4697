"""directory.forms.SearchForm: the query string, cleaned into search criteria."""

import datetime
import re

from directory.forms import SearchForm
from directory.search import Criteria
from directory.search.reference import CategoryRef, CityRef, Reference

NOW = datetime.datetime(2025, 1, 8, 18, 0, tzinfo=datetime.UTC)


def reference(*slugs: str) -> Reference:
    return Reference(
        categories=[CategoryRef(pk, slug, slug.title(), None) for pk, slug in enumerate(slugs)],
        languages=[("es", "Español")],
        language_ids={"es": 7},
        cities=[CityRef("riverbend-tx", "Riverbend, TX")],
    )


def test_the_form_offers_the_choices_of_its_reference_data():
    def offered(ref: Reference) -> list[str]:
        return [value for value, _label in SearchForm(reference=ref).fields["category"].choices]

    assert offered(reference("food")) == ["", "food"]
    assert offered(reference("food", "housing")) == ["", "food", "housing"]
    assert offered(reference("food")) == ["", "food"]


def test_every_valid_value_becomes_a_criterion():
    form = SearchForm(
        {
            "q": "  food\tpantry ",
            "category": "food",
            "kind": "faith",
            "language": "es",
            "city": "riverbend-tx",
            "zip": "78201-1234",
            "open_now": "on",
        },
        reference=reference("food"),
    )
    assert form.criteria(page=2, now=NOW) == Criteria(
        words="food pantry",
        category="food",
        kind="faith",
        language="es",
        city="riverbend-tx",
        zip="78201-1234",
        open_at=NOW,
        page=2,
    )


def test_invalid_values_are_left_out_and_reported():
    form = SearchForm(
        {"q": "shelter", "category": "nothing-like-it", "language": "tlh", "zip": "7820x"},
        reference=reference("food"),
    )
    assert set(form.errors) == {"category", "language", "zip"}
    assert form.criteria(page=1, now=NOW) == Criteria(words="shelter")


def test_no_query_string_is_no_criteria():
    assert SearchForm(reference=reference()).criteria(page=1, now=NOW).is_empty
    unchecked = SearchForm({"open_now": "", "q": "   "}, reference=reference())
    assert unchecked.criteria(page=1, now=NOW).is_empty
    assert (
        not SearchForm({"open_now": "on"}, reference=reference()).criteria(page=1, now=NOW).is_empty
    )


def test_each_form_has_its_own_fields():
    first = SearchForm({"category": "food"}, reference=reference("food"))
    second = SearchForm({"category": "food"}, reference=reference("housing"))
    assert first.is_valid()
    assert not second.is_valid()
    assert first.fields["category"] is not second.fields["category"]


def test_the_site_select_writes_what_djangos_writes():
    """templates/django/forms/widgets/select.html writes its options inline."""
    from django import forms
    from django.forms.renderers import DjangoTemplates

    def same(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    choices = [
        ("", "Any category"),
        ("food", "Food & <drink>"),
        ("food", "Food again"),
        (3, "A number"),
        ("Group", [("a", "A"), ("b", "B")]),
    ]
    for value, attrs in [
        (None, {}),
        ("food", {"id": "id_category", "aria-describedby": 'x" onmouseover="y'}),
        ("b", {"aria-invalid": "true", "required": True}),
        ("not-a-choice", {}),
    ]:
        widget = forms.Select(choices=choices, attrs=attrs)
        site = widget.render("f", value)
        assert same(site) == same(widget.render("f", value, renderer=DjangoTemplates()))
    assert site.count("<option") == 6


def test_a_zip_code_among_the_words_is_where():
    def criteria(**data) -> Criteria:
        return SearchForm(data, reference=reference()).criteria(page=1, now=NOW)

    assert criteria(q="food 78201") == Criteria(words="food", zip="78201")
    assert criteria(q="78201-1234 food pantry") == Criteria(words="food pantry", zip="78201")
    assert criteria(q="78201") == Criteria(zip="78201")
    # The ZIP field wins; a number that is not a ZIP, or two ZIPs, stay words.
    assert criteria(q="food 78201", zip="78202") == Criteria(words="food", zip="78202")
    assert criteria(q="form 1040") == Criteria(words="form 1040")
    assert criteria(q="food 782011") == Criteria(words="food 782011")
    assert criteria(q="78201 or 78202") == Criteria(words="78201 or 78202")
