from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import user_language, views

# Outside the language prefix: the load balancer's health check, which says "ok" or
# nothing in every language, the view that changes language, which must be reachable
# from a page in either language (Django's advice for set_language), and the HSDS API,
# which machines read and whose data is the same in every language.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", user_language.set_language, name="set_language"),
    path("api/hsds/", include("directory.api.urls")),
]

# Every page a person reads: English at /..., Spanish at /es/... (LANGUAGES in settings).
# The admin is among them: the portal's own admin strings are translated, and Django's
# admin has its Spanish, so /es/admin/ serves Spanish-speaking staff.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accounts/profile/", views.account_profile, name="account_profile"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("compacts.urls")),
    path("directory/", include("directory.urls")),
    path("curriculum/", include("curriculum.urls")),
    prefix_default_language=False,
)

handler500 = "compassion_portal.views.server_error"
