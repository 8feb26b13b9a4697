import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import formats, timezone

from compacts.models import AuditEvent, Signature, StaffStatus
from tests.factories import UserFactory

from .factories import CityFactory, CityStaffFactory, CompactFactory, SignatureFactory

pytestmark = pytest.mark.django_db

DAYS_330 = datetime.timedelta(days=330)


def _sign_url(compact):
    return reverse("compacts:sign", args=[compact.slug])


def _sign_data(city, **overrides):
    city_value = city.pk if hasattr(city, "pk") else city
    return {"city": city_value, "mayor_name": "Ana Ortiz", "mayor_authorised": "on", **overrides}


# sign ------------------------------------------------------------------------------------


def test_sign_form_prefills_the_city_and_its_mayor(staff_client, compact, city):
    response = staff_client.get(_sign_url(compact))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.only_city == city
    assert form.initial["mayor_name"] == "Ana Ortiz"
    html = response.content.decode()
    assert 'value="Ana Ortiz"' in html
    assert "You are signing for <strong>Riverbend, TX</strong>" in html


def test_sign_form_offers_a_choice_to_staff_of_several_cities(staff, staff_client, compact):
    second = CityFactory(name="Lakeside", state="OH", mayor_name="Lee Park")
    CityStaffFactory(user=staff.user, city=second)
    response = staff_client.get(_sign_url(compact), {"city": second.pk})
    form = response.context["form"]
    assert form.only_city is None
    assert form.initial == {"city": second, "mayor_name": "Lee Park"}
    assert '<select name="city"' in response.content.decode()


def test_sign_happy_path_confirms(staff_client, compact, city):
    response = staff_client.post(_sign_url(compact), _sign_data(city), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "compacts:signed", args=[compact.slug, city.slug]
    )
    assert "Thank you for signing" in response.content.decode()
    signature = Signature.objects.get()
    assert (signature.city, signature.mayor_name) == (city, "Ana Ortiz")
    # and the public list shows it
    listing = staff_client.get(compact.get_absolute_url()).content.decode()
    assert "Mayor Ana Ortiz, Riverbend, TX" in listing


def test_sign_requires_the_confirmation(staff_client, compact, city):
    response = staff_client.post(_sign_url(compact), _sign_data(city, mayor_authorised=""))
    assert response.status_code == 200
    assert "Confirm that the mayor authorised this signature." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Signature.objects.exists()


def test_sign_a_second_time_is_a_form_error_not_a_500(staff_client, compact, city):
    SignatureFactory(compact=compact, city=city)
    response = staff_client.post(_sign_url(compact), _sign_data(city))
    assert response.status_code == 200
    assert "Your city has already signed this compact" in response.content.decode()
    assert Signature.objects.count() == 1


def test_sign_a_closed_compact_is_refused(staff_client, city):
    closed = CompactFactory(is_open=False)
    page = staff_client.get(_sign_url(closed))
    assert "not open for signature" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1]
    response = staff_client.post(_sign_url(closed), _sign_data(city))
    assert response.status_code == 200
    assert not Signature.objects.exists()


@pytest.mark.parametrize("tampered", ["999999", "abc", ""])
def test_tampered_city_id_never_signs(staff_client, compact, tampered):
    response = staff_client.post(_sign_url(compact), _sign_data(tampered))
    assert response.status_code in (200, 403)
    assert response.context["form"].errors
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "city_id", ["²", "١", "１２", "99999999999999999999", "-1", "1e3", "0x1", "\u00a0", "3.0"]
)
@pytest.mark.parametrize("view", ["compacts:sign", "compacts:withdraw"])
def test_any_city_id_in_the_address_is_answered_without_error(
    staff_client, compact, city, view, city_id
):
    """Unicode digits that are not decimal ("²") fooled str.isdigit() into a 500."""
    SignatureFactory(compact=compact, city=city)
    response = staff_client.get(reverse(view, args=[compact.slug]), {"city": city_id})
    assert response.status_code in (200, 403)


def test_tampered_city_id_of_another_real_city_never_signs(staff_client, compact, other_city):
    response = staff_client.post(_sign_url(compact), _sign_data(other_city))
    assert response.status_code == 200
    assert "You can only sign for a city whose staff you are." in response.content.decode()
    assert not Signature.objects.filter(city=other_city).exists()


def test_sign_anonymous_is_sent_to_sign_in(client, compact):
    response = client.get(_sign_url(compact))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_sign_outsider_gets_a_helpful_403(user_client, compact):
    response = user_client.get(_sign_url(compact))
    assert response.status_code == 403
    assert "Only approved city staff can do this" in response.content.decode()


def test_sign_wrong_method(staff_client, compact):
    assert staff_client.put(_sign_url(compact)).status_code == 405


def test_sign_unknown_compact_is_404(staff_client):
    assert staff_client.get(reverse("compacts:sign", args=["nope"])).status_code == 404


