"""The site's name and address as emails and pages give them: SITE_NAME, read in the page's
or email's language when it is the portal's own name (the catalogue has it), and SITE_URL."""

from django import template
from django.conf import settings
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def site_name() -> str:
    return gettext(settings.SITE_NAME)


@register.simple_tag
def site_url() -> str:
    return settings.SITE_URL
