"""The site's pages plus /bench/baseline/, the yardstick that bench/run.py measures pages by."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from compacts.models import City
from compassion_portal import urls as site


@require_safe
def baseline(request: HttpRequest) -> HttpResponse:
    """The cheapest page this stack serves: one query of 12 rows through a tiny template."""
    cities = list(City.objects.order_by("name").values_list("name", "state")[:12])
    return render(request, "bench/baseline.html", {"cities": cities})


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *site.urlpatterns]
handler500 = site.handler500
