"""The Jinja2 environment of the pages that are rendered with Jinja2 (see settings.TEMPLATES).

Most pages use Django's template language. The directory's search page, the busiest page of
the site, is rendered with Jinja2, which compiles a template to Python and renders it several
times faster. The site's header, footer and messages are Jinja2 templates too, and every
Django template includes them through ``{% shared_include %}`` (templatetags/shared.py), so
both kinds of page share one copy of them.

Translations: ``_()`` / ``gettext()`` / ``ngettext()`` are Django's. Write translatable text
as ``{{ _("…") }}``: ``manage.py makemessages`` finds that form in any .html file. Text with
placeholders or plurals is composed in Python (where makemessages finds it too).
"""

import functools

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import truncatewords
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

from jinja2 import Environment, StrictUndefined


def url(name: str, *args, **kwargs) -> str:
    """``{{ url("directory:search") }}``: Django's reverse(). The address of a page without
    arguments is worked out once per script prefix (the header alone has eight)."""
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    return _fixed_url(get_script_prefix(), get_urlconf(), name)


@functools.lru_cache(maxsize=256)
def _fixed_url(prefix: str, urlconf: str | None, name: str) -> str:
    return reverse(name, urlconf=urlconf)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **_arguments) -> None:
    if setting == "ROOT_URLCONF":
        _fixed_url.cache_clear()


def environment(**options) -> Environment:
    # A name that a template uses but that nobody passes is an error, in tests too, rather
    # than an empty string (or, with DEBUG, the name itself printed in the page).
    options["undefined"] = StrictUndefined
    options.pop("autoescape", None)  # always on, whatever the settings say
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_translations(translation, newstyle=True)
    env.globals.update(url=url, static=static, get_current_language=translation.get_language)
    env.filters.update(intcomma=intcomma, truncatewords=truncatewords)
    return env
