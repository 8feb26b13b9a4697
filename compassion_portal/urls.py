from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/profile/", views.account_profile, name="account_profile"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("compacts.urls")),
    path("directory/", include("directory.urls")),
    path("curriculum/", include("curriculum.urls")),
]

handler500 = "compassion_portal.views.server_error"
