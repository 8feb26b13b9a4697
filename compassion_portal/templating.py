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

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from markupsafe import Markup

from jinja2 import Environment, StrictUndefined, pass_context


def url(name: str, *args, **kwargs) -> str:
    """``{{ url("directory:search") }}``: Django's reverse(). The address of a page without
    arguments is worked out once per script prefix (the header alone has eight)."""
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    return _fixed_url(get_script_prefix(), get_urlconf(), name)


@functools.lru_cache(maxsize=256)
def _fixed_url(prefix: str, urlconf: str | None, name: str) -> str:
    return reverse(name, urlconf=urlconf)


def url_around(name: str, argument: str) -> tuple[str, str]:
    """The address of page ``name`` with one keyword ``argument`` is the first part, the
    argument's value (quoted) and the second part: worked out once per script prefix, for
    pages that link many such addresses (twenty result cards)."""
    return _url_around(get_script_prefix(), get_urlconf(), name, argument)


@functools.lru_cache(maxsize=64)
def _url_around(prefix: str, urlconf: str | None, name: str, argument: str) -> tuple[str, str]:
    marker = "url-argument-marker"
    before, after = reverse(name, urlconf=urlconf, kwargs={argument: marker}).split(marker)
    return before, after


@receiver(setting_changed)
def _forget_what_settings_decide(*, setting: str, **_arguments) -> None:
    """A changed setting (in tests) may change addresses, static files or languages."""
    if setting == "ROOT_URLCONF":
        _fixed_url.cache_clear()
        _url_around.cache_clear()
    _fragments.clear()
    _translated.cache_clear()


# The shared includes that are the same for everyone who sees a page in a language, and
# whether they also depend on the page's address and on being signed in (the header marks
# the current section and offers "Sign in" or "Your account"; it names nobody). Each is
# rendered once per such combination and then reused: the header, footer and style
# sheets cost about 0.5 ms to render on every page otherwise. (Not with DEBUG, so that an
# edited template shows at once.)
REUSABLE_INCLUDES = {
    "includes/header.html": True,
    "includes/footer.html": False,
    "includes/assets.html": False,
}
_fragments: dict[tuple, Markup] = {}
MAX_FRAGMENTS = 1000


def render_shared(env: Environment, name: str, request=None, user=None, messages=None) -> Markup:
    """The shared include ``name`` (header, footer, messages, style sheets) for this page:
    rendered, or reused when it is one of the REUSABLE_INCLUDES."""
    per_page = REUSABLE_INCLUDES.get(name)
    if per_page is None or settings.DEBUG:
        return _render(env, name, request, user, messages)
    key: tuple = (name, translation.get_language(), get_script_prefix())
    if per_page:
        key += (request.path if request else "", bool(user and user.is_authenticated))
    html = _fragments.get(key)
    if html is None:
        html = _render(env, name, request, user, messages)
        if len(_fragments) >= MAX_FRAGMENTS:
            _fragments.clear()
        _fragments[key] = html
    return html


def _render(env: Environment, name: str, request, user, messages) -> Markup:
    html = env.get_template(name).render(request=request, user=user, messages=messages)
    return Markup(html)  # noqa: S704 - rendered by Jinja2, which escapes (autoescape is on)


@pass_context
def shared(context, name: str) -> Markup:
    """``{{ shared("includes/header.html") }}`` in a Jinja2 page: see render_shared()."""
    return render_shared(
        context.environment,
        name,
        request=context.get("request"),
        user=context.get("user"),
        messages=context.get("messages"),
    )


def truncatewords(text, count: int) -> str:
    """Django's ``truncatewords`` filter (the first ``count`` words, then " …"), without
    the lazy translation and the wrappers it goes through: it runs for every result card."""
    words = str(text).split()
    if count <= 0:
        return ""
    if len(words) <= count:
        return " ".join(words)
    shortened = " ".join(words[:count])
    return shortened if shortened.endswith(" …") else f"{shortened} …"


def gettext(message: str) -> str:
    """Django's gettext() for ``{{ _("…") }}``, remembered per language: a page has a few
    dozen such texts, and looking each one up through Django's translation machinery
    again on every page cost about 5 µs apiece."""
    return _translated(translation.get_language(), message)


@functools.lru_cache(maxsize=4096)
def _translated(language: str | None, message: str) -> str:
    return translation.gettext(message)


def environment(**options) -> Environment:
    # A name that a template uses but that nobody passes is an error, in tests too, rather
    # than an empty string (or, with DEBUG, the name itself printed in the page).
    options["undefined"] = StrictUndefined
    options.pop("autoescape", None)  # always on, whatever the settings say
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(
        gettext=gettext,
        ngettext=translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    env.globals.update(
        url=url, static=static, shared=shared, get_current_language=translation.get_language
    )
    env.filters.update(intcomma=intcomma, truncatewords=truncatewords)
    return env
