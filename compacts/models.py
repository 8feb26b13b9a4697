"""The partner-city registry, the Mayors' Compacts, city staff and signatures."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .phones import validate_work_phone
from .plan import PlanStatus, PlanStep
from .renewal import RenewalTerms
from .states import STATE_CHOICES


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as America/Chicago."),
            params={"value": value},
        )


class CharterStatus(models.TextChoices):
    NONE = "none", _("Not yet")
    INITIATIVE = "initiative", _("Initiative")
    AFFIRMED = "affirmed", _("Affirmed")


_PARTNER = Q(partner_since__isnull=False)
_AFFIRMED = Q(charter_status=CharterStatus.AFFIRMED)


class CityQuerySet(models.QuerySet["City"]):
    def partners(self) -> "CityQuerySet":
        return self.filter(_PARTNER)

    def affirmed(self) -> "CityQuerySet":
        return self.filter(_AFFIRMED)

    def partner_and_affirmed_counts(self) -> dict[str, int]:
        """{"partners": …, "affirmed": …} in one query."""
        return self.aggregate(
            partners=Count("pk", filter=_PARTNER), affirmed=Count("pk", filter=_AFFIRMED)
        )

    def with_active_signature_counts(self) -> "CityQuerySet":
        return self.annotate(
            active_signature_count=Count(
                "signatures", filter=Q(signatures__withdrawn_on__isnull=True)
            )
        )


class City(models.Model):
    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    mayor_name = models.CharField(_("mayor's name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. America/Chicago. Opening hours are shown in it."),
    )
    partner_since = models.DateField(_("C-USA partner since"), null=True, blank=True)
    charter_status = models.CharField(
        _("Charter for Compassion status"),
        max_length=12,
        choices=CharterStatus.choices,
        default=CharterStatus.NONE,
    )
    charter_affirmed_on = models.DateField(_("Charter affirmed on"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo content"), default=False, help_text=_("Fictional city loaded by load_demo.")
    )

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name", "state"]
        constraints = [
            models.UniqueConstraint(fields=["name", "state"], name="city_unique_name_state"),
            models.CheckConstraint(
                condition=Q(charter_affirmed_on__isnull=True) | Q(charter_status="affirmed"),
                name="city_affirmed_date_only_when_affirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"

    def get_absolute_url(self) -> str:
        return reverse("compacts:city_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.charter_affirmed_on and self.charter_status != CharterStatus.AFFIRMED:
            raise ValidationError(
                {"charter_affirmed_on": _("Only an affirmed city has an affirmation date.")}
            )

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class CompactQuerySet(models.QuerySet["Compact"]):
    def open(self) -> "CompactQuerySet":
        return self.filter(is_open=True)

    def in_published_order(self) -> "CompactQuerySet":
        """Oldest first; compacts known only by a label such as "2020-21" sort by it."""
        return self.order_by(F("introduced_on").asc(nulls_last=True), "introduced_label", "title")

    def with_signature_counts(self) -> "CompactQuerySet":
        return self.annotate(
            active_signature_count=Count(
                "signatures", filter=Q(signatures__withdrawn_on__isnull=True)
            )
        )


class Compact(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("short description"))
    background = models.TextField(
        _("about this compact"),
        blank=True,
        help_text=_("Its history and reach, in this portal's own words (not the compact's text)."),
    )
    full_text = models.TextField(
        _("full text, as published"),
        blank=True,
        help_text=_("The compact's own published wording, only when the portal has a copy."),
    )
    source_name = models.CharField(
        _("published by"),
        max_length=200,
        blank=True,
        help_text=_("Who published the text, for example The U.S. Conference of Mayors."),
    )
    source_url = models.URLField(_("link to the published text"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    commitments_are_summary = models.BooleanField(
        _("the commitments are this portal's summary"),
        default=True,
        help_text=_("Untick only when the commitments quote the compact's own wording."),
    )
    introduced_by = models.CharField(
        _("introduced by"), max_length=200, help_text=_("For example: USCM with ADL")
    )
    introduced_on = models.DateField(_("introduced on"), null=True, blank=True)
    introduced_label = models.CharField(
        _("when introduced, as published"),
        max_length=60,
        blank=True,
        help_text=_("Shown as given, for example 2020–21, when no exact date is known."),
    )
    is_open = models.BooleanField(_("open for signature"), default=True)
    # The language the title, summary, background, text and commitments are written in: a
    # page in another language marks them with lang="…", so a screen reader switches voice.
    content_language = models.CharField(
        _("language of the text"),
        max_length=35,
        default="en",
        validators=[
            RegexValidator(
                r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                _("Enter a language code such as en, es or zh-Hant."),
            )
        ],
        help_text=_("The language the compact's title, texts and commitments are written in."),
    )
    renewal_months = models.PositiveSmallIntegerField(
        _("a signature holds for (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Renewal is due this many months after signing or the last renewal."),
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal opens (days before it is due)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("Staff can renew only from this many days before the due date onwards."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompactQuerySet.as_manager()

    class Meta:
        verbose_name = _("compact")
        verbose_name_plural = _("compacts")
        ordering = ["introduced_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(renewal_months__gte=1) & Q(renewal_window_days__gte=1),
                name="compact_renewal_terms_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("compacts:compact_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # A window as long as the period would let a city renew the day after renewing.
        months, window = self.renewal_months, self.renewal_window_days
        if months and window and window >= months * 28:
            raise ValidationError(
                {
                    "renewal_window_days": _(
                        "The renewal window must be shorter than the time a signature holds."
                    )
                }
            )

    @property
    def renewal_terms(self) -> RenewalTerms:
        return RenewalTerms(months=self.renewal_months, window_days=self.renewal_window_days)


class Commitment(models.Model):
    compact = models.ForeignKey(
        Compact, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("compact")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["compact", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["compact", "position"], name="commitment_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class StaffRole(models.TextChoices):
    MAYOR = "mayor", _("Mayor")
    CHIEF_OF_STAFF = "chief_of_staff", _("Chief of staff")
    STAFF = "staff", _("Staff")


class StaffStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class CityStaffQuerySet(models.QuerySet["CityStaff"]):
    def approved(self) -> "CityStaffQuerySet":
        return self.filter(status=StaffStatus.APPROVED)

    def pending(self) -> "CityStaffQuerySet":
        return self.filter(status=StaffStatus.PENDING)


class CityStaff(models.Model):
    """A person's request to act for a city, and the admin's decision on it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="city_roles",
        verbose_name=_("person"),
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="staff", verbose_name=_("city")
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    job_title = models.CharField(_("job title"), max_length=150)
    work_phone = models.CharField(_("work phone"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=StaffStatus.choices, default=StaffStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = CityStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("city staff member")
        verbose_name_plural = _("city staff")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="citystaff_unique_user_city"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.city} ({self.get_status_display()})"


class SignatureQuerySet(models.QuerySet["Signature"]):
    def active(self) -> "SignatureQuerySet":
        return self.filter(withdrawn_on__isnull=True)

    def withdrawn(self) -> "SignatureQuerySet":
        return self.filter(withdrawn_on__isnull=False)

    def signatories(self) -> "SignatureQuerySet":
        """Active signatures as the public list shows them: by state, then city."""
        return self.active().select_related("city").order_by("city__state", "city__name")

    def renewable_on(self, today: datetime.date) -> list["Signature"]:
        """The active signatures of open compacts that can be renewed on ``today`` (due or
        overdue), each with its compact's renewal terms loaded, in one query.

        The due date is a calendar sum (months of different lengths, see renewal.py), so it is
        worked out here rather than in SQL; there is one row per city and compact (a few
        hundred in all)."""
        signatures = (
            self.active()
            .filter(compact__is_open=True)
            .select_related("compact")
            .only(
                "signed_on",
                "renewed_on",
                "reaffirmed_on",
                "renewal_reminder_sent_for",
                "compact__renewal_months",
                "compact__renewal_window_days",
            )
            .order_by("pk")
        )
        return [signature for signature in signatures if signature.renewal(today).can_renew]

    def renewable(self) -> "SignatureQuerySet":
        """``renewable_on(today)`` as a queryset, for counts and admin lists."""
        ids = [signature.pk for signature in self.renewable_on(timezone.localdate())]
        return self.filter(pk__in=ids)


class Signature(models.Model):
    compact = models.ForeignKey(
        Compact, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("compact")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("city")
    )
    mayor_name = models.CharField(_("mayor's name as signed"), max_length=150)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("signed by"),
    )
    signed_on = models.DateField(_("signed on"), default=timezone.localdate)
    renewed_on = models.DateField(_("renewed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    reaffirmed_on = models.DateField(
        _("re-affirmed on"),
        null=True,
        blank=True,
        help_text=_("When a new mayor's office last re-affirmed this signature."),
    )
    reaffirmed_by_mayor = models.CharField(
        _("mayor's name at re-affirmation"), max_length=150, blank=True
    )
    renewal_reminder_sent_for = models.DateField(
        _("renewal reminder sent for the due date"),
        null=True,
        blank=True,
        help_text=_("Staff were emailed that renewal is due on this date; one email per date."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_on", "city__name"]
        constraints = [
            # Two staff clicking "sign" at once cannot both succeed.
            models.UniqueConstraint(
                fields=["compact", "city"],
                condition=Q(withdrawn_on__isnull=True),
                name="signature_one_active_per_compact_city",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawal_reason=""),
                name="signature_withdrawal_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["compact", "withdrawn_on"], name="signature_compact_active")
        ]

    def __str__(self) -> str:
        return f"{self.compact} · {self.city}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    @property
    def last_affirmed_on(self) -> datetime.date:
        """The day the current renewal term began: the latest of signing, renewal and
        re-affirmation by a new mayor's office."""
        return max(day for day in (self.signed_on, self.renewed_on, self.reaffirmed_on) if day)

    def needs_reaffirmation(self, term: "MayorTerm | None") -> bool:
        """Signed under an earlier mayor and not yet re-affirmed by ``term``'s office."""
        if term is None or not self.is_active:
            return False
        last = self.reaffirmed_on or self.signed_on
        return last < term.starts_on

    def renewal(self, today: datetime.date | None = None):
        """Where this signature stands in its compact's renewal cycle (reads ``compact``)."""
        return self.compact.renewal_terms.status(self.last_affirmed_on, today)

    @property
    def signatory_line(self) -> str:
        return _("Mayor %(name)s, %(city)s, %(state)s") % {
            "name": self.mayor_name,
            "city": self.city.name,
            "state": self.city.state,
        }


class MayorTermQuerySet(models.QuerySet["MayorTerm"]):
    def current_on(self, day: datetime.date) -> "MayorTerm | None":
        """The term that has begun by ``day``, the latest one if several have."""
        return self.filter(starts_on__lte=day).order_by("-starts_on").first()


class MayorTerm(models.Model):
    """A mayor's term of office. The city's signatures, plan and bridge-builder role belong
    to the city and outlast it; a new term asks the new office to re-affirm signatures."""

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="mayor_terms", verbose_name=_("city")
    )
    mayor_name = models.CharField(_("mayor's name"), max_length=150)
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = MayorTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("mayor's term")
        verbose_name_plural = _("mayors' terms")
        ordering = ["city", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["city", "starts_on"], name="mayorterm_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="mayorterm_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mayor_name} ({self.city}, {self.starts_on:%Y})"


class PlanItem(models.Model):
    """One item of a city's public action plan: a guide step or a signed commitment."""

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="plan_items", verbose_name=_("city")
    )
    step = models.CharField(_("guide step"), max_length=20, choices=PlanStep.choices, blank=True)
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("compact commitment"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.NOT_STARTED
    )
    responsible_role = models.CharField(
        _("responsible role"),
        max_length=150,
        blank=True,
        help_text=_(
            "A role or office, such as Office of the Mayor. Name a person only if they "
            "agreed to be listed."
        ),
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    public_note = models.TextField(_("public note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["city", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(step="") & Q(commitment__isnull=False))
                | (~Q(step="") & Q(commitment__isnull=True)),
                name="planitem_step_or_commitment",
            ),
            models.UniqueConstraint(
                fields=["city", "step"], condition=~Q(step=""), name="planitem_unique_step"
            ),
            models.UniqueConstraint(
                fields=["city", "commitment"],
                condition=Q(commitment__isnull=False),
                name="planitem_unique_commitment",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(target_on__isnull=True)
                | Q(target_on__gte=F("starts_on")),
                name="planitem_target_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city}: {self.get_step_display() if self.step else self.commitment}"


class PlanItemChange(models.Model):
    """The public history of a plan item: what it said after each change (never who)."""

    item = models.ForeignKey(
        PlanItem, on_delete=models.CASCADE, related_name="changes", verbose_name=_("plan item")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    public_note = models.TextField(_("public note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("plan item change")
        verbose_name_plural = _("plan item changes")
        ordering = ["item", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item} · {self.at:%Y-%m-%d} · {self.get_status_display()}"


class JoinStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved: the city was added")
    REFUSED = "refused", _("Refused")


class CityJoinRequestQuerySet(models.QuerySet["CityJoinRequest"]):
    def pending(self) -> "CityJoinRequestQuerySet":
        return self.filter(status=JoinStatus.PENDING)


class CityJoinRequest(models.Model):
    """A person who works for a city not yet in the registry asks for it to be added.

    An administrator decides it in the admin. Approving adds the city to the registry as
    not yet a Compassionate USA partner (``partner_since`` empty: partnership is a separate,
    later decision) and files the person's request to act for it, which is then decided
    like any other staff request.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="city_join_requests",
        verbose_name=_("requested by"),
    )
    city_name = models.CharField(_("city name"), max_length=120)
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES)
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    job_title = models.CharField(_("job title"), max_length=150)
    work_phone = models.CharField(_("work phone"), max_length=40, validators=[validate_work_phone])
    message = models.TextField(_("message"), max_length=2000, blank=True)
    time_zone = models.CharField(
        _("the city's time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Set by the administrator before approving, e.g. America/Chicago."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JoinStatus.choices, default=JoinStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city added"),
    )

    objects = CityJoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request to add a city")
        verbose_name_plural = _("requests to add a city")
        ordering = ["-requested_at"]
        constraints = [
            # One open request per person and city; a refused person may ask again.
            models.UniqueConstraint(
                "requested_by",
                Lower("city_name"),
                "state",
                condition=Q(status="pending"),
                name="cityjoinrequest_one_pending_per_city",
            ),
            models.CheckConstraint(
                condition=Q(city__isnull=True) | Q(status="approved"),
                name="cityjoinrequest_city_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city_name}, {self.state} ({self.get_status_display()})"


class AuditAction(models.TextChoices):
    SIGN = "sign", _("Signed")
    RENEW = "renew", _("Renewed")
    WITHDRAW = "withdraw", _("Withdrew")
    REQUEST = "request", _("Requested staff access")
    APPROVE = "approve", _("Approved staff")
    REJECT = "reject", _("Rejected staff")
    REVOKE = "revoke", _("Revoked staff")
    JOIN_REQUEST = "join_request", _("Asked for a city to join")
    JOIN_APPROVE = "join_approve", _("Added a city that asked to join")
    JOIN_REFUSE = "join_refuse", _("Refused a city that asked to join")
    REAFFIRM = "reaffirm", _("Re-affirmed under a new mayor")
    MAYOR_TERM = "mayor_term", _("Recorded a mayor's term")
    PLAN_UPDATE = "plan_update", _("Updated a plan item")
    REMIND = "remind", _("Emailed a renewal reminder")
    PEER_CONTACT = "peer_contact", _("Wrote to a fellow city's staff")


class AuditEvent(models.Model):
    """An append-only record of every state change in this app."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("what"), max_length=12, choices=AuditAction.choices)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("city")
    )
    compact = models.ForeignKey(
        Compact, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("compact")
    )
    signature = models.ForeignKey(
        Signature,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        verbose_name=_("signature"),
    )
    staff = models.ForeignKey(
        CityStaff,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        verbose_name=_("staff request"),
    )
    join_request = models.ForeignKey(
        "CityJoinRequest",
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        verbose_name=_("request to add a city"),
    )
    plan_item = models.ForeignKey(
        PlanItem,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        verbose_name=_("plan item"),
    )
    mayor_term = models.ForeignKey(
        MayorTerm,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        verbose_name=_("mayor's term"),
    )
    ip_address = models.GenericIPAddressField(_("from IP address"), null=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"
