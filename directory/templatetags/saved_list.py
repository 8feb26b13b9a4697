"""The "Add to my list" / "Remove from my list" buttons, for any page that shows listings.

A page holds one form to add and one to remove (``{% saved_list_forms %}``, once), and each
listing's ``{% saved_list_button service %}`` is a button that submits one of them with the
listing's number (its ``form`` attribute names the form). The token and the way back are then
written once a page, not once a listing. The button finds out from the session whether the
listing is on the visitor's list, so that no view has to; ``service`` is anything with a
``pk`` and a ``name`` (a Service or a search result card)."""

from urllib.parse import urlencode

from django import template

from directory.saved_list import saved_ids

register = template.Library()


@register.inclusion_tag("directory/includes/list_forms.html", takes_context=True)
def saved_list_forms(context: template.Context) -> dict:
    return {"next": _this_page(context), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("directory/includes/list_button.html", takes_context=True)
def saved_list_button(context: template.Context, service) -> dict:
    request = context.get("request")
    return {
        "service": service,
        "in_list": request is not None and service.pk in saved_ids(request.session),
    }


def _this_page(context: template.Context) -> str:
    """The page to come back to: its path with the query its view has already cleaned (a
    listing's way back to its search, or the search itself), never the raw query string,
    which would put whatever an address carries into the page."""
    request = context.get("request")
    if request is None:
        return ""
    if back_query := context.get("back_query"):  # a listing page opened from a search
        return f"{request.path}?{urlencode({'back': back_query})}"
    if search_query := context.get("search_query"):  # the search page
        return f"{request.path}?{search_query}"
    return request.path
