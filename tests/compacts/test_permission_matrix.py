"""Every cell of who may do what: 8 kinds of person x sign, renew, withdraw, approve.

"unverified" is an approved staff member of the city whose email is not verified (so the
verification check itself is what refuses them). "admin" is a superuser with no staff role:
admins decide staff requests in the admin, but only a city's own staff sign for it.
"""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from compacts import services
from compacts.models import AuditEvent, CityStaff, Signature, StaffStatus
from tests.factories import AdminFactory, UserFactory

from .factories import CityFactory, CityStaffFactory, SignatureFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "unverified",
    "pending",
    "rejected",
    "revoked",
    "approved_other_city",
    "approved_this_city",
    "admin",
]

# What each role gets for each action: "login" (sent to sign in), "forbidden" (403),
# "form_error" (200, the form refuses), "admin_login" (the admin sends them to its login),
# "ok" (done).
ACTIONS = ("sign", "renew", "withdraw", "approve")
# fmt: off
TABLE = {
    #                       sign          renew        withdraw     approve
    "anonymous":           ("login",      "login",     "login",     "admin_login"),
    "unverified":          ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "pending":             ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "rejected":            ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "revoked":             ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "approved_other_city": ("form_error", "forbidden", "forbidden", "admin_login"),
    "approved_this_city":  ("ok",         "ok",        "ok",        "admin_login"),
    "admin":               ("forbidden",  "forbidden", "forbidden", "ok"),
}
# fmt: on
EXPECTED = {role: dict(zip(ACTIONS, row, strict=True)) for role, row in TABLE.items()}


def _person(role: str, city, other_city):
    if role == "anonymous":
        return None
    if role == "admin":
        return AdminFactory()
    if role == "unverified":
        user = UserFactory()
        CityStaffFactory(user=user, city=city, status=StaffStatus.APPROVED)
        EmailAddress.objects.filter(user=user).update(verified=False)
        return user
    status = {
        "pending": StaffStatus.PENDING,
        "rejected": StaffStatus.REJECTED,
        "revoked": StaffStatus.REVOKED,
        "approved_other_city": StaffStatus.APPROVED,
        "approved_this_city": StaffStatus.APPROVED,
    }[role]
    target = other_city if role == "approved_other_city" else city
    return CityStaffFactory(city=target, status=status).user


@pytest.fixture
def cities(db):
    return CityFactory(slug="this-city"), CityFactory(slug="other-city")


def _client(client, role, cities):
    user = _person(role, *cities)
    if user is not None:
        client.force_login(user)
    return client, user


def _assert_outcome(response, outcome, *, done: bool, login_url: str = "/accounts/login/"):
    if outcome == "ok":
        assert response.status_code == 302
        assert done
        return
    assert not done
    if outcome in ("login", "admin_login"):
        assert response.status_code == 302
        assert response.url.startswith(login_url)
    elif outcome == "forbidden":
        assert response.status_code == 403
    elif outcome == "form_error":
        assert response.status_code == 200
        assert response.context["form"].errors
    else:  # pragma: no cover - a typo in EXPECTED
        pytest.fail(f"unknown outcome {outcome}")


@pytest.mark.parametrize("role", ROLES)
def test_sign(client, role, cities, compact):
    city, _other = cities
    client, _user = _client(client, role, cities)
    response = client.post(
        reverse("compacts:sign", args=[compact.slug]),
        {"city": city.pk, "mayor_name": "Ana Ortiz", "mayor_authorised": "on"},
    )
    done = Signature.objects.filter(compact=compact, city=city).exists()
    _assert_outcome(response, EXPECTED[role]["sign"], done=done)
    assert AuditEvent.objects.filter(action="sign").exists() is done


@pytest.mark.parametrize("role", ROLES)
def test_renew(client, role, cities, compact):
    city, _other = cities
    signature = SignatureFactory(compact=compact, city=city)
    client, _user = _client(client, role, cities)
    response = client.post(reverse("compacts:renew", args=[compact.slug]), {"city": city.pk})
    signature.refresh_from_db()
    _assert_outcome(response, EXPECTED[role]["renew"], done=signature.renewed_on is not None)


@pytest.mark.parametrize("role", ROLES)
def test_withdraw(client, role, cities, compact):
    city, _other = cities
    signature = SignatureFactory(compact=compact, city=city)
    client, _user = _client(client, role, cities)
    response = client.post(
        reverse("compacts:withdraw", args=[compact.slug]),
        {"city": city.pk, "reason": "A new council voted to leave."},
    )
    signature.refresh_from_db()
    _assert_outcome(response, EXPECTED[role]["withdraw"], done=not signature.is_active)


@pytest.mark.parametrize("role", ROLES)
def test_approve(client, role, cities):
    city, _other = cities
    request = CityStaffFactory(city=city, status=StaffStatus.PENDING)
    client, user = _client(client, role, cities)
    response = client.post(
        reverse("admin:compacts_citystaff_changelist"),
        {"action": "approve_staff", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    _assert_outcome(
        response,
        EXPECTED[role]["approve"],
        done=request.status == StaffStatus.APPROVED,
        login_url=reverse("admin:login"),
    )
    # The service checks too, whoever calls it.
    if user is not None and EXPECTED[role]["approve"] != "ok":
        with pytest.raises(PermissionDenied):
            services.staff_approve(actor=user, staff=request)
        assert CityStaff.objects.get(pk=request.pk).status == StaffStatus.PENDING


def test_matrix_covers_every_role_and_action():
    assert set(EXPECTED) == set(ROLES)
    assert all(set(row) == set(ACTIONS) for row in EXPECTED.values())
