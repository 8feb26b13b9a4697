"""What the site's header needs on every page."""

from django.http import HttpRequest
from django.urls import ResolverMatch, reverse
from django.utils.translation import gettext_lazy as _

# The header's links: (URL name, label).
NAVIGATION = (
    ("home", _("Home")),
    ("about", _("About")),
    ("compacts:compact_list", _("Compacts")),
    ("compacts:city_list", _("Cities")),
    ("directory:search", _("Directory")),
    ("curriculum:index", _("Curriculum")),
)
# The link of each app's section.
SECTIONS = {"directory": "directory:search", "curriculum": "curriculum:index"}


def navigation(request: HttpRequest) -> dict:
    """The header's links as (address, label, whether it is this page's section)."""
    section = _section(request.resolver_match)
    return {"navigation": [(reverse(name), label, name == section) for name, label in NAVIGATION]}


def _section(match: ResolverMatch | None) -> str | None:
    if match is None:  # an error page for an address that matched nothing
        return None
    if match.namespace == "compacts":  # the compacts and the cities that sign them
        return (
            # (the route starts with the language's prefix, "es/", on a Spanish page)
            "compacts:city_list" if "cities/" in match.route else "compacts:compact_list"
        )
    return SECTIONS.get(match.namespace, match.view_name)
