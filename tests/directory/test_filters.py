"""directory.filters: each ServiceFilter has its own filters and a form with its choices."""

import pytest
from django.http import QueryDict

from directory.filters import ServiceFilter
from directory.models import Service
from directory.search import CategoryRef, Reference


def reference(*slugs: str) -> Reference:
    return Reference(
        categories=[CategoryRef(pk, slug, slug.title(), None) for pk, slug in enumerate(slugs)]
    )


def build(ref: Reference, query: str = "") -> ServiceFilter:
    return ServiceFilter(QueryDict(query), queryset=Service.objects.none(), reference=ref)


def test_filtersets_do_not_share_their_filters():
    first, second = build(reference("food")), build(reference("food", "housing"))
    assert first.filters["category"] is not second.filters["category"]
    assert list(first.filters["category"].extra["choices"]) == [("food", "Food")]
    assert len(list(second.filters["category"].extra["choices"])) == 2
    assert "choices" not in ServiceFilter.base_filters["category"].extra
    # A filter with a method calls it on its own FilterSet.
    assert first.filters["q"].filter.method == first.filter_q
    assert second.filters["q"].filter.method == second.filter_q


def test_the_form_offers_the_choices_of_its_reference_data():
    def offered(ref: Reference) -> list[str]:
        return [value for value, _label in build(ref).form.fields["category"].choices]

    assert offered(reference("food")) == ["", "food"]
    assert offered(reference("food", "housing")) == ["", "food", "housing"]
    assert offered(reference("food")) == ["", "food"]


def test_each_form_has_its_own_fields_and_data():
    first = build(reference("food"), "category=food")
    second = build(reference("food"), "category=nothing-like-it")
    assert first.form.is_valid()
    assert not second.form.is_valid()
    assert first.form.fields is not second.form.fields
    assert first.form["category"].value() == "food"
    assert second.form["category"].value() == "nothing-like-it"
    assert "category" in second.form.errors
    assert "category" not in first.form.errors


def same_markup(html: str) -> str:
    """Markup with the whitespace between tags and attribute order set aside."""
    import re

    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"<(\w+)([^>]*)>", lambda m: f"<{m[1]} {' '.join(sorted(m[2].split()))}>", html)


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, {}),
        ("food", {"id": "id_category"}),
        ("nothing-like-it", {"id": "id_category", "aria-invalid": "true", "required": True}),
        ('"><script>', {"aria-describedby": 'x" onmouseover="y'}),
    ],
)
def test_the_light_widgets_write_what_django_writes(value, attrs):
    from django import forms
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from directory.filters import LightCheckbox, LightSelect, LightTextInput

    choices = [
        ("", gettext_lazy("Any category")),
        ("food", "Food & <drink>"),
        ("safe", mark_safe("<b>Bold</b>")),
        ("food", "Food again"),
        (3, "A number"),
    ]
    pairs = [
        (LightSelect(choices=choices), forms.Select(choices=choices)),
        (LightSelect(choices=choices[:2]), forms.Select(choices=choices[:2])),
        (LightTextInput(), forms.TextInput()),
        (LightCheckbox(), forms.CheckboxInput()),
    ]
    for light, django in pairs:
        for _ in range(2):  # the second time from what LightSelect remembered
            assert same_markup(light.render("f", value, dict(attrs))) == same_markup(
                django.render("f", value, dict(attrs))
            )
    assert LightCheckbox().render("f", True) == forms.CheckboxInput().render("f", True).strip()
