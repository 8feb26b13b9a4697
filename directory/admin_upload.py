"""An admin page to upload an HSDS package (.zip) and read the import report.

It runs the same importer as ``manage.py import_hsds``. Wire it into the admin from a
ModelAdmin's ``get_urls``: ``return hsds_upload_urls(self.admin_site) + super().get_urls()``.
Very large packages take minutes: import those with the command, not through a web request.
"""

import struct
import zipfile

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .hsds import ImportReport, PackageError, package_import

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REQUIRED_PERMISSIONS = (
    "directory.add_organization",
    "directory.change_organization",
    "directory.add_service",
    "directory.change_service",
)


class HsdsUploadForm(forms.Form):
    package = forms.FileField(
        label=_("HSDS package"),
        # Lazy: formatted in the page's language when shown, not in English at import.
        help_text=lazy(
            lambda: (
                gettext(
                    "A .zip of an Open Referral HSDS 3.0 tabular package (organizations.csv, "
                    "services.csv, ...), at most %(size)s."
                )
                % {"size": filesizeformat(MAX_UPLOAD_BYTES)}
            ),
            str,
        )(),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if not upload.name.lower().endswith(".zip"):
            raise forms.ValidationError(_("Upload a .zip file."), code="not_zip")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s bytes; the limit is %(limit)s bytes (%(rounded)s). "
                    "Use manage.py import_hsds."
                ),
                code="too_large",
                params={
                    "size": intcomma(upload.size),
                    "limit": intcomma(MAX_UPLOAD_BYTES),
                    "rounded": filesizeformat(MAX_UPLOAD_BYTES),
                },
            )
        try:
            readable = zipfile.is_zipfile(upload)
        except (zipfile.BadZipFile, ValueError, EOFError, struct.error):
            readable = False  # an end record zipfile refuses (e.g. "spans multiple disks")
        if not readable:
            raise forms.ValidationError(_("This file is not a readable .zip."), code="bad_zip")
        upload.seek(0)
        return upload


def _hsds_upload(request: HttpRequest, admin_site: AdminSite) -> HttpResponse:
    if not request.user.has_perms(REQUIRED_PERMISSIONS):
        raise PermissionDenied
    report: ImportReport | None = None
    form = HsdsUploadForm()
    if request.method == "POST":
        form = HsdsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = package_import(form.cleaned_data["package"])
            except PackageError as error:
                form.add_error(
                    "package",
                    forms.ValidationError(
                        _("Nothing was imported: %(reason)s"),
                        code="unreadable",
                        params={"reason": str(error)},
                    ),
                )
    context = {
        **admin_site.each_context(request),
        "title": _("Import an HSDS package"),
        "form": form,
        "report": report,
    }
    return render(request, "admin/directory/hsds_upload.html", context, status=200)


def hsds_upload_urls(admin_site: AdminSite) -> list[URLPattern]:
    """The upload page's URL, relative to the ModelAdmin whose get_urls includes it."""

    @require_http_methods(["GET", "HEAD", "POST"])
    def hsds_upload(request: HttpRequest) -> HttpResponse:
        return _hsds_upload(request, admin_site)

    return [
        path(
            "import-hsds/",
            admin_site.admin_view(hsds_upload),
            name="directory_organization_import_hsds",
        )
    ]
