"""The admin page that imports an uploaded HSDS package."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from directory import models
from directory.admin_upload import MAX_UPLOAD_BYTES, HsdsUploadForm
from tests.factories import AdminFactory

from .fixtures.hsds_package import GOOD_PACKAGE

pytestmark = pytest.mark.django_db

URL_NAME = "admin:directory_organization_import_hsds"


def _zip(files: dict[str, str], name: str = "package.zip") -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file_name, content in files.items():
            archive.writestr(file_name, content)
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(AdminFactory())
    return client


def test_the_form_is_shown_to_an_admin(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse(URL_NAME))

    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b'enctype="multipart/form-data"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_the_organization_list_links_to_the_upload(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:directory_organization_changelist"))

    assert reverse(URL_NAME).encode() in response.content


def test_an_uploaded_package_is_imported_and_the_report_shown(admin_client_logged_in):
    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    assert response.status_code == 200
    assert models.Service.objects.count() == 4
    assert b"Every row was imported." in response.content
    assert b"<caption>Rows per file</caption>" in response.content


def test_skipped_rows_are_listed_with_file_line_and_reason(admin_client_logged_in):
    files = dict(GOOD_PACKAGE)
    files["services.csv"] += "s-9,o-404,Ghost Service,,active,,,,,\n"

    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": _zip(files)})

    assert models.Service.objects.count() == 4
    content = response.content.decode()
    assert "1 row was skipped" in content
    assert "<td>services.csv</td><td>6</td>" in content
    assert "dangling reference: organization_id o-404" in content


def test_an_unreadable_package_changes_nothing_and_says_why(admin_client_logged_in):
    files = {name: text for name, text in GOOD_PACKAGE.items() if name != "services.csv"}

    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": _zip(files)})

    assert response.status_code == 200
    assert not models.Organization.objects.exists()
    assert "Nothing was imported: services.csv is missing" in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(_zip(GOOD_PACKAGE, name="package.csv"), "Upload a .zip file.", id="not-zip"),
        pytest.param(
            type("Fake", (io.BytesIO,), {"name": "fake.zip"})(b"not a zip at all"),
            "This file is not a readable .zip.",
            id="bad-zip",
        ),
    ],
)
def test_a_file_that_is_not_a_zip_is_refused(admin_client_logged_in, upload, message):
    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": upload})

    assert message in response.content.decode()
    assert not models.Organization.objects.exists()


def test_a_package_over_the_size_limit_is_refused(admin_client_logged_in, monkeypatch):
    monkeypatch.setattr("directory.admin_upload.MAX_UPLOAD_BYTES", 100)

    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    assert "the limit is 100 bytes" in response.content.decode()
    assert not models.Organization.objects.exists()
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_the_size_message_tells_a_file_just_over_the_limit_from_the_limit():
    """21,000,000 bytes and the 20 MiB limit both round to "20.0 MB"."""
    upload = SimpleUploadedFile("package.zip", b"PK")
    upload.size = 21_000_000
    form = HsdsUploadForm(files={"package": upload})
    assert not form.is_valid()
    (message,) = form.errors["package"]
    assert "21,000,000 bytes" in message
    assert "the limit is 20,971,520 bytes (20.0" in message


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse(URL_NAME))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_without_the_directory_permissions_are_refused(client):
    client.force_login(AdminFactory(is_superuser=False))  # staff, two-factor, no permissions

    response = client.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    assert response.status_code == 403
    assert not models.Organization.objects.exists()


def test_a_post_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(AdminFactory())

    response = client.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    assert response.status_code == 403
    assert not models.Organization.objects.exists()


def test_other_methods_are_not_allowed(admin_client_logged_in):
    assert admin_client_logged_in.put(reverse(URL_NAME)).status_code == 405
