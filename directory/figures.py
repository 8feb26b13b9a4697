"""Figures this app contributes to the home page (see compassion_portal.figures)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compassion_portal.figures import Figure

from .models import PUBLIC_STATUSES, Organization


def home_figures() -> list[Figure]:
    """Public listings and the organizations offering them, in one query."""
    public = Q(services__status__in=PUBLIC_STATUSES)
    totals = Organization.objects.filter(public).aggregate(
        listings=Count("services", filter=public, distinct=True),
        organizations=Count("pk", distinct=True),
    )
    url = reverse("directory:search")
    return [
        Figure(_("directory listings"), totals["listings"], url),
        Figure(_("organizations in the directory"), totals["organizations"], url),
    ]
