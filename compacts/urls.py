from django.urls import path

from . import views

app_name = "compacts"

urlpatterns = [
    path("compacts/", views.compact_list, name="compact_list"),
    path("cities/", views.city_list, name="city_list"),
]
