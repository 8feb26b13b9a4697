from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Service, Suggestion, SuggestionKind


class SuggestionForm(forms.ModelForm):
    """A suggestion from the public. ``website`` is a honeypot: people never see it
    (it is hidden and out of the tab order); form-filling robots fill it in."""

    service = forms.SlugField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Suggestion
        fields = ["kind", "message", "contact_name", "contact_email"]
        widgets = {
            "kind": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "kind": _("What would you like to do?"),
            "message": _("Your message"),
            "contact_name": _("Your name (optional)"),
            "contact_email": _("Your email (optional)"),
        }
        help_texts = {
            "message": _(
                "For a new listing: its name, what it offers, where and when. For a problem: "
                "what is wrong (closed, wrong phone number, wrong hours...)."
            ),
            "contact_email": _("Only if you would like us to be able to ask you a question."),
        }

    def __init__(self, *args, listing: Service | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.listing = listing
        if listing is not None:
            self.fields["service"].initial = listing.slug
            self.fields["kind"].initial = SuggestionKind.PROBLEM
        else:
            self.fields["kind"].initial = SuggestionKind.NEW_LISTING

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(_("Please tell us a little more (at least 10 characters)."))
        return message

    def clean_service(self) -> Service | None:
        slug = self.cleaned_data.get("service")
        if not slug:
            return None
        found = Service.objects.public().select_related("organization").filter(slug=slug).first()
        if found is None:
            raise forms.ValidationError(_("We could not find that listing any more."))
        return found
