"""directory.filters: each ServiceFilter has its own filters and a form with its choices."""

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
    assert first.form.fields["category"] is not second.form.fields["category"]
    assert "category" in second.form.errors
    assert "category" not in first.form.errors
