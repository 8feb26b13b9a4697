"""The page's language: English at /..., Spanish at /es/..., and the visitor's choice kept.

Pages live under ``i18n_patterns(prefix_default_language=False)`` (urls.py): the address says
the language, so a link shared in Spanish opens in Spanish. An address without a prefix is
English, unless the visitor chose another language with the header's switch (Django's language
cookie) or, having never chosen, their browser asks for one the portal speaks: then it is
redirected to the same page under that language's prefix.
"""

from dataclasses import dataclass

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst


class PreferredLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, and a redirect from an unprefixed page to the visitor's
    language when that is not the default one (only for GET and HEAD: a form posted to an
    English address is answered in English)."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        super().process_request(request)
        if request.method not in ("GET", "HEAD"):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if not is_language_prefix_patterns_used(urlconf)[0]:
            return None
        preferred = translation.get_language_from_request(request, check_path=False)
        if preferred == settings.LANGUAGE_CODE:
            return None
        # Only a page that exists in that language (not /healthz, not a 404).
        with translation.override(preferred):
            if not is_valid_path(f"/{preferred}{request.path_info}", urlconf):
                return None
        script_prefix = get_script_prefix()
        address = request.get_full_path().replace(script_prefix, f"{script_prefix}{preferred}/", 1)
        redirect = HttpResponseRedirect(address)
        patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
        return redirect

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            # Another visitor's cookie or browser would have been redirected.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str  # in the language itself: "English", "Español"
    url: str  # this page in that language, with the searches and filters it was asked with
    current: bool  # the page's language
    default: bool  # the site's default language, at unprefixed addresses (hreflang x-default)


def own_name(code: str) -> str:
    """A language of the site named in that language, capitalised as a label starts."""
    return capfirst(translation.get_language_info(code)["name_local"])


# The query parameters a page in another language keeps: the public searches and filters
# (directory, city registry, signatories, curriculum) and the page number, so that switching
# language on a page of results shows the same results. Nothing else of the address is
# repeated on the page (a listing's way back to the search is rebuilt by the listing itself).
CARRIED_PARAMETERS = (
    *("q", "category", "kind", "language", "city", "zip", "open_now"),
    *("state", "partner", "charter", "compact", "audience", "grade_band", "theme", "page"),
)
MAX_CARRIED_VALUE = 200


def _carried_query(request: HttpRequest) -> str:
    kept = QueryDict(mutable=True)
    for name in CARRIED_PARAMETERS:
        values = [value[:MAX_CARRIED_VALUE] for value in request.GET.getlist(name)[:5]]
        if values:
            kept.setlist(name, values)
    return f"?{kept.urlencode()}" if kept else ""


def page_languages(request: HttpRequest) -> list[PageLanguage]:
    """The page the request asked for, in each language of the site, with the searches and
    filters it was asked with (``url``)."""
    current = translation.get_language()
    here = f"{request.path}{_carried_query(request)}"
    return [
        PageLanguage(
            code=code,
            name=own_name(code),
            url=path_in_language(here, current, code),
            current=code == current,
            default=code == settings.LANGUAGE_CODE,
        )
        for code, _name in settings.LANGUAGES
    ]


def path_in_language(path: str, current: str, code: str) -> str:
    """``path`` (in language ``current``) in language ``code``. An address that resolves is
    translated by Django; one that does not (a 404 page) gets its prefix swapped."""
    if code == current:
        return path
    translated = translate_url(path, code)
    if translated != path:
        return translated
    script_prefix = get_script_prefix()
    rest = path.removeprefix(script_prefix)
    if current != settings.LANGUAGE_CODE and translation.get_language_from_path(path) == current:
        rest = rest.removeprefix(f"{current}/")
    if code == settings.LANGUAGE_CODE:
        return f"{script_prefix}{rest}"
    return f"{script_prefix}{code}/{rest}"
