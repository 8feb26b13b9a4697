import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from compacts.models import AuditAction, AuditEvent, CityStaff, Signature, StaffStatus

from .factories import CityStaffFactory, CommitmentFactory, SignatureFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:compacts_citystaff_changelist"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["city", "compact", "citystaff", "signature", "auditevent"])
def test_admin_changelists_load(admin_client, model, compact, staff):
    SignatureFactory(compact=compact, city=staff.city)
    AuditEvent.objects.create(actor=staff.user, action=AuditAction.REQUEST, city=staff.city)
    response = admin_client.get(f"/admin/compacts/{model}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_compact_admin_edits_commitments_inline(admin_client, compact):
    CommitmentFactory(compact=compact, text="Denounce every act of hate.")
    response = admin_client.get(reverse("admin:compacts_compact_change", args=[compact.pk]))
    assert "Denounce every act of hate." in response.content.decode()


def test_citystaff_admin_filters_pending(admin_client, city):
    pending = CityStaffFactory(city=city, status=StaffStatus.PENDING)
    CityStaffFactory(city=city, status=StaffStatus.APPROVED)
    response = admin_client.get(reverse(CHANGELIST), {"status__exact": "pending"})
    assert list(response.context["cl"].result_list) == [pending]


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve_staff", StaffStatus.PENDING, StaffStatus.APPROVED),
        ("reject_staff", StaffStatus.PENDING, StaffStatus.REJECTED),
        ("revoke_staff", StaffStatus.APPROVED, StaffStatus.REVOKED),
    ],
)
def test_bulk_actions_decide_audit_and_email(
    admin_client, admin_user, city, action, start, end, django_capture_on_commit_callbacks
):
    requests = CityStaffFactory.create_batch(3, city=city, status=start)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [r.pk for r in requests]},
            follow=True,
        )
    assert response.status_code == 200
    assert set(CityStaff.objects.values_list("status", flat=True)) == {end}
    assert AuditEvent.objects.filter(actor=admin_user, city=city).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in requests)


def test_bulk_action_skips_requests_in_the_wrong_state(admin_client, city):
    approved = CityStaffFactory(city=city, status=StaffStatus.APPROVED)
    pending = CityStaffFactory(city=city, status=StaffStatus.PENDING)
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "reject_staff", "_selected_action": [approved.pk, pending.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Rejected 1 request." in html
    assert "cannot be changed that way" in html
    approved.refresh_from_db()
    assert approved.status == StaffStatus.APPROVED


def test_status_is_not_editable_by_hand(admin_client, city):
    pending = CityStaffFactory(city=city, status=StaffStatus.PENDING)
    response = admin_client.get(reverse("admin:compacts_citystaff_change", args=[pending.pk]))
    assert 'name="status"' not in response.content.decode()


def test_audit_log_is_read_only(admin_client, staff, compact):
    SignatureFactory(compact=compact, city=staff.city)
    event = AuditEvent.objects.create(actor=staff.user, action=AuditAction.SIGN, city=staff.city)
    assert admin_client.get(reverse("admin:compacts_auditevent_add")).status_code == 403
    change_url = reverse("admin:compacts_auditevent_change", args=[event.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()  # view only
    assert admin_client.post(change_url, {"action": "renew"}).status_code == 403
    delete_url = reverse("admin:compacts_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:compacts_auditevent_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    event.refresh_from_db()
    assert event.action == AuditAction.SIGN


def test_signature_admin_filters_and_csv_export(admin_client, compact, city, other_city):
    active = SignatureFactory(compact=compact, city=city)
    SignatureFactory(
        compact=compact, city=other_city, withdrawn_on="2024-01-01", withdrawal_reason="x"
    )
    changelist = reverse("admin:compacts_signature_changelist")
    response = admin_client.get(changelist, {"status": "active", "city__state": "TX"})
    assert list(response.context["cl"].result_list) == [active]
    response = admin_client.post(
        changelist,
        {
            "action": "export_signatures_csv",
            "_selected_action": [s.pk for s in Signature.objects.all()],
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-2:] == ["compact", "withdrawn_on"]
    assert len(rows) == 3


def test_signature_added_in_the_admin_is_audited(admin_client, admin_user, compact, city):
    response = admin_client.post(
        reverse("admin:compacts_signature_add"),
        {
            "compact": compact.pk,
            "city": city.pk,
            "mayor_name": "Ana Ortiz",
            "signed_on": "2024-02-02",
            "withdrawal_reason": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.detail) == (admin_user, AuditAction.SIGN, "admin")


def test_second_active_signature_in_the_admin_is_a_form_error(admin_client, compact, city):
    SignatureFactory(compact=compact, city=city)
    response = admin_client.post(
        reverse("admin:compacts_signature_add"),
        {"compact": compact.pk, "city": city.pk, "mayor_name": "X", "signed_on": "2024-02-02"},
    )
    assert response.status_code == 200
    assert Signature.objects.count() == 1
