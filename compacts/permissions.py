"""Who may act for a city: the one place in this app that answers that question.

Rules (checked on the server for every sign, renew and withdraw):

- Only an *approved* CityStaff of that very city may act for it; pending, rejected and
  revoked requests give no rights at all.
- The person must still have a verified email address.
- Where the installation sets SIGNING_REQUIRES_MFA, the person must also have two-factor
  authentication turned on.
- Being a superuser does not make someone city staff: admins curate cities and decide staff
  requests in the Django admin, but the public sign / renew / withdraw forms are for the
  city's own approved staff, so that every signature names a person who speaks for the city.
- Deciding staff requests (approve / reject / revoke) is for admin users with the
  ``compacts.change_citystaff`` permission (superusers have it), never for city staff.
- Editing a city's action plan, seeing its handover page and re-affirming its signatures
  under a new mayor follow the same rule as signing: approved staff of that city.
- Recording a mayor's term is for admin users with ``compacts.add_mayorterm``.
- Asking for a city to join the registry, like asking for staff access, needs a verified
  email. Deciding such a request adds a city and files a staff request, so it is for admin
  users with ``compacts.change_cityjoinrequest``, ``compacts.add_city`` and
  ``compacts.change_citystaff``.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery

from .models import City, CityQuerySet, CityStaff, StaffStatus


def has_verified_email(user) -> bool:
    return bool(
        user.is_authenticated and EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def cities_for_staff(user) -> CityQuerySet:
    """The cities ``user`` may act for: approved staff with a verified email, one query."""
    if not (user.is_authenticated and user.is_active):
        return City.objects.none()
    verified = EmailAddress.objects.filter(user=user, verified=True)
    cities = City.objects.filter(
        Exists(verified), staff__user=user, staff__status=StaffStatus.APPROVED
    )
    if settings.SIGNING_REQUIRES_MFA:
        cities = cities.filter(Exists(Authenticator.objects.filter(user=user)))
    return cities.distinct()


def staff_addresses(city_id: int) -> list[tuple[str, str]]:
    """Where the portal writes to a city's staff: the address and language of each approved,
    active staff member with a verified email (the primary one first), in one query.

    The same rule as ``cities_for_staff`` (approved, active, a verified email), asked the
    other way round: that function answers for one person, and calling it for each staff
    member would cost a query each. Two-factor (SIGNING_REQUIRES_MFA) is not asked for: it is
    needed to act for the city, not to be written to.
    """
    verified_address = EmailAddress.objects.filter(user=OuterRef("user"), verified=True).order_by(
        "-primary", "pk"
    )
    staff = (
        CityStaff.objects.approved()
        .filter(city_id=city_id, user__is_active=True)
        .annotate(address=Subquery(verified_address.values("email")[:1]))
        .filter(address__isnull=False)
        .order_by("pk")
    )
    return list(staff.values_list("address", "user__language"))


def can_act_for_city(user, city: City) -> bool:
    return cities_for_staff(user).filter(pk=city.pk).exists()


def get_city_for_staff(user, city_id: object) -> City:
    """The city with ``city_id`` if ``user`` may act for it; PermissionDenied otherwise.

    A missing or malformed id is treated like a city the user may not act for, so a
    tampered form never reveals which ids exist.
    """
    try:
        pk = int(str(city_id))
    except (TypeError, ValueError):
        raise PermissionDenied from None
    try:
        return cities_for_staff(user).get(pk=pk)
    except City.DoesNotExist:
        raise PermissionDenied from None


def can_decide_staff(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("compacts.change_citystaff")
    )


def can_record_mayor_terms(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("compacts.add_mayorterm")
    )


def can_decide_join_requests(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(
            [
                "compacts.change_cityjoinrequest",
                "compacts.add_city",
                "compacts.change_citystaff",
            ]
        )
    )


@dataclass(frozen=True)
class StaffStanding:
    """What a person is to one city, for pages that adapt to who is looking."""

    request: CityStaff | None  # their staff request for the city, whatever its status
    can_act: bool  # may sign, renew and withdraw for it right now

    @property
    def is_pending(self) -> bool:
        return self.request is not None and self.request.status == StaffStatus.PENDING

    @property
    def is_approved(self) -> bool:
        return self.request is not None and self.request.status == StaffStatus.APPROVED

    @property
    def may_ask(self) -> bool:
        """No request, or one that was rejected or revoked: asking (again) is allowed."""
        return not (self.is_pending or self.is_approved)


NO_STANDING = StaffStanding(request=None, can_act=False)


def staff_standing(user, city: City) -> StaffStanding:
    """``user``'s request for ``city`` and whether they may act for it, in one query.

    ``can_act`` is the same rule as ``cities_for_staff``, evaluated as a subquery, so an
    approved person whose email is no longer verified (or who lacks a required second
    factor) is shown as approved but offered no action.
    """
    if not (user.is_authenticated and user.is_active):
        return NO_STANDING
    request = (
        CityStaff.objects.filter(user=user, city=city)
        .annotate(can_act=Exists(cities_for_staff(user).filter(pk=OuterRef("city_id"))))
        .first()
    )
    if request is None:
        return NO_STANDING
    return StaffStanding(request=request, can_act=request.can_act)
