"""The page's languages: the header's switch, the head's hreflang links, and ``lang`` on
content written in another language than the page's."""

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html

from ..languages import PageLanguage, page_languages

register = template.Library()


@register.simple_tag(takes_context=True)
def languages_of_this_page(context) -> list[PageLanguage]:
    """This page in each of the site's languages (an empty list outside a request)."""
    request: HttpRequest | None = context.get("request")
    return page_languages(request) if request is not None else []


@register.simple_tag
def site_address(path: str) -> str:
    """A page's absolute address, as search engines ask hreflang links to be, on SITE_URL
    (never the Host a request came in on), without its query string."""
    return f"{settings.SITE_URL}{path.partition('?')[0]}"


@register.simple_tag
def lang_attr(content_language: str) -> str:
    """` lang="…"` for an element whose text is written in ``content_language`` when that is
    not the page's language, so that a screen reader reads it with the right voice; nothing
    when they are the same (or the content's language is unknown)."""
    if not content_language:
        return ""
    page = translation.get_language() or settings.LANGUAGE_CODE
    if content_language.split("-")[0].lower() == page.split("-")[0].lower():
        return ""
    return format_html(' lang="{}"', content_language)
