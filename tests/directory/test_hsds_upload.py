"""The admin page that imports an uploaded HSDS package."""

import datetime
import html
import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory import models
from directory.admin_upload import MAX_UPLOAD_BYTES, HsdsUploadForm
from tests.factories import AdminFactory

from .fixtures.hsds_package import GOOD_PACKAGE
from .importing import IMPORT_DATABASES, run_import_worker, upload_package
from .test_hsds_reader_limits import SERVICES, _damaged_services

pytestmark = pytest.mark.django_db

URL_NAME = "admin:directory_organization_import_hsds"
JOB_URL_NAME = "admin:directory_organization_import_job"


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


@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_the_upload_queues_the_import_and_its_page_shows_the_report(admin_client_logged_in):
    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    # The request only keeps the package and queues its import.
    job = models.ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(JOB_URL_NAME, kwargs={"job_id": job.pk})
    assert job.status == models.ImportStatus.QUEUED
    assert job.file_name == "package.zip"
    assert not models.Service.objects.exists()
    waiting = admin_client_logged_in.get(response["Location"]).content.decode()
    assert "Waiting for the worker" in waiting
    assert "import-progress.js" in waiting  # the page follows the import while it runs

    run_import_worker()

    job.refresh_from_db()
    assert job.status == models.ImportStatus.FINISHED
    assert bytes(job.package) == b""  # the package goes once it is imported
    assert models.Service.objects.count() == 4
    content = admin_client_logged_in.get(response["Location"]).content.decode()
    assert "Every row was imported." in content
    assert "<caption>Rows per file</caption>" in content
    assert '<th scope="row">services</th><td>4</td><td>0</td><td>0</td>' in content
    assert "import-progress.js" not in content
    # The upload page lists it, with a link to its page.
    listed = admin_client_logged_in.get(reverse(URL_NAME)).content.decode()
    assert reverse(JOB_URL_NAME, kwargs={"job_id": job.pk}) in listed


@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_skipped_rows_are_listed_with_file_line_and_reason(admin_client_logged_in):
    files = dict(GOOD_PACKAGE)
    files["services.csv"] += "s-9,o-404,Ghost Service,,active,,,,,\n"

    content = upload_package(admin_client_logged_in, _zip(files))

    assert models.Service.objects.count() == 4
    assert "1 row was skipped" in content
    assert "<td>services.csv</td><td>6</td>" in content
    assert "dangling reference: organization_id o-404" in content
    assert models.ImportJob.objects.get().skipped == 1


def test_an_unreadable_package_is_refused_at_the_upload_and_changes_nothing(
    admin_client_logged_in,
):
    files = {name: text for name, text in GOOD_PACKAGE.items() if name != "services.csv"}

    response = admin_client_logged_in.post(reverse(URL_NAME), {"package": _zip(files)})

    assert response.status_code == 200
    assert not models.Organization.objects.exists()
    assert not models.ImportJob.objects.exists()
    assert "Nothing was imported: services.csv is missing" in response.content.decode()


@pytest.mark.django_db(databases=IMPORT_DATABASES)
def test_a_package_that_breaks_in_its_rows_fails_and_keeps_nothing(admin_client_logged_in):
    """Its files and headers read well at the upload; the import then finds services.csv
    damaged after some rows, and undoes everything."""
    description = random.Random(14).randbytes(150_000).hex()  # hardly compresses
    content = "".join([*SERVICES, f"s-5,o-1,Long,{description},active,,,,,\n"]).encode()
    damaged = SimpleUploadedFile("damaged.zip", _damaged_services(content))

    content = upload_package(admin_client_logged_in, damaged)

    job = models.ImportJob.objects.get()
    assert job.status == models.ImportStatus.FAILED
    assert job.error.startswith("services.csv cannot be unzipped")
    assert f"Nothing was imported: {job.error}" in html.unescape(content)
    assert not models.Organization.objects.exists()


@pytest.fixture
def running_job():
    return models.ImportJob.objects.create(
        file_name="big.zip",
        size=2048,
        package=b"PK",
        status=models.ImportStatus.RUNNING,
        step="services",
        step_number=5,
        steps=17,
        rows_read={"organizations": 50000, "services": 40000},
        started_at=timezone.now(),
        heard_from_at=timezone.now(),
    )


def test_a_running_import_shows_its_step_and_the_rows_read(admin_client_logged_in, running_job):
    url = reverse(JOB_URL_NAME, kwargs={"job_id": running_job.pk})

    content = admin_client_logged_in.get(url).content.decode()

    assert "Importing: step 5 of 17 (services)." in content
    assert '<progress max="17" value="5"' in content
    assert '<th scope="row">services</th><td>40000</td>' in content


def test_an_import_whose_worker_stopped_reporting_says_so(
    admin_client_logged_in, running_job, settings
):
    settings.IMPORT_STALLED_AFTER_SECONDS = 600
    url = reverse(JOB_URL_NAME, kwargs={"job_id": running_job.pk})
    assert "This import stopped" not in admin_client_logged_in.get(url).content.decode()

    models.ImportJob.objects.filter(pk=running_job.pk).update(
        heard_from_at=timezone.now() - datetime.timedelta(seconds=601)
    )

    content = admin_client_logged_in.get(url).content.decode()
    assert "This import stopped: its worker has not reported for over 10 minutes" in content
    assert "nothing of it was kept" in content
    assert "import-progress.js" not in content


def test_an_import_page_that_does_not_exist_is_a_404(admin_client_logged_in):
    url = reverse(JOB_URL_NAME, kwargs={"job_id": 404})
    assert admin_client_logged_in.get(url).status_code == 404


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


def test_staff_without_the_directory_permissions_are_refused(client, running_job):
    client.force_login(AdminFactory(is_superuser=False))  # staff, two-factor, no permissions

    response = client.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    assert response.status_code == 403
    assert not models.Organization.objects.exists()
    assert models.ImportJob.objects.count() == 1  # the running one only
    url = reverse(JOB_URL_NAME, kwargs={"job_id": running_job.pk})
    assert client.get(url).status_code == 403


def test_a_post_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(AdminFactory())

    response = client.post(reverse(URL_NAME), {"package": _zip(GOOD_PACKAGE)})

    assert response.status_code == 403
    assert not models.Organization.objects.exists()


def test_other_methods_are_not_allowed(admin_client_logged_in):
    assert admin_client_logged_in.put(reverse(URL_NAME)).status_code == 405
