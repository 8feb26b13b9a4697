"""This app's part of the signed-in person's account page: their city staff requests."""

from django.urls import reverse

from .models import CityJoinRequest, CityStaff


def account_section(user) -> tuple[str, dict] | None:
    """Return (template name, context) to show on /accounts/profile/, or None for nothing."""
    requests = CityStaff.objects.filter(user=user).select_related("city").order_by("city__name")
    join_requests = CityJoinRequest.objects.filter(requested_by=user).select_related("city")
    return (
        "compacts/includes/account_section.html",
        {
            "requests": list(requests),
            "join_requests": list(join_requests),
            "cities_url": reverse("compacts:city_list"),
        },
    )
