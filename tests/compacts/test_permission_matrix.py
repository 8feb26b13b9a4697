"""Every cell of who may do what: 10 kinds of person x 14 actions.

"signed_in_unverified" is a person with no request whose email is not verified; "verified"
one whose email is, with no request. "unverified" is an approved staff member of the city
whose email is not verified (so the verification check itself is what refuses them).
"admin" is a superuser with no staff role: admins decide staff requests and cities asking to
join in the admin, but only a city's own staff sign for it.

The actions: sign, renew (the POST from the confirmation page), withdraw, approve (a staff
request, in the admin), renew_page (GET the renewal confirmation page), request_access
(POST a staff request for the city), join_city (POST "my city is not listed"), approve_join
(add a city that asked, in the admin) and city_page (what the city page offers them); then
the plan and handover actions listed above PLAN_TABLE.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from compacts import action_plan, services
from compacts.models import (
    AuditEvent,
    City,
    CityJoinRequest,
    CityStaff,
    JoinStatus,
    MayorTerm,
    PlanItem,
    Signature,
    StaffStatus,
)
from tests.factories import AdminFactory, UserFactory

from .factories import CityFactory, CityStaffFactory, MayorTermFactory, SignatureFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "signed_in_unverified",
    "verified",
    "unverified",
    "pending",
    "rejected",
    "revoked",
    "approved_other_city",
    "approved_this_city",
    "admin",
]

# What each role gets for each action: "login" (sent to sign in), "forbidden" (403),
# "form_error" (200, the form refuses), "conflict" (409: already asked or approved),
# "admin_login" (the admin sends them to its login), "ok" (done; for renew_page, the
# confirmation form is shown). On the city page: "actions" (sign / renew / withdraw links),
# "request" (the "Request staff access" button), "status" (their request's standing, neither).
ACTIONS = ("sign", "renew", "withdraw", "approve")
# fmt: off
TABLE = {
    #                        sign          renew        withdraw     approve
    "anonymous":            ("login",      "login",     "login",     "admin_login"),
    "signed_in_unverified": ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "verified":             ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "unverified":           ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "pending":              ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "rejected":             ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "revoked":              ("forbidden",  "forbidden", "forbidden", "admin_login"),
    "approved_other_city":  ("form_error", "forbidden", "forbidden", "admin_login"),
    "approved_this_city":   ("ok",         "ok",        "ok",        "admin_login"),
    "admin":                ("forbidden",  "forbidden", "forbidden", "ok"),
}
CITY_ACTIONS = ("renew_page", "request_access", "join_city", "approve_join", "city_page")
CITY_TABLE = {
    #                        renew_page   request_access join_city    approve_join   city_page
    "anonymous":            ("login",     "login",       "login",     "admin_login", "request"),
    "signed_in_unverified": ("forbidden", "forbidden",   "forbidden", "admin_login", "request"),
    "verified":             ("forbidden", "ok",          "ok",        "admin_login", "request"),
    "unverified":           ("forbidden", "forbidden",   "forbidden", "admin_login", "status"),
    "pending":              ("forbidden", "conflict",    "ok",        "admin_login", "status"),
    "rejected":             ("forbidden", "ok",          "ok",        "admin_login", "request"),
    "revoked":              ("forbidden", "ok",          "ok",        "admin_login", "request"),
    "approved_other_city":  ("forbidden", "ok",          "ok",        "admin_login", "request"),
    "approved_this_city":   ("ok",        "conflict",    "ok",        "admin_login", "actions"),
    "admin":                ("forbidden", "ok",          "ok",        "ok",          "request"),
}
# The city's plan, its handover page, re-affirming a signature under a new mayor and recording
# a mayor's term. plan_page is what a plan item's page offers: "form" (the edit form) or
# "read" (its history only); handover "page" means the page is shown.
PLAN_ACTIONS = ("plan_edit", "plan_page", "handover", "reaffirm", "record_term")
PLAN_TABLE = {
    #                        plan_edit    plan_page handover     reaffirm     record_term
    "anonymous":            ("login",     "read",   "login",     "login",     "admin_login"),
    "signed_in_unverified": ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "verified":             ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "unverified":           ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "pending":              ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "rejected":             ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "revoked":              ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "approved_other_city":  ("forbidden", "read",   "forbidden", "forbidden", "admin_login"),
    "approved_this_city":   ("ok",        "form",   "page",      "ok",        "admin_login"),
    "admin":                ("forbidden", "read",   "forbidden", "forbidden", "ok"),
}
# fmt: on
EXPECTED = {
    role: dict(
        zip(
            ACTIONS + CITY_ACTIONS + PLAN_ACTIONS,
            TABLE[role] + CITY_TABLE[role] + PLAN_TABLE[role],
            strict=True,
        )
    )
    for role in ROLES
}

# Signed eleven months ago: inside the default renewal window, so renewing is allowed.
RENEWABLE = {"signed_on": timezone.localdate() - timezone.timedelta(days=330)}


def _person(role: str, city, other_city):
    if role == "anonymous":
        return None
    if role == "admin":
        return AdminFactory()
    if role == "signed_in_unverified":
        return UserFactory(verified=False)
    if role == "verified":
        return UserFactory()
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
    elif outcome == "conflict":
        assert response.status_code == 409
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
    signature = SignatureFactory(compact=compact, city=city, **RENEWABLE)
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


@pytest.mark.parametrize("role", ROLES)
def test_renew_page(client, role, cities, compact):
    city, _other = cities
    signature = SignatureFactory(compact=compact, city=city, **RENEWABLE)
    client, _user = _client(client, role, cities)
    response = client.get(reverse("compacts:renew", args=[compact.slug]), {"city": city.pk})
    outcome = EXPECTED[role]["renew_page"]
    if outcome == "ok":
        assert response.status_code == 200
        assert 'name="city"' in response.content.decode()
    else:
        _assert_outcome(response, outcome, done=False)
    signature.refresh_from_db()
    assert signature.renewed_on is None  # only ever the POST renews


@pytest.mark.parametrize("role", ROLES)
def test_request_access(client, role, cities):
    city, _other = cities
    client, user = _client(client, role, cities)
    before = set(CityStaff.objects.values_list("pk", "status", "requested_at"))
    response = client.post(
        reverse("compacts:staff_request", args=[city.slug]),
        {"role": "staff", "job_title": "Aide", "work_phone": "(512) 555-0100"},
    )
    after = set(CityStaff.objects.values_list("pk", "status", "requested_at"))
    done = (
        after != before
        and CityStaff.objects.filter(user=user, city=city, status=StaffStatus.PENDING).exists()
    )
    _assert_outcome(response, EXPECTED[role]["request_access"], done=done)


@pytest.mark.parametrize("role", ROLES)
def test_join_city(client, role, cities):
    client, _user = _client(client, role, cities)
    response = client.post(
        reverse("compacts:city_join_request"),
        {
            "city_name": "Newtown",
            "state": "IA",
            "role": "staff",
            "job_title": "Aide",
            "work_phone": "(319) 555-0100",
        },
    )
    _assert_outcome(response, EXPECTED[role]["join_city"], done=CityJoinRequest.objects.exists())


@pytest.mark.parametrize("role", ROLES)
def test_approve_join(client, role, cities):
    join = services.city_join_request(
        actor=UserFactory(),
        city_name="Newtown",
        state="IA",
        role="staff",
        job_title="Aide",
        work_phone="(319) 555-0100",
    )
    CityJoinRequest.objects.filter(pk=join.pk).update(time_zone="America/Chicago")
    client, user = _client(client, role, cities)
    response = client.post(
        reverse("admin:compacts_cityjoinrequest_changelist"),
        {"action": "approve_join", "_selected_action": [join.pk]},
    )
    join.refresh_from_db()
    _assert_outcome(
        response,
        EXPECTED[role]["approve_join"],
        done=join.status == JoinStatus.APPROVED,
        login_url=reverse("admin:login"),
    )
    assert City.objects.filter(name="Newtown").exists() is (join.status == JoinStatus.APPROVED)
    if user is not None and EXPECTED[role]["approve_join"] != "ok":
        with pytest.raises(PermissionDenied):
            services.city_join_approve(actor=user, join_request=join)


@pytest.mark.parametrize("role", ROLES)
def test_city_page(client, role, cities, compact):
    city, _other = cities
    client, _user = _client(client, role, cities)
    response = client.get(city.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    offers = {
        "actions": reverse("compacts:sign", args=[compact.slug]) in html,
        "request": reverse("compacts:staff_request", args=[city.slug]) in html,
    }
    expected = EXPECTED[role]["city_page"]
    assert offers == {"actions": expected == "actions", "request": expected == "request"}


@pytest.mark.parametrize("role", ROLES)
def test_plan_edit(client, role, cities):
    city, _other = cities
    client, user = _client(client, role, cities)
    response = client.post(
        reverse("compacts:plan_item", args=[city.slug, "step-bridge_builder"]),
        {"status": "under_way", "responsible_role": "Office of the Mayor", "version": ""},
    )
    done = PlanItem.objects.filter(city=city).exists()
    _assert_outcome(response, EXPECTED[role]["plan_edit"], done=done)
    assert AuditEvent.objects.filter(action="plan_update").exists() is done
    if user is not None and EXPECTED[role]["plan_edit"] != "ok":
        row = action_plan.plan_row(city, "step-bridge_builder", timezone.localdate())
        with pytest.raises(PermissionDenied):
            services.plan_item_update(
                actor=user,
                city=city,
                row=row,
                changes={"status": "under_way"},
                seen_version="",
            )


@pytest.mark.parametrize("role", ROLES)
def test_plan_page(client, role, cities):
    city, _other = cities
    client, _user = _client(client, role, cities)
    response = client.get(reverse("compacts:plan_item", args=[city.slug, "step-directory"]))
    assert response.status_code == 200
    has_form = 'name="status"' in response.content.decode()
    assert has_form is (EXPECTED[role]["plan_page"] == "form")


@pytest.mark.parametrize("role", ROLES)
def test_handover(client, role, cities):
    city, _other = cities
    client, _user = _client(client, role, cities)
    response = client.get(reverse("compacts:handover", args=[city.slug]))
    outcome = EXPECTED[role]["handover"]
    if outcome == "page":
        assert response.status_code == 200
        assert response.context["city"] == city
    else:
        _assert_outcome(response, outcome, done=False)


@pytest.mark.parametrize("role", ROLES)
def test_reaffirm(client, role, cities, compact):
    city, _other = cities
    signature = SignatureFactory(compact=compact, city=city, signed_on=datetime.date(2020, 5, 1))
    MayorTermFactory(city=city, mayor_name="Rosa Vidal", starts_on=datetime.date(2024, 1, 1))
    client, user = _client(client, role, cities)
    response = client.post(reverse("compacts:reaffirm", args=[compact.slug]), {"city": city.pk})
    signature.refresh_from_db()
    _assert_outcome(response, EXPECTED[role]["reaffirm"], done=signature.reaffirmed_on is not None)
    if user is not None and EXPECTED[role]["reaffirm"] != "ok":
        with pytest.raises(PermissionDenied):
            services.signature_reaffirm(actor=user, compact=compact, city=city)


@pytest.mark.parametrize("role", ROLES)
def test_record_term(client, role, cities):
    city, _other = cities
    client, user = _client(client, role, cities)
    response = client.post(
        reverse("admin:compacts_mayorterm_add"),
        {"city": city.pk, "mayor_name": "Rosa Vidal", "starts_on": "2025-01-06"},
    )
    _assert_outcome(
        response,
        EXPECTED[role]["record_term"],
        done=MayorTerm.objects.filter(city=city).exists(),
        login_url=reverse("admin:login"),
    )
    if user is not None and EXPECTED[role]["record_term"] != "ok":
        with pytest.raises(PermissionDenied):
            services.mayor_term_record(
                actor=user, city=city, mayor_name="X", starts_on=datetime.date(2025, 1, 6)
            )


def test_matrix_covers_every_role_and_action():
    assert set(TABLE) == set(CITY_TABLE) == set(PLAN_TABLE) == set(ROLES)
    assert all(set(row) == set(ACTIONS + CITY_ACTIONS + PLAN_ACTIONS) for row in EXPECTED.values())
