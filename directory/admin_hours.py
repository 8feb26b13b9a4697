"""Opening hours as an admin edits them: weekday names and time pickers instead of "MO,TU" and
"09:00", clear messages, one panel on a listing's page showing every hour that applies to it and
where each comes from, and a preview of the week residents will see before anything is saved.

The panel, the preview, the listing's public page and the provider's check page all draw the week
through one template (directory/includes/week_hours.html), so what the admin sees is what the
public sees."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
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


class ScheduleInline(admin.StackedInline):
    """Weekly hours with the days by name and times picked as times, and under them the button
    that previews the week residents will see (HoursPreview)."""

    model = Schedule
    form = ScheduleForm
    fk_name = "service"
    extra = 0
    template = "admin/directory/schedule_inline.html"

    class Media:
        js = ["js/hours-preview.js"]


class ServiceAtLocationScheduleInline(ScheduleInline):
    fk_name = "service_at_location"


class HoursPreview:
    """For the admin pages of a service and of a service at a location: POSTing the change form
    to ``<id>/hours-preview/`` shows the week residents would see with the hours as typed, the
    listing's other hours included, and saves nothing. The page's script asks for the fragment
    and shows it under the button; without a script the form opens the whole page in a new tab,
    so the typed hours stay in the form."""

    def logged_service(self, obj) -> Service:
        raise NotImplementedError

    def get_urls(self) -> list:
        name = f"{self.opts.app_label}_{self.opts.model_name}_hours_preview"
        preview = path(
            "<path:object_id>/hours-preview/",
            self.admin_site.admin_view(self.hours_preview_view),
            name=name,
        )
        return [preview, *super().get_urls()]

    def hours_preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        inline = next(
            (
                inline
                for inline in self.get_inline_instances(request, obj)
                if isinstance(inline, ScheduleInline)
            ),
            None,
        )
        if not self.has_change_permission(request, obj) or inline is None:
            raise PermissionDenied
        formset_class = inline.get_formset(request, obj)
        formset = formset_class(
            request.POST, instance=obj, prefix=formset_class.get_default_prefix()
        )
        if formset.is_valid():
            context = self._previewed_week(obj, inline.fk_name, formset)
        else:
            context = {"errors": _formset_errors(formset)}
        status = 400 if "errors" in context else 200
        if request.headers.get("X-Requested-With") == "fetch":
            fragment = render_to_string("admin/directory/_hours_preview.html", context, request)
            return HttpResponse(fragment, status=status)
        context |= {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": _("Preview of the hours residents will see"),
        }
        return TemplateResponse(
            request, "admin/directory/hours_preview.html", context, status=status
        )

    def _previewed_week(self, obj, fk_name: str, formset) -> dict:
        """The week with the rows as typed (deleted ones left out, untouched empty ones too)
        in place of the ones ``obj`` keeps, and every other hour of the listing as stored."""
        typed = [
            form.save(commit=False)
            for form in formset.forms
            if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        service = self.logged_service(obj)
        links = list(service.service_at_locations.values_list("pk", flat=True))
        kept = schedules_that_apply(service, links).exclude(**{fk_name: obj})
        schedules = [*kept, *typed]
        return {
            "hours": hours.weekly_hours(schedules),
            "notes": [schedule.description for schedule in schedules if schedule.description],
        }


def _formset_errors(formset) -> list[str]:
    """Each problem with the typed hours as one plain sentence naming its row and field."""
    errors = [str(error) for error in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        for name, messages in form.errors.items():
            field = form.fields.get(name)
            where = (
                _("Hours row %(number)d, %(field)s") % {"number": number, "field": field.label}
                if field is not None and name != "__all__"
                else _("Hours row %(number)d") % {"number": number}
            )
            errors.extend(f"{where}: {message}" for message in messages)
    return errors


def hours_panel(service: Service) -> str:
    """The admin's panel: the week as the public page shows it, then each row with its source
    and a link to where it is edited."""
    links = list(service.service_at_locations.select_related("location"))
    schedules = list(
        schedules_that_apply(service, [link.pk for link in links]).select_related(
            "service_at_location__location"
        )
    )
    sources = [
        (_source(schedule), _day_names(schedule.byday), _edit_url(service, schedule))
        for schedule in schedules
    ]
    return render_to_string(
        "admin/directory/_hours_panel.html",
        {
            "hours": hours.weekly_hours(schedules),
            "notes": [schedule.description for schedule in schedules if schedule.description],
            "sources": sources,
        },
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
