from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest_thanks"),
]
