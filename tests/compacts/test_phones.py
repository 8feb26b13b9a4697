"""A work phone is a phone number an administrator can call, checked in one place."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compacts import services
from compacts.models import CityStaff
from compacts.phones import validate_work_phone

pytestmark = pytest.mark.django_db

GOOD = [
    "(512) 555-0142",
    "512-555-0142",
    "512.555.0142",
    "5125550142",
    "1 512 555 0142",
    "+1 512 555 0142",
    "+1 (512) 555-0142",
    "(512) 555-0142 x12",
    "512-555-0142 ext. 12",
    "512-555-0142 EXT 1234",
    "  (512)   555-0142  ",
    "+44 20 7946 0958",
    "+52 55 1234 5678",
]

BAD = [
    ("call me", "digits, spaces and + - ( ) . only"),
    ("555-0142", "has 7"),
    ("512-555-014", "has 9"),
    ("512-555-01422", "has 11"),
    ("2 512 555 0142", "has 11"),
    ("(012) 555-0142", "area code never starts with 0 or 1"),
    ("+1 555 0142", "has 7"),
    ("+44 20", "8 to 15 digits"),
    ("+44 1234 5678 9012 3456", "8 to 15 digits"),
    ("512+555+0142", "digits, spaces and + - ( ) . only"),
    ("512-555-0142 ext", "digits, spaces and + - ( ) . only"),
    ("512-555-0142 #12", "digits, spaces and + - ( ) . only"),
    ("１２３４５６７８９０", "digits, spaces and + - ( ) . only"),  # full-width digits
    ("()", "has 0"),
    ("x12", "digits, spaces and + - ( ) . only"),
]


@pytest.mark.parametrize("number", GOOD)
def test_good_numbers_pass(number):
    validate_work_phone(number)


@pytest.mark.parametrize(("number", "message"), BAD)
def test_bad_numbers_are_refused_with_a_clear_message(number, message):
    with pytest.raises(ValidationError) as error:
        validate_work_phone(number)
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize(("number", "message"), BAD[:6])
def test_the_staff_request_form_refuses_them_with_400(user_client, city, number, message):
    response = user_client.post(
        reverse("compacts:staff_request", args=[city.slug]),
        {"role": "staff", "job_title": "Aide", "work_phone": number},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["work_phone"]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not CityStaff.objects.exists()


def test_the_staff_request_form_accepts_a_good_number(user_client, city):
    response = user_client.post(
        reverse("compacts:staff_request", args=[city.slug]),
        {"role": "staff", "job_title": "Aide", "work_phone": "(512) 555-0142 ext. 12"},
    )
    assert response.status_code == 302
    assert CityStaff.objects.get().work_phone == "(512) 555-0142 ext. 12"


def test_the_service_checks_the_number_too(user, city):
    with pytest.raises(services.StaffRequestError, match="has 7"):
        services.staff_request(
            actor=user, city=city, role="staff", job_title="Aide", work_phone="555-0142"
        )
    assert not CityStaff.objects.exists()
