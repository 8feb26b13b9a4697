from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LessonCompletion


class CompletionForm(forms.Form):
    """Mark a lesson done, with an optional private note."""

    note = forms.CharField(
        label=_("Your private reflection note (optional)"),
        help_text=_("Only you can see this note."),
        required=False,
        max_length=LessonCompletion._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
