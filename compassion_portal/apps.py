from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "compassion_portal"
    verbose_name = _("Compassion Portal")

    def ready(self) -> None:
        from . import user_language  # noqa: F401, PLC0415  (connects its signal receivers)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site: allauth sign-in and a required second factor."""

    default = False
    default_site = "compassion_portal.admin_site.PortalAdminSite"
