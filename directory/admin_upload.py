"""Admin pages to upload an HSDS package (.zip), follow its import and read the report.

The upload checks that the package can be read (its files and header rows), keeps it and
queues its import on the task queue (``directory.imports``), then sends the admin to the
import's page, which shows its progress and then its report. The import itself is the same
as ``manage.py import_hsds``'s. Wire the pages into the admin from a ModelAdmin's
``get_urls``: ``return hsds_upload_urls(self.admin_site) + super().get_urls()``.
"""

import struct
import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from .hsds import PackageError
from .hsds.reader import Package
from .imports import queue_import
from .models import ImportJob

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT_JOBS = 20  # imports listed on the upload page
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
        # Its files and header rows now, so that a package that cannot be imported at all
        # says so here; its rows are the import's to read.
        upload.seek(0)
        try:
            with Package(upload) as package:
                package.check()
        except PackageError as error:
            raise forms.ValidationError(
                _("Nothing was imported: %(reason)s"),
                code="unreadable",
                params={"reason": str(error)},
            ) from None
        upload.seek(0)
        return upload


def _hsds_upload(request: HttpRequest, admin_site: AdminSite) -> HttpResponse:
    _check_permission(request)
    form = HsdsUploadForm()
    if request.method == "POST":
        form = HsdsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = queue_import(form.cleaned_data["package"], request.user)
            messages.success(
                request,
                _("%(file)s is uploaded; its import has started. This page shows how it goes.")
                % {"file": job.file_name},
            )
            return redirect("admin:directory_organization_import_job", job_id=job.pk)
    context = {
        **admin_site.each_context(request),
        "title": _("Import an HSDS package"),
        "form": form,
        "jobs": ImportJob.objects.select_related("created_by").defer("package")[:RECENT_JOBS],
    }
    return render(request, "admin/directory/hsds_upload.html", context)


def _import_job(request: HttpRequest, admin_site: AdminSite, job_id: int) -> HttpResponse:
    _check_permission(request)
    job = get_object_or_404(ImportJob.objects.defer("package"), pk=job_id)
    stalled = job.is_stalled()
    context = {
        **admin_site.each_context(request),
        "title": _("Import of %(file)s") % {"file": job.file_name},
        "job": job,
        "stalled": stalled,
        # Still to come: the page follows it (import-progress.js, or the refresh link).
        "in_progress": not job.is_done and not stalled,
        "stalled_after_minutes": settings.IMPORT_STALLED_AFTER_SECONDS // 60,
    }
    return render(request, "admin/directory/hsds_import.html", context)


def _check_permission(request: HttpRequest) -> None:
    """Who may import may also see every import: they are the directory's, not a person's."""
    if not request.user.has_perms(REQUIRED_PERMISSIONS):
        raise PermissionDenied


def hsds_upload_urls(admin_site: AdminSite) -> list[URLPattern]:
    """The pages' URLs, relative to the ModelAdmin whose get_urls includes them."""

    @require_http_methods(["GET", "HEAD", "POST"])
    def hsds_upload(request: HttpRequest) -> HttpResponse:
        return _hsds_upload(request, admin_site)

    @require_safe
    def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
        return _import_job(request, admin_site, job_id)

    return [
        path(
            "import-hsds/",
            admin_site.admin_view(hsds_upload),
            name="directory_organization_import_hsds",
        ),
        path(
            "import-hsds/<int:job_id>/",
            admin_site.admin_view(import_job),
            name="directory_organization_import_job",
        ),
    ]
