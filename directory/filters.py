"""The search page's filters. Choices come from ``search.Reference`` (one query for all
of them); matching and ranking are delegated to ``directory.search``."""

import datetime
import functools
import html

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.filters import FilterMethod

from . import search
from .models import OrganizationKind

CRITERIA = ("q", "category", "kind", "language", "city", "zip", "open_now")


class LightSelect(forms.Select):
    """A single-choice <select> built in Python rather than through a template per
    option: the same markup (attributes such as aria-invalid included) at a fraction of
    the cost, which adds up on a search page with fifty categories. No option groups."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = self.format_value(value)
        chosen = chosen[0] if chosen else None
        choices = tuple(self.choices)
        if chosen and not any(str(option) == chosen for option, _label in choices):
            chosen = None  # not a choice: nothing is selected (and nothing more remembered)
        if any(hasattr(label, "__html__") for _value, label in choices):
            options = _options(choices, chosen)  # marked safe: never remembered
        else:
            options = _remembered_options(choices, chosen)
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 - every part is escaped here or in _options()
            f'<select name="{html.escape(name)}"{attributes}>\n{options}\n</select>'
        )


def _options(choices: tuple, chosen: str | None) -> str:
    lines = []
    for option_value, label in choices:
        option_value = "" if option_value is None else str(option_value)
        selected = option_value == chosen
        if selected:
            chosen = None  # like Django's Select: only the first match is selected
        label_html = label.__html__() if hasattr(label, "__html__") else html.escape(str(label))
        attributes = f'value="{html.escape(option_value)}"' + (" selected" if selected else "")
        lines.append(f"<option {attributes}>{label_html}</option>")
    return "\n".join(lines)


@functools.lru_cache(maxsize=512)
def _remembered_options(choices: tuple, chosen: str | None) -> str:
    """The options of a select, built once per list of choices (in a language: a lazily
    translated label compares as its translation) and chosen value: the categories,
    languages and cities are the same on every search page."""
    return _options(choices, chosen)


def _attributes(attrs: dict) -> str:
    """Django's flatatt() (name="value" pairs sorted, then the true boolean attributes),
    without the format_html() per attribute."""
    pairs, flags = [], []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                flags.append(name)
        elif value is not None:
            pairs.append((name, value))
    text = "".join(f' {html.escape(name)}="{_escaped(value)}"' for name, value in sorted(pairs))
    return text + "".join(f" {html.escape(name)}" for name in sorted(flags))


def _escaped(value) -> str:
    """conditional_escape() as a plain string."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class LightTextInput(forms.TextInput):
    """A text input built in Python (same markup as Django's template, without it)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        value = self.format_value(value)
        shown = f' value="{_escaped(value)}"' if value is not None else ""
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        kind, name = html.escape(self.input_type), html.escape(name)
        return mark_safe(  # noqa: S308 - every part is escaped above
            f'<input type="{kind}" name="{name}"{shown}{attributes}>'
        )


class LightCheckbox(forms.CheckboxInput):
    """A checkbox built in Python (same markup as Django's template, without it)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        final = self.build_attrs(self.attrs, attrs)
        if self.check_test(value):
            final["checked"] = True
        shown = self.format_value(value)
        shown = f' value="{_escaped(shown)}"' if shown is not None else ""
        return mark_safe(  # noqa: S308 - every part is escaped
            f'<input type="checkbox" name="{html.escape(name)}"{shown}{_attributes(final)}>'
        )


class SearchForm(forms.Form):
    """The form of the search page's filters. Nothing changes its fields per form (no view
    or template alters them, and validating or rendering only reads them), so each form
    uses the fields of its class as they are, where Django deep-copies them for every
    form (about 0.2 ms a search page)."""

    def __init__(self, *args, **kwargs) -> None:
        self.base_fields = {}  # what BaseForm.__init__ deep-copies: nothing
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = dict(type(self).base_fields)


class CopiedCheaply:
    """django-filter deep-copies every filter of a FilterSet for each one it builds (once
    per search page). Nothing in these filters changes per page but ``extra`` (the
    choices), so a shallow copy with its own ``extra`` does as well, at a fraction of the
    cost (a deep copy also copied labels, validators and their patterns)."""

    def __deepcopy__(self, memo):
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.extra = dict(self.extra)
        clone.__dict__.pop("_field", None)  # each copy builds its own form field
        if self.method is not None:
            clone.filter = FilterMethod(clone)  # bound to the copy, not to the original
        return clone


class CharFilter(CopiedCheaply, django_filters.CharFilter):
    pass


class ChoiceFilter(CopiedCheaply, django_filters.ChoiceFilter):
    pass


class BooleanFilter(CopiedCheaply, django_filters.BooleanFilter):
    pass


# Form classes of ServiceFilter by their choices (see ServiceFilter.get_form_class).
_form_classes: dict[tuple, type] = {}


class ServiceFilter(django_filters.FilterSet):
    class Meta:
        form = SearchForm

    q = CharFilter(
        label=_("What do you need?"),
        method="filter_q",
        max_length=search.MAX_QUERY_LENGTH,
        help_text=_('For example: food pantry, clases de inglés, "legal aid" -court'),
        widget=LightTextInput,
    )
    category = ChoiceFilter(
        label=_("Category"),
        method="filter_category",
        empty_label=_("Any category"),
        widget=LightSelect,
    )
    kind = ChoiceFilter(
        label=_("Kind of organization"),
        field_name="organization__kind",
        choices=[c for c in OrganizationKind.choices if c[0] != OrganizationKind.UNKNOWN],
        empty_label=_("Any kind"),
        widget=LightSelect,
    )
    language = ChoiceFilter(
        label=_("Language"),
        method="filter_language",
        empty_label=_("Any language"),
        widget=LightSelect,
    )
    city = ChoiceFilter(
        label=_("City"),
        field_name="organization__city__slug",
        empty_label=_("Any city"),
        widget=LightSelect,
    )
    zip = CharFilter(
        label=_("ZIP code"),
        method="filter_zip",
        max_length=10,
        validators=[RegexValidator(r"^\d{3,5}(-\d{4})?$", _("Enter a ZIP code such as 78201."))],
        widget=LightTextInput,
    )
    open_now = BooleanFilter(label=_("Open now"), method="filter_open_now", widget=LightCheckbox)

    def __init__(
        self,
        data=None,
        queryset: QuerySet | None = None,
        *,
        reference: search.Reference,
        now: datetime.datetime | None = None,
        **kwargs,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        self.reference = reference
        self.now = now or timezone.now()
        self.filters["category"].extra["choices"] = reference.category_choices
        self.filters["language"].extra["choices"] = reference.language_choices
        self.filters["city"].extra["choices"] = reference.city_choices

    def get_form_class(self) -> type:
        """The form class for these choices: built once, then reused (each form still gets
        its own copy of the fields). django-filter builds a new class with new fields for
        every FilterSet."""
        key = tuple(
            tuple(self.filters[name].extra["choices"]) for name in ("category", "language", "city")
        )
        form_class = _form_classes.get(key)
        if form_class is None:
            if len(_form_classes) >= 16:
                _form_classes.clear()
            form_class = _form_classes[key] = super().get_form_class()
        return form_class

    @property
    def has_criteria(self) -> bool:
        """Whether any valid filter or query was given (else the page offers browsing)."""
        if not self.is_bound:
            return False
        cleaned = self.form.cleaned_data if self.form.is_valid() else self._valid_data()
        return any(cleaned.get(name) not in (None, "", False) for name in CRITERIA)

    def result_page(self, page: int) -> search.ResultPage:
        """The results on page ``page``. A text search on Postgres with at most category,
        language, kind and city filters (most searches) runs as one statement written by
        search.word_result_page(); anything else through the ORM (self.qs)."""
        word_search = self.word_search()
        if word_search is not None:
            return search.word_result_page(word_search, self.reference, page)
        return search.result_page(self.qs, page)

    def word_search(self) -> search.WordSearch | None:
        """This search as a search.WordSearch, or None when it needs the ORM: no words,
        not Postgres, or a ZIP or open-now filter. Invalid filter values are left out, as
        django-filter leaves them out of self.qs."""
        cleaned = self._valid_data()
        words = search.clean_query(cleaned.get("q") or "")
        if not words or not search.is_postgres() or cleaned.get("zip") or cleaned.get("open_now"):
            return None
        category, language = cleaned.get("category"), cleaned.get("language")
        return search.WordSearch(
            query=words,
            category_ids=tuple(self.reference.category_ids_under(category)) if category else None,
            language_id=self.reference.language_ids[language] if language else None,
            kind=cleaned.get("kind") or "",
            city=cleaned.get("city") or "",
        )

    def _valid_data(self) -> dict:
        errors = self.form.errors  # validates the form first
        return {name: value for name, value in self.form.cleaned_data.items() if name not in errors}

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search.apply_text_search(queryset, value, self.reference)

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search.in_categories(queryset, self.reference.category_ids_under(value))

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search.in_language(queryset, self.reference.language_ids[value])

    def filter_zip(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search.in_postal_code(queryset, value[:5])

    def filter_open_now(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return queryset
        return search.open_now(queryset, self.now, self.reference)
