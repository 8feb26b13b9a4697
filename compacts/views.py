from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe


@require_safe
def compact_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/placeholder.html", {"title": _("Mayors' Compacts")})


@require_safe
def city_list(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/placeholder.html", {"title": _("Partner cities")})
