from django.urls import path

from . import state_map, views

app_name = "compacts"

urlpatterns = [
    path("compacts/", views.compact_list, name="compact_list"),
    path("compacts/<slug:slug>/", views.compact_detail, name="compact_detail"),
    path("compacts/<slug:slug>/signatories.csv", views.compact_csv, name="compact_csv"),
    path("compacts/<slug:slug>/sign/", views.sign, name="sign"),
    path("compacts/<slug:slug>/signed/<slug:city_slug>/", views.signed, name="signed"),
    path("compacts/<slug:slug>/renew/", views.renew, name="renew"),
    path("compacts/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("compacts/<slug:slug>/reaffirm/", views.reaffirm, name="reaffirm"),
    path("cities/", views.city_list, name="city_list"),
    # Before cities/<slug>/: a city's slug always ends in its state, never "ask-to-join".
    path("cities/ask-to-join/", views.city_join_request, name="city_join_request"),
    # Before cities/<slug>/ too: a city's slug always ends in its state code, never "map".
    path("cities/map/", state_map.state_map, name="state_map"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
    path("cities/<slug:slug>/request-access/", views.staff_request, name="staff_request"),
    path("cities/<slug:slug>/handover/", views.handover, name="handover"),
    path(
        "cities/<slug:slug>/call-a-mayor/<slug:peer_slug>/",
        views.peer_contact,
        name="peer_contact",
    ),
    path("cities/<slug:slug>/plan/<str:key>/", views.plan_item, name="plan_item"),
]