def test_sign_is_rate_limited_per_user(staff_client, compact, city, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "compacts.sign": (2, 3600)}
    statuses = [
        staff_client.post(_sign_url(compact), _sign_data(city, mayor_authorised="")).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_signed_page_is_only_for_the_city_staff(staff_client, compact, city):
    SignatureFactory(compact=compact, city=city)
    url = reverse("compacts:signed", args=[compact.slug, city.slug])
    assert staff_client.get(url).status_code == 200
    staff_client.force_login(UserFactory())
    assert staff_client.get(url).status_code == 404


# renew -----------------------------------------------------------------------------------


def _renew_url(compact):
    return reverse("compacts:renew", args=[compact.slug])


def test_renew_confirmation_then_post(staff_client, compact, city):
    signature = SignatureFactory(
        compact=compact, city=city, signed_on=timezone.localdate() - DAYS_330
    )
    page = staff_client.get(_renew_url(compact), {"city": city.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "What renewing means" in html
    next_due = compact.renewal_terms.next_due_if_renewed()
    assert formats.date_format(next_due, "DATE_FORMAT") in html
    signature.refresh_from_db()
    assert signature.renewed_on is None  # a GET changes nothing
    response = staff_client.post(_renew_url(compact), {"city": city.pk}, follow=True)
    assert response.redirect_chain[-1][0] == city.get_absolute_url()
    assert "renewed its signature" in response.content.decode()
    signature.refresh_from_db()
    assert signature.renewed_on == timezone.localdate()
    assert AuditEvent.objects.get().action == "renew"


def test_renew_without_a_signature_says_so(staff_client, compact, city):
    response = staff_client.post(_renew_url(compact), {"city": city.pk}, follow=True)
    assert "no active signature" in response.content.decode()


def test_renew_wrong_method(staff_client, compact):
    assert staff_client.put(_renew_url(compact)).status_code == 405


def test_renew_tampered_city_is_403(staff_client, compact, other_city):
    signature = SignatureFactory(compact=compact, city=other_city)
    for value in (other_city.pk, "abc", "", "²"):
        assert staff_client.post(_renew_url(compact), {"city": value}).status_code == 403
        assert staff_client.get(_renew_url(compact), {"city": value}).status_code == 403
    signature.refresh_from_db()
    assert signature.renewed_on is None


# withdraw --------------------------------------------------------------------------------


def test_withdraw_shows_a_confirmation_first(staff_client, compact, city):
    SignatureFactory(compact=compact, city=city)
    url = reverse("compacts:withdraw", args=[compact.slug])
    response = staff_client.get(url, {"city": city.pk})
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    assert Signature.objects.active().count() == 1  # a GET changes nothing


def test_withdraw_requires_a_reason(staff_client, compact, city):
    SignatureFactory(compact=compact, city=city)
    url = reverse("compacts:withdraw", args=[compact.slug])
    response = staff_client.post(url, {"city": city.pk, "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert Signature.objects.active().count() == 1


def test_withdraw_happy_path_then_sign_again(staff_client, compact, city):
    SignatureFactory(compact=compact, city=city)
    url = reverse("compacts:withdraw", args=[compact.slug])
    response = staff_client.post(url, {"city": city.pk, "reason": "Council vote"}, follow=True)
    assert "withdrew its signature" in response.content.decode()
    assert not Signature.objects.active().exists()
    staff_client.post(_sign_url(compact), _sign_data(city))
    assert Signature.objects.active().count() == 1
    assert Signature.objects.count() == 2


def test_withdraw_without_a_signature_redirects_with_a_message(staff_client, compact, city):
    url = reverse("compacts:withdraw", args=[compact.slug])
    response = staff_client.get(url, {"city": city.pk}, follow=True)
    assert "no active signature" in response.content.decode()


def test_withdraw_anonymous_and_outsider(client, compact, city):
    SignatureFactory(compact=compact, city=city)
    url = reverse("compacts:withdraw", args=[compact.slug])
    assert client.get(url, {"city": city.pk}).status_code == 302
    client.force_login(CityStaffFactory(city=city, status=StaffStatus.PENDING).user)
    assert client.get(url, {"city": city.pk}).status_code == 403
    client.force_login(UserFactory())
    assert client.post(url, {"city": city.pk, "reason": "x"}).status_code == 403
    assert Signature.objects.active().count() == 1


def test_withdraw_wrong_method(staff_client, compact):
    assert staff_client.delete(reverse("compacts:withdraw", args=[compact.slug])).status_code == 405


# an installation that requires two-factor for signing -------------------------------------


def test_signing_can_require_two_factor(staff_client, staff, compact, city, settings):
    settings.SIGNING_REQUIRES_MFA = True
    response = staff_client.post(_sign_url(compact), _sign_data(city))
    assert response.status_code == 403
    assert reverse("mfa_activate_totp") in response.content.decode()
    assert not Signature.objects.exists()

    TOTP.activate(staff.user, generate_totp_secret())
    response = staff_client.post(_sign_url(compact), _sign_data(city))
    assert response.status_code == 302
    assert Signature.objects.active().filter(compact=compact, city=city).count() == 1
