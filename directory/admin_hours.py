"""Opening hours as an admin edits them: weekday names and time pickers instead of "MO,TU" and
"09:00", clear messages, and one panel on a listing's page showing every hour that applies to
it, where each comes from, and the week exactly as the public page shows it."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import hours
from .models import Schedule, Service, schedules_that_apply

DAY_CHOICES = list(zip(hours.WEEKDAY_CODES, hours.DAY_LABELS, strict=True))


class ScheduleForm(forms.ModelForm):
    """One row of weekly hours: the days ticked by name, the times picked as times."""

    days = forms.MultipleChoiceField(
        label=_("Days"),
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the days these hours are for.")},
    )

    class Meta:
        model = Schedule
        fields = ["days", "opens_at", "closes_at", "valid_from", "valid_to", "description"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "closes_at": _(
                "A closing time before the opening time means the next day (7 pm to 7 am); "
                "the same time for both, midnight to midnight, means the whole day."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["days"] = hours.days_of(self.instance.byday)
        for name in ("opens_at", "closes_at"):
            self.fields[name].error_messages["invalid"] = _(
                "Pick a time, for example 09:00 for 9 in the morning."
            )

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("opens_at")) != bool(data.get("closes_at")):
            raise forms.ValidationError(_("Give both the opening and the closing time."))
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("This date is before the first date."))
        return data

    def save(self, commit: bool = True) -> Schedule:
        days = self.cleaned_data.get("days") or []
        self.instance.byday = ",".join(code for code in hours.WEEKDAY_CODES if code in days)
        return super().save(commit)


def hours_panel(service: Service) -> str:
    """The admin's panel: the week as the public page shows it, then each row with its source
    and a link to where it is edited."""
    links = list(service.service_at_locations.select_related("location"))
    schedules = list(
        schedules_that_apply(service, [link.pk for link in links]).select_related(
            "service_at_location__location"
        )
    )
    if not schedules:
        return format_html("<p>{}</p>", _("No opening hours are listed: the public page says so."))
    week = hours.weekly_hours(schedules)
    days = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td></tr>",
        (
            (
                day.label,
                ", ".join(
                    _("all day")
                    if item.all_day
                    else f"{item.opens_at:%H:%M}–{item.closes_at:%H:%M}"
                    for item in day.ranges
                )
                or _("Closed"),
            )
            for day in week
        ),
    )
    sources = format_html_join(
        "",
        "<li>{}: {} <a href='{}'>{}</a></li>",
        (
            (
                _source(schedule),
                ", ".join(
                    str(label)
                    for code, label in DAY_CHOICES
                    if code in hours.days_of(schedule.byday)
                ),
                _edit_url(service, schedule),
                _("edit these hours"),
            )
            for schedule in schedules
        ),
    )
    return format_html(
        "<table><caption>{}</caption><tbody>{}</tbody></table><p>{}</p><ul>{}</ul>",
        _("The week as residents see it on the listing's page"),
        days,
        _("Where each row of hours comes from:"),
        sources,
    )


def _day_names(byday: str) -> str:
    days = hours.days_of(byday)
    return ", ".join(str(label) for code, label in DAY_CHOICES if code in days)


def _source(schedule: Schedule) -> str:
    if schedule.service_at_location_id:
        return str(
            _("At %(place)s (this service at that location)")
            % {"place": schedule.service_at_location.location}
        )
    return str(_("This service, everywhere it is offered"))


def _edit_url(service: Service, schedule: Schedule) -> str:
    if schedule.service_at_location_id:
        return reverse(
            "admin:directory_serviceatlocation_change", args=[schedule.service_at_location_id]
        )
    return reverse("admin:directory_service_change", args=[service.pk]) + "#schedules-group"
