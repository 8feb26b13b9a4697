"""Generated input against this issue's forms and the phone check: a clear 4xx, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compacts.forms import CityJoinRequestForm, StaffRequestForm
from compacts.phones import validate_work_phone

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db

examples = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "\x00", "+", "x", "ext.", "(512) 555-0142", "IA", "staff", "²"]),
)


@given(text=st.text(max_size=80))
@settings(max_examples=500, deadline=None, derandomize=True)
def test_the_phone_check_only_ever_says_yes_or_explains(text):
    try:
        validate_work_phone(text)
    except ValidationError as error:
        explanation = error.messages
    else:
        explanation = ["accepted"]
    assert explanation


@given(area=st.integers(200, 999), rest=st.integers(0, 9_999_999), style=st.integers(0, 3))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_every_us_number_with_its_area_code_passes(area, rest, style):
    exchange, line = divmod(rest, 10_000)
    number = [
        f"({area}) {exchange:03d}-{line:04d}",
        f"{area}.{exchange:03d}.{line:04d}",
        f"+1 {area} {exchange:03d} {line:04d}",
        f"1-{area}-{exchange:03d}-{line:04d} x7",
    ][style]
    validate_work_phone(number)


def _posts(client, path, names, data):
    response = client.post(path, {name: data.draw(values) for name in names})
    assert response.status_code in (200, 302, 400, 409), response.status_code


@given(data=st.data())
@examples
def test_the_join_form(user_client, data, settings):
    settings.PORTAL_RATE_LIMITS = {
        **settings.PORTAL_RATE_LIMITS,
        "compacts.staff_request": (10**6, 60),
    }
    _posts(
        user_client,
        reverse("compacts:city_join_request"),
        list(CityJoinRequestForm.base_fields),
        data,
    )


@given(data=st.data())
@examples
def test_the_staff_request_form(user_client, city, data, settings):
    settings.PORTAL_RATE_LIMITS = {
        **settings.PORTAL_RATE_LIMITS,
        "compacts.staff_request": (10**6, 60),
    }
    path = reverse("compacts:staff_request", args=[city.slug])
    _posts(user_client, path, list(StaffRequestForm.base_fields), data)


@given(city_id=values)
@examples
def test_the_renew_page_with_any_city(staff_client, compact, city, city_id):
    if not compact.signatures.exists():
        SignatureFactory(compact=compact, city=city)
    response = staff_client.get(reverse("compacts:renew", args=[compact.slug]), {"city": city_id})
    assert response.status_code in (200, 302, 403)
