"""The language the portal writes to a person in (``User.language``), kept current.

It is the language of the page they signed up on or signed in on, or the one they last chose
with the header's language form; emails to them (staff decisions, renewal reminders, messages
from other cities) are written in it, whatever the language of whoever set them off.
"""

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def remember(user, language: str) -> None:
    """Store ``language`` as ``user``'s when it is one the portal speaks and has changed."""
    known = {code for code, _name in settings.LANGUAGES}
    if not (user.is_authenticated and language in known and user.language != language):
        return
    get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language


@receiver(user_signed_up)
def _signed_up(sender, request, user, **kwargs) -> None:
    remember(user, translation.get_language())


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    remember(user, translation.get_language())


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the header's switch posts here), remembering a signed-in
    person's choice for the emails the portal sends them."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if translation.check_for_language(language):
        remember(request.user, language)
    return response
