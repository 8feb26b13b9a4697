from django import forms
from django.utils.translation import gettext_lazy as _

from .models import City, CityQuerySet, StaffRole
from .phones import validate_work_phone
from .plan import PlanStatus
from .states import STATE_CHOICES


class PortalForm(forms.Form):
    def alert_errors(self) -> list[str]:
        """Errors the person cannot see beside a field: the form's own and hidden fields'."""
        errors = list(self.non_field_errors())
        for field in self.hidden_fields():
            errors.extend(field.errors)
        return errors


class CityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: City) -> str:
        return f"{obj.name}, {obj.get_state_display()}"


class SignatureForm(PortalForm):
    """Sign a compact for one of the cities the person is approved staff of.

    ``cities`` comes from compacts.permissions.cities_for_staff, so a city id the person
    may not act for is simply not a valid choice.
    """

    city = CityChoiceField(
        label=_("City"),
        queryset=City.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("You can only sign for a city whose staff you are."),
        },
    )
    mayor_name = forms.CharField(
        label=_("Mayor's name, as it will be published"),
        max_length=150,
        help_text=_('Shown in the list of signatories as "Mayor NAME, CITY, STATE".'),
    )
    mayor_authorised = forms.BooleanField(
        label=_("The mayor has authorised me to sign this compact on the city's behalf."),
        error_messages={
            "required": _("Confirm that the mayor authorised this signature."),
        },
    )

    def __init__(self, *args, cities: CityQuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        # One city needs no choice; a hidden field still goes through the same validation.
        options = list(cities[:2])
        self.only_city = options[0] if len(options) == 1 else None
        if self.only_city:
            self.fields["city"].widget = forms.HiddenInput()


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is your city withdrawing its signature?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Kept on record with the withdrawal; it is not published."),
    )


def work_phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Work phone"),
        max_length=40,
        validators=[validate_work_phone],
        help_text=_(
            "A number at city hall where we can confirm your role, with its area code, "
            "for example (512) 555-0142 ext. 12."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "work tel"}),
    )


class StaffRequestForm(PortalForm):
    role = forms.ChoiceField(label=_("Your role"), choices=StaffRole.choices)
    job_title = forms.CharField(label=_("Job title"), max_length=150)
    work_phone = work_phone_field()


class CityJoinRequestForm(PortalForm):
    city_name = forms.CharField(label=_("City name"), max_length=120)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("Choose a state")), *STATE_CHOICES])
    role = forms.ChoiceField(label=_("Your role"), choices=StaffRole.choices)
    job_title = forms.CharField(label=_("Job title"), max_length=150)
    work_phone = work_phone_field()
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything that helps us confirm the city and your role, in a few lines."),
    )


class PlanItemForm(PortalForm):
    """Staff's edit of one item of their city's plan (compacts.services.plan_item_update)."""

    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    responsible_role = forms.CharField(
        label=_("Responsible role"),
        max_length=150,
        required=False,
        help_text=_(
            "A role or office, such as Office of the Mayor. Name a person only if they "
            "agreed to be listed."
        ),
    )
    starts_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    target_on = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A public page that shows the work, such as a council resolution."),
    )
    public_note = forms.CharField(
        label=_("Public note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone on the city's page. At most 500 characters."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput())

    def clean(self) -> dict:
        data = super().clean()
        starts_on, target_on = data.get("starts_on"), data.get("target_on")
        if starts_on and target_on and target_on < starts_on:
            self.add_error("target_on", _("The target date cannot be before the start date."))
        if data.get("status") == PlanStatus.DONE and not (
            data.get("evidence_url") or data.get("public_note", "").strip()
        ):
            self.add_error(
                "evidence_url", _("Say how it was done: add an evidence link or a public note.")
            )
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "responsible_role": " ".join(data["responsible_role"].split()),
            "starts_on": data["starts_on"],
            "target_on": data["target_on"],
            "evidence_url": data["evidence_url"],
            "public_note": data["public_note"].strip(),
        }


class PeerContactForm(PortalForm):
    message = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Say who you are, what your city is working on and what you would like to ask."
        ),
        error_messages={"required": _("Write a message.")},
    )
