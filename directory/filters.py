"""The search page's filters. Choices come from ``search.Reference`` (one query for all
of them); matching and ranking are delegated to ``directory.search``."""

import copy
import datetime
import functools
import html

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
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
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = option_value == chosen
            if selected:
                chosen = None  # like Django's Select: only the first match is selected
            if hasattr(label, "__html__"):  # already safe: never escaped again
                options.append(_option_markup(option_value, label.__html__(), selected))
            else:
                options.append(_option(option_value, str(label), selected))
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("\n".join(options)),  # noqa: S308 - each option is escaped below
        )


@functools.lru_cache(maxsize=4096)
def _option(value: str, label: str, selected: bool) -> str:
    """An <option> of plain text, escaped once per process: the choices (categories,
    languages, cities) are the same on every search page."""
    return _option_markup(value, html.escape(label), selected)


def _option_markup(value: str, label_html: str, selected: bool) -> str:
    attributes = f'value="{html.escape(value)}"' + (" selected" if selected else "")
    return f"<option {attributes}>{label_html}</option>"


class LightTextInput(forms.TextInput):
    """A text input built in Python (same markup as Django's template, without it)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', value) if value is not None else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class LightCheckbox(forms.CheckboxInput):
    """A checkbox built in Python (same markup as Django's template, without it)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        final = self.build_attrs(self.attrs, attrs)
        if self.check_test(value):
            final["checked"] = True
        return format_html('<input type="checkbox" name="{}"{}>', name, flatatt(final))


class CopiedCheaply:
    """django-filter deep-copies every filter of a FilterSet for each one it builds (once
    per search page). Nothing in these filters changes per page but ``extra`` (the
    choices), so a shallow copy with its own ``extra`` does as well, at a fraction of the
    cost (a deep copy also copied labels, validators and their patterns)."""

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
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

    def _valid_data(self) -> dict:
        return {
            name: value
            for name, value in getattr(self.form, "cleaned_data", {}).items()
            if name not in self.form.errors
        }

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
