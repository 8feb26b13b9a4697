import datetime
import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .languages import own_name
from .models import OrganizationKind, Service, Suggestion, SuggestionKind
from .search import MAX_QUERY_LENGTH, Criteria, Reference, clean_query

_ZIP_IN_WORDS = re.compile(r"(?<![\w-])(\d{5})(?:-\d{4})?(?![\w-])")


def zip_out_of(words: str) -> tuple[str, str]:
    """A ZIP code typed among the words ("food 78201") is where: the words without it, and
    the ZIP ("" when there is none, or more than one)."""
    found = _ZIP_IN_WORDS.findall(words)
    if len(found) != 1:
        return words, ""
    return " ".join(_ZIP_IN_WORDS.sub(" ", words).split()), found[0]


class SearchForm(forms.Form):
    """The search page's query string. Its choices come from the cached reference data;
    ``criteria()`` keeps the valid values (the page says which others it ignored)."""

    q = forms.CharField(
        label=_("What do you need?"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_('For example: food pantry, clases de inglés, "legal aid" -court'),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of organization"),
        required=False,
        choices=[
            ("", _("Any kind")),
            *(c for c in OrganizationKind.choices if c[0] != OrganizationKind.UNKNOWN),
        ],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    zip = forms.CharField(
        label=_("ZIP code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        validators=[RegexValidator(r"^\d{3,5}(-\d{4})?$", _("Enter a ZIP code such as 78201."))],
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        help_text=_("From the middle of the ZIP code you gave"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("1", _("Within 1 mile")),
            ("5", _("Within 5 miles")),
            ("", _("Within 10 miles")),
            ("25", _("Within 25 miles")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort results"),
        help_text=_("When you give a ZIP code"),
        required=False,
        choices=[("", _("Nearest first")), ("best", _("Best match first"))],
    )

    def __init__(self, data=None, *, reference: Reference) -> None:
        super().__init__(data)
        self.fields["category"].choices = [
            ("", _("Any category")),
            # A category of the shared taxonomy has its name in the catalogue; one an admin
            # added keeps the name it was given.
            *((category.slug, _(category.name)) for category in reference.categories),
        ]
        self.fields["language"].choices = [
            ("", _("Any language")),
            *((code, own_name(code, name)) for code, name in reference.languages),
        ]
        self.fields["city"].choices = [
            ("", _("Any city")),
            *((city.slug, city.name) for city in reference.cities),
        ]

    def criteria(self, *, page: int, now: datetime.datetime) -> Criteria:
        """The search the valid fields ask for (``now`` is when "open now" is)."""
        if not self.is_bound:
            return Criteria(page=page)
        self.is_valid()  # cleaned_data then holds the valid values, and only those
        valid = self.cleaned_data
        words, zip_in_words = zip_out_of(clean_query(valid.get("q") or ""))
        return Criteria(
            words=words,
            category=valid.get("category") or "",
            kind=valid.get("kind") or "",
            language=valid.get("language") or "",
            city=valid.get("city") or "",
            zip=valid.get("zip") or zip_in_words,
            open_at=now if valid.get("open_now") else None,
            page=page,
            radius=valid.get("radius") or Criteria.radius,
            nearest_first=valid.get("sort") != "best",
        )


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
        fields = ["kind", "message", "contact_name", "contact_email", "notify"]
        widgets = {
            "kind": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "kind": _("What would you like to do?"),
            "message": _("Your message"),
            "contact_name": _("Your name (optional)"),
            "contact_email": _("Your email (optional)"),
            "notify": _("Email me when its status changes"),
        }
        help_texts = {
            "message": _(
                "For a new listing: its name, what it offers, where and when. For a problem: "
                "what is wrong (closed, wrong phone number, wrong hours...)."
            ),
            "contact_email": _("Only if you would like us to be able to ask you a question."),
            "notify": _("We delete your name and email 90 days after your message is closed."),
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

    def clean(self) -> dict:
        data = super().clean()
        if data.get("notify") and not data.get("contact_email"):
            self.add_error("contact_email", _("Give your email so that we can write to you."))
        return data

    def clean_service(self) -> Service | None:
        slug = self.cleaned_data.get("service")
        if not slug:
            return None
        found = Service.objects.public().select_related("organization").filter(slug=slug).first()
        if found is None:
            raise forms.ValidationError(_("We could not find that listing any more."))
        return found
