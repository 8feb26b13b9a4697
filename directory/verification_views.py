"""The page a provider's verification link opens (directory/verification.py): the listing as
the public sees it, "Everything is still right" and "Something has changed". Reading the page
changes nothing; each choice is a POST that uses the link up."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compacts.phones import validate_work_phone

from . import verification
from .models import VerificationRequest

TEXT_AREA = forms.Textarea(attrs={"rows": 4})


class ProposalForm(forms.Form):
    """New values for a few fields; a field left as it was proposes nothing."""

    phone = forms.CharField(
        label=_("Phone"), max_length=50, required=False, validators=[validate_work_phone]
    )
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    url = forms.URLField(
        label=_("Website"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("The full address, for example https://www.example.org/food"),
    )
    hours = forms.CharField(
        label=_("Opening hours"),
        max_length=500,
        required=False,
        widget=TEXT_AREA,
        help_text=_(
            "In your own words, for example: Monday to Friday 9am to 5pm, Saturday 10am to 1pm."
        ),
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=TEXT_AREA
    )
    note = forms.CharField(
        label=_("Anything else we should know"),
        max_length=2000,
        required=False,
        widget=TEXT_AREA,
        help_text=_("For example a new address, or that the service has ended."),
    )

    def clean(self):
        data = super().clean()
        changed = [
            name
            for name in verification.PROPOSABLE_FIELDS
            if name != "note"
            and (data.get(name) or "").strip()
            and (data.get(name) or "").strip() != (self.initial.get(name) or "").strip()
        ]
        if not self.errors and not changed and not (data.get("note") or "").strip():
            raise forms.ValidationError(
                _("Nothing was changed. Change at least one field, or write a note."),
                code="nothing_changed",
            )
        return data


def _get_request_for_link(slug: str, token: str) -> VerificationRequest:
    """The request of this link, for this listing: any other token, or a token of another
    listing, is not found (the same answer, so that nothing can be learned by guessing)."""
    request = verification.find_request(token)
    if request is None or request.service.slug != slug:
        raise Http404(_("This link is not valid."))
    return request


def _gone(http_request: HttpRequest, link: VerificationRequest, kind: str) -> HttpResponse:
    return render(
        http_request,
        "directory/verify/link_gone.html",
        {"kind": kind, "service": link.service, "valid_days": verification.LINK_VALID_FOR.days},
        status=410,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(http_request: HttpRequest, slug: str, token: str) -> HttpResponse:
    link = _get_request_for_link(slug, token)
    problem = verification.link_problem(link)
    if problem:
        return _gone(http_request, link, problem)
    service = link.service
    initial = verification.current_values(service)
    form = ProposalForm(initial=initial)
    status = 200
    if http_request.method == "POST":
        choice = http_request.POST.get("choice")
        try:
            if choice == "confirm":
                service = verification.verification_confirm(request=link)
                return render(http_request, "directory/verify/confirmed.html", {"service": service})
            if choice == "propose":
                form = ProposalForm(http_request.POST, initial=initial)
                if form.is_valid():
                    changes = verification.verification_propose(
                        request=link, proposed=form.cleaned_data
                    )
                    return render(
                        http_request,
                        "directory/verify/proposed.html",
                        {"service": service, "changes": changes},
                    )
            status = 400
        except verification.LinkError as error:
            return _gone(http_request, error.request, error.kind)
    context = {
        "listing": verification.public_listing(service),
        "service": service,
        "organization": service.organization,
        "form": form,
        "expires_at": link.expires_at,
        "proposing": http_request.method == "POST",
    }
    return render(http_request, "directory/verify/page.html", context, status=status)
