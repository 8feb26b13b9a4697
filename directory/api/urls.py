"""/api/hsds/...: the HSDS 3.0 API (mounted outside the language prefixes: a machine reads
it, and its data is the same in every language)."""

from django.urls import path, re_path

from . import views

app_name = "hsds_api"

urlpatterns = [
    path("", views.root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    path("profile/", views.profile, name="profile"),
    path("profile/<str:name>.json", views.profile_file, name="profile_file"),
    path("schema/<str:name>.json", views.schema_file, name="schema_file"),
    path("services", views.services, name="services"),
    path("services/<str:hsds_id>", views.service, name="service"),
    path("organizations", views.organizations, name="organizations"),
    path("organizations/<str:hsds_id>", views.organization, name="organization"),
    path("service_at_locations", views.service_at_locations, name="service_at_locations"),
    path(
        "service_at_locations/<str:hsds_id>",
        views.service_at_location,
        name="service_at_location",
    ),
    path("taxonomies", views.taxonomies, name="taxonomies"),
    path("taxonomies/<str:hsds_id>", views.taxonomy, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:hsds_id>", views.taxonomy_term, name="taxonomy_term"),
    # Any other address under the API: a JSON 404, not the site's HTML page.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
