"""``{% shared_include "includes/header.html" %}``: a Jinja2 template (see
compassion_portal/templating.py) inside a Django template, so that pages in either language
share one header, footer, messages block and list of style sheets."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from compassion_portal.templating import render_shared

register = template.Library()


@register.simple_tag(takes_context=True)
def shared_include(context, name: str) -> str:
    """Render the Jinja2 template ``name`` with the request, user and messages of this page."""
    html = render_shared(
        engines["jinja2"].env,
        name,
        request=context.get("request"),
        user=context.get("user"),
        messages=context.get("messages"),
    )
    return mark_safe(html)  # noqa: S308 - Jinja2 escaped it (autoescape is on)
