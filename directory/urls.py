from django.urls import path

from . import saved_list, verification_views, views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest_thanks"),
    path("reports/<str:reference>/", views.report_status, name="report_status"),
    path("verify/<slug:slug>/<str:token>/", verification_views.verify, name="verify"),
    path("list/", saved_list.saved_list, name="list"),
    path("list/add/", saved_list.saved_list_add, name="list_add"),
    path("list/remove/", saved_list.saved_list_remove, name="list_remove"),
    path("list/clear/", saved_list.saved_list_clear, name="list_clear"),
    path("list/print/", saved_list.saved_list_print, name="list_print"),
    path("list/shared/", saved_list.saved_list_shared, name="list_shared"),
]
