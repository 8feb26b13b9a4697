from django.urls import path

from . import views

app_name = "compacts"

urlpatterns = [
    path("compacts/", views.compact_list, name="compact_list"),
    path("compacts/<slug:slug>/", views.compact_detail, name="compact_detail"),
    path("compacts/<slug:slug>/signatories.csv", views.compact_csv, name="compact_csv"),
    path("compacts/<slug:slug>/sign/", views.sign, name="sign"),
    path("compacts/<slug:slug>/signed/<slug:city_slug>/", views.signed, name="signed"),
    path("compacts/<slug:slug>/renew/", views.renew, name="renew"),
    path("compacts/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("cities/", views.city_list, name="city_list"),
    # Before cities/<slug>/: a city's slug always ends in its state, never "ask-to-join".
    path("cities/ask-to-join/", views.city_join_request, name="city_join_request"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
    path("cities/<slug:slug>/request-access/", views.staff_request, name="staff_request"),
]
