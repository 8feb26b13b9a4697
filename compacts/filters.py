import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import CharterStatus, City, Compact, Signature
from .states import STATE_CHOICES

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SignatoryFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), field_name="city__state", choices=STATE_CHOICES, empty_label=_("Any")
    )
    city = django_filters.CharFilter(
        label=_("City name"), field_name="city__name", lookup_expr="icontains", max_length=120
    )

    class Meta:
        model = Signature
        fields = ["state", "city"]


class CityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("City name"), field_name="name", lookup_expr="icontains", max_length=120
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, empty_label=_("Any")
    )
    partner = django_filters.ChoiceFilter(
        label=_("Compassionate USA partner"),
        choices=YES_NO,
        empty_label=_("Any"),
        method="filter_partner",
    )
    charter = django_filters.ChoiceFilter(
        label=_("Charter for Compassion"),
        field_name="charter_status",
        choices=CharterStatus.choices,
        empty_label=_("Any"),
    )
    compact = django_filters.ModelChoiceFilter(
        label=_("Has signed"),
        queryset=Compact.objects.all(),
        to_field_name="slug",
        empty_label=_("Any compact"),
        method="filter_compact",
    )

    class Meta:
        model = City
        fields = ["q", "state", "partner", "charter", "compact"]

    def filter_partner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(partner_since__isnull=(value == "no"))

    def filter_compact(self, queryset: QuerySet, name: str, value: Compact | None) -> QuerySet:
        if value is None:
            return queryset
        signed = Signature.objects.active().filter(city=OuterRef("pk"), compact=value)
        return queryset.filter(Exists(signed))
