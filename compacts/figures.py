"""Figures this app contributes to the home page (see compassion_portal.figures)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compassion_portal.figures import Figure

from .models import CharterStatus, City, Compact


def home_figures() -> list[Figure]:
    """Active signatures per compact, partner cities and affirmed cities, in two queries."""
    figures = [
        Figure(
            _("signatures of the %(title)s") % {"title": compact.title},
            compact.active_signature_count,
            compact.get_absolute_url(),
        )
        for compact in Compact.objects.with_signature_counts()
        .in_published_order()
        .only("title", "slug")
    ]
    cities = City.objects.aggregate(
        partners=Count("pk", filter=Q(partner_since__isnull=False)),
        affirmed=Count("pk", filter=Q(charter_status=CharterStatus.AFFIRMED)),
    )
    registry = reverse("compacts:city_list")
    figures.append(Figure(_("partner cities"), cities["partners"], f"{registry}?partner=yes"))
    figures.append(
        Figure(
            _("affirmed Compassionate Cities"),
            cities["affirmed"],
            f"{registry}?charter={CharterStatus.AFFIRMED}",
        )
    )
    return figures
