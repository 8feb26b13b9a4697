"""The community resource directory, modelled on Open Referral HSDS 3.0.

Every model an HSDS row maps to keeps that row's id in ``hsds_id`` (unique when set) so
that a re-import updates instead of duplicating. Rows created here (admin, demo) have none
until they are exported. Address and accessibility, separate tables in HSDS, are folded
into Location (one physical address per location is what residents need); their HSDS ids
are kept beside them for round trips. What a model has no field for is kept in its
``hsds_extra``, and the rows no model holds in ``HsdsRecord`` (see ``directory/hsds/``), so
that an export gives back every valid row a package brought in.

How the search columns are filled and queried lives in ``directory/search/`` only; opening
hours in ``directory/hours.py``.
"""

import datetime
import secrets
import uuid
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import hours, places
from .hours import validate_byday
from .languages import own_name

# A language tag such as en, es, vi or zh-Hant (BCP 47's common shapes).
LANGUAGE_CODE_VALIDATOR = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", _("Enter a language code such as en, es or zh-Hant.")
)


def _hsds_id_field() -> models.CharField:
    return models.CharField(
        _("HSDS id"),
        max_length=250,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The id of the row in an Open Referral HSDS package; imports update by it."),
    )


def _hsds_extra_field() -> models.JSONField:
    """The cells of the row's HSDS package that this model has no field for, and those it
    stores differently, so that an export writes the row back as it came (see
    ``directory/hsds/kept.py`` for the form and the rule)."""
    return models.JSONField(
        _("other HSDS fields"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Cells of the HSDS row that the portal keeps only to export them again."),
    )


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: int | None = None) -> str:
    """A slug for ``text`` that no other row of ``model`` uses (``name``, ``name-2``, ...)."""
    max_length = model._meta.get_field("slug").max_length
    base = (slugify(text) or "listing")[: max_length - 8].strip("-") or "listing"
    existing = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    FAITH = "faith", _("Faith-based organization")
    NONPROFIT = "nonprofit", _("Nonprofit")
    SERVICE = "service", _("Service organization")
    EDUCATION = "education", _("School or education district")
    UNKNOWN = "unknown", _("Not yet classified")


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


# Statuses residents may see. A temporarily closed service is still listed, with a clear
# badge, so that people who know it learn it is closed instead of thinking it vanished.
PUBLIC_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
# A listing nobody has checked for longer than this is shown as possibly out of date.
STALE_AFTER = datetime.timedelta(days=365)


def is_stale(assured_date: datetime.date | None, today: datetime.date | None = None) -> bool:
    """Whether a listing last checked on ``assured_date`` (None: never) is out of date."""
    if assured_date is None:
        return True
    return (today or timezone.localdate()) - assured_date > STALE_AFTER


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class PhoneType(models.TextChoices):
    VOICE = "voice", _("Voice")
    TEXT = "text", _("Text")
    CELL = "cell", _("Cell")
    FAX = "fax", _("Fax")
    VIDEO = "video", _("Video")
    PAGER = "pager", _("Pager")
    TEXTPHONE = "textphone", _("Textphone (TTY)")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        abstract = True


class Category(models.Model):
    """An HSDS taxonomy term, e.g. Food > Food pantry."""

    hsds_id = _hsds_id_field()
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    taxonomy = models.CharField(
        _("taxonomy"), max_length=200, blank=True, help_text=_("The vocabulary the term is from.")
    )
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Listings in this category, or in one below it, offer a quick-exit button: family "
            "violence, sexual assault, crisis."
        ),
    )

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('directory:search')}?category={self.slug}"


class Language(models.Model):
    code = models.CharField(
        _("code"), max_length=35, unique=True, help_text=_("ISO 639 code, e.g. es")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def own_name(self) -> str:
        """The language named in itself ("Español"), whatever the page's language."""
        return own_name(self.code, self.name)


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def with_public_services(self) -> "OrganizationQuerySet":
        return self.filter(Exists(Service.objects.public().filter(organization=OuterRef("pk"))))


class Organization(TimeStamped):
    hsds_id = _hsds_id_field()
    name = models.CharField(_("name"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=250, unique=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(
        _("year incorporated"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1600), MaxValueValidator(2200)],
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=OrganizationKind.choices,
        default=OrganizationKind.UNKNOWN,
        db_index=True,
    )
    city = models.ForeignKey(
        "compacts.City",
        verbose_name=_("partner city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    objects = OrganizationQuerySet.as_manager()

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Organization, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("directory:organization_detail", kwargs={"slug": self.slug})


# What Location.fill_place() works out.
PLACE_FIELDS = ("time_zone", "position_latitude", "position_longitude", "position_is_approximate")


class LocationQuerySet(models.QuerySet["Location"]):
    def public_addresses(self) -> "LocationQuerySet":
        """Locations whose address may be shown to the public."""
        return self.filter(is_confidential=False)


class Location(TimeStamped):
    hsds_id = _hsds_id_field()
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="locations",
    )
    name = models.CharField(_("name"), max_length=250, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    location_type = models.CharField(
        _("type"), max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.URLField(_("web address"), max_length=500, blank=True)
    # HSDS address row, folded in.
    address_hsds_id = models.CharField(
        _("HSDS address id"), max_length=250, blank=True, editable=False
    )
    address_1 = models.CharField(_("address"), max_length=250, blank=True)
    address_2 = models.CharField(_("address (line 2)"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    state_province = models.CharField(_("state"), max_length=120, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=20, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="US")
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    transportation = models.TextField(_("transportation"), blank=True)
    # HSDS accessibility row, folded in.
    accessibility_hsds_id = models.CharField(
        _("HSDS accessibility id"), max_length=250, blank=True, editable=False
    )
    accessibility = models.TextField(
        _("accessibility"), blank=True, help_text=_("Step-free access, hearing loops, ...")
    )
    is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_(
            "Hide the address, map position and directions everywhere public, e.g. for a "
            "domestic-violence shelter. People are told to call instead."
        ),
    )
    # Where the location is, for reading its hours and measuring distances: worked out from
    # the address on every save (fill_place), never typed. HSDS's latitude and longitude
    # above stay as given, so an export writes back exactly what came in.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("From the ZIP code, else the state"),
    )
    position_latitude = models.FloatField(_("position latitude"), null=True, editable=False)
    position_longitude = models.FloatField(_("position longitude"), null=True, editable=False)
    position_is_approximate = models.BooleanField(
        _("position is the ZIP code's centre"),
        default=False,
        editable=False,
        help_text=_("No coordinates were given, so distances are measured from the ZIP code"),
    )
    languages = models.ManyToManyField(
        Language,
        verbose_name=_("languages"),
        through="LocationLanguage",
        blank=True,
        related_name="locations",
    )

    objects = LocationQuerySet.as_manager()

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(latitude__isnull=True, longitude__isnull=True)
                    | Q(
                        latitude__gte=-90,
                        latitude__lte=90,
                        longitude__gte=-180,
                        longitude__lte=180,
                    )
                ),
                name="location_coordinates_both_or_neither_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.address_1 or str(_("Location"))

    def save(self, *args, **kwargs) -> None:
        self.fill_place()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *PLACE_FIELDS}
        super().save(*args, **kwargs)

    def fill_place(self) -> None:
        """The time zone of the address (its ZIP code's, else its state's) and the position
        to measure distances from: the coordinates given, else the ZIP code's centre
        (marked approximate), else none."""
        (
            self.time_zone,
            self.position_latitude,
            self.position_longitude,
            self.position_is_approximate,
        ) = places.place_of(self.postal_code, self.state_province, self.latitude, self.longitude)

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                _("Give both latitude and longitude, or neither."),
                code="coordinates_pair",
            )

    @property
    def has_address(self) -> bool:
        return bool(self.address_1 or self.city or self.postal_code)

    @property
    def address_lines(self) -> list[str]:
        """The postal address as lines; callers must check ``is_confidential`` first."""
        locality = " ".join(
            part
            for part in (
                f"{self.city}," if self.city and self.state_province else self.city,
                self.state_province,
                self.postal_code,
            )
            if part
        )
        return [line for line in (self.address_1, self.address_2, locality) if line]


def service_time_zones() -> set[str]:
    """The time zones listings are in ("" stands for DIRECTORY_TIME_ZONE)."""
    return set(Service.objects.order_by("time_zone").values_list("time_zone", flat=True).distinct())


class ServiceQuerySet(models.QuerySet["Service"]):
    def public(self) -> "ServiceQuerySet":
        """Services residents may see: active or temporarily closed (shown with a badge)."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def stale(self, today: datetime.date | None = None) -> "ServiceQuerySet":
        """Not verified for over a year, or never."""
        cutoff = (today or timezone.localdate()) - STALE_AFTER
        return self.filter(Q(assured_date__isnull=True) | Q(assured_date__lt=cutoff))

    def open_now(
        self, at: datetime.datetime | None = None, time_zones: Iterable[str] | None = None
    ) -> "ServiceQuerySet":
        """Services open at the instant ``at`` (default now), each read in its own time
        zone; ``time_zones`` are the zones listings use (read from them when not given)."""
        if time_zones is None:
            time_zones = service_time_zones()
        condition = hours.open_services(OpenPeriod.objects.all(), at or timezone.now(), time_zones)
        return self.filter(condition).exclude(status=ServiceStatus.TEMPORARILY_CLOSED)


class Service(TimeStamped):
    hsds_id = _hsds_id_field()
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=250, unique=True)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    # The language the listing's own text (its name, description, who may use it, fees, how
    # to apply) is written in: a page in another language marks that text with lang="…", so
    # that a screen reader reads it with the right voice.
    content_language = models.CharField(
        _("language of the text"),
        max_length=35,
        default="en",
        validators=[LANGUAGE_CODE_VALIDATOR],
        help_text=_(
            "The language the name and description are written in, as a code: en, es, vi..."
        ),
    )
    url = models.URLField(_("web address"), max_length=500, blank=True)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ServiceStatus.choices,
        default=ServiceStatus.ACTIVE,
    )
    eligibility_description = models.TextField(_("who may use it"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    interpretation_services = models.TextField(_("interpretation services"), blank=True)
    wait_time = models.CharField(_("wait time"), max_length=250, blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(150)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(150)]
    )
    assured_date = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("When someone last checked this listing with the provider."),
    )
    last_modified = models.DateTimeField(_("last modified"), auto_now=True)
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("categories"),
        through="ServiceCategory",
        blank=True,
        related_name="services",
    )
    languages = models.ManyToManyField(
        Language,
        verbose_name=_("languages"),
        through="ServiceLanguage",
        blank=True,
        related_name="services",
    )
    locations = models.ManyToManyField(
        Location,
        verbose_name=_("locations"),
        through="ServiceAtLocation",
        blank=True,
        related_name="services",
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    # Kept up to date by search.refresh_search_vectors(); never edited by hand. The
    # tsvector is used on Postgres, the plain text by the simpler search on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # The names alone (weight A) and the facets, in the same GIN index as search_vector
    # (migration 0025): a broad search takes the
    # listings whose names match first, before ranking a bounded candidate set.
    name_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    # The time zone its hours are read in: its partner city's, else its first location's
    # ("" for DIRECTORY_TIME_ZONE). Also kept by search.refresh_search_vectors().
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, editable=False)
    # Where "near me" measures to: its first public location's position (by location, as the
    # result card's town and ZIP), kept by search.refresh_search_vectors() too; a GiST index
    # on it (migration 0014) lets Postgres read services nearest first.
    position_latitude = models.FloatField(_("position latitude"), null=True, editable=False)
    position_longitude = models.FloatField(_("position longitude"), null=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        indexes = [
            # A search without words lists services by name: with this index Postgres
            # reads them in that order and stops after the capped count, instead of
            # reading every row (at 200,000 services, "open now" 390 -> 90 ms and a
            # kind of organization 120 -> 10 ms).
            models.Index(fields=["name", "id"], name="service_name_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(minimum_age__isnull=True)
                    | Q(maximum_age__isnull=True)
                    | Q(minimum_age__lte=models.F("maximum_age"))
                ),
                name="service_minimum_age_not_above_maximum",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Service, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("directory:service_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.minimum_age > self.maximum_age
        ):
            raise ValidationError({"maximum_age": _("The maximum age is below the minimum.")})

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_temporarily_closed(self) -> bool:
        return self.status == ServiceStatus.TEMPORARILY_CLOSED

    def is_stale(self, today: datetime.date | None = None) -> bool:
        return is_stale(self.assured_date, today)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """The time zone its opening hours are read in."""
        return zoneinfo.ZoneInfo(self.time_zone or settings.DIRECTORY_TIME_ZONE)


class ServiceCategory(models.Model):
    """A service filed under a category (an HSDS attribute linking a taxonomy term)."""

    hsds_id = _hsds_id_field()
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    # Looked up by the index below, which begins with the category.
    category = models.ForeignKey(Category, on_delete=models.CASCADE, db_index=False)
    # The service's name, copied by search.refresh_search_vectors() (never edited by hand),
    # so that a category's listings are read in name order from the index below: see
    # search.results.in_category_name_order.
    service_name = models.CharField(max_length=250, default="", editable=False)

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "category"], name="service_category_unique_pair"
            )
        ]
        indexes = [
            models.Index(
                fields=["category", "service_name", "service"],
                name="service_category_name_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} · {self.category_id}"


class ServiceLanguage(models.Model):
    """A language a service is offered in (an HSDS language row)."""

    hsds_id = _hsds_id_field()
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    language = models.ForeignKey(Language, on_delete=models.CASCADE)
    note = models.CharField(_("note"), max_length=500, blank=True)

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("service language")
        verbose_name_plural = _("service languages")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "language"], name="service_language_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} · {self.language_id}"


class LocationLanguage(models.Model):
    hsds_id = _hsds_id_field()
    location = models.ForeignKey(Location, on_delete=models.CASCADE)
    language = models.ForeignKey(Language, on_delete=models.CASCADE)
    note = models.CharField(_("note"), max_length=500, blank=True)

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("location language")
        verbose_name_plural = _("location languages")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "language"], name="location_language_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_id} · {self.language_id}"


class ServiceAtLocation(models.Model):
    hsds_id = _hsds_id_field()
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(_("description"), blank=True)

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_at_location_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Phone(models.Model):
    hsds_id = _hsds_id_field()
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phones",
    )
    number = models.CharField(_("number"), max_length=50)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    type = models.CharField(
        _("type"), max_length=10, choices=PhoneType.choices, default=PhoneType.VOICE
    )
    description = models.CharField(_("description"), max_length=500, blank=True)

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.number} x{self.extension}" if self.extension else self.number

    @property
    def tel_href(self) -> str:
        return tel_href(self.number, self.extension)


class PhoneLanguage(models.Model):
    """A language a phone line answers in (an HSDS language row with ``phone_id``)."""

    hsds_id = _hsds_id_field()
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, related_name="language_links")
    language = models.ForeignKey(Language, on_delete=models.CASCADE)
    note = models.CharField(_("note"), max_length=500, blank=True)
    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("phone language")
        verbose_name_plural = _("phone languages")
        constraints = [
            models.UniqueConstraint(fields=["phone", "language"], name="phone_language_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.phone_id} · {self.language_id}"


def tel_href(number: str, extension: str = "") -> str:
    """A ``tel:`` URI: digits and a leading +, with the extension after a pause."""
    digits = "".join(ch for ch in number if ch in "+0123456789")
    if extension:
        digits += "," + "".join(ch for ch in extension if ch in "0123456789")
    return f"tel:{digits}"


class Schedule(models.Model):
    """Weekly opening hours (HSDS schedule with freq WEEKLY).

    ``closes_at`` at or before ``opens_at`` means the hours pass midnight into the next
    day (19:00-07:00); ``opens_at == closes_at`` (e.g. 00:00-00:00) means the whole day,
    and every day of the week with it is how 24/7 is written."""

    hsds_id = _hsds_id_field()
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    freq = models.CharField(_("frequency"), max_length=10, default="WEEKLY")
    byday = models.CharField(
        _("days"),
        max_length=40,
        blank=True,
        validators=[validate_byday],
        help_text=_("Weekday codes separated by commas: MO,TU,WE,TH,FR,SA,SU"),
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    hsds_extra = _hsds_extra_field()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(opens_at__isnull=False, closes_at__isnull=False),
                name="schedule_opens_and_closes_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at}-{self.closes_at}"

    def clean(self) -> None:
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Give both the opening and the closing time, or neither."))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})

    @property
    def days(self) -> list[str]:
        """The weekday codes these hours apply to; no days given means every day."""
        return hours.days_of(self.byday)

    @property
    def is_all_day(self) -> bool:
        return self.opens_at is not None and self.opens_at == self.closes_at

    @property
    def passes_midnight(self) -> bool:
        return (
            self.opens_at is not None
            and self.closes_at is not None
            and self.closes_at < self.opens_at
        )

    def is_open_at(self, local: datetime.datetime) -> bool:
        """Whether these hours cover the local wall-clock time ``local``."""
        return hours.is_open_at(self, local)


class OpenPeriod(models.Model):
    """A weekday and the hours of it in which a schedule row says its service is open, in
    the service's local time: it ``opens`` and ``closes`` so many seconds after midnight,
    the closing second excluded (``hours.daily_periods``). The "open now" search reads
    these rather than the schedules (``hours.open_services``), and the hours of the week
    they touch are facets of the service's ``name_vector`` on Postgres.

    Never edited by hand: saving a schedule row refreshes its service's periods and search
    columns (a signal, see apps.py), and ``search.refresh_search_vectors()`` rewrites those
    of the services it refreshes (imports create schedules in bulk, without signals)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="+")
    # Indexed with the weekday (below): a listing's periods of one day.
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    weekday = models.PositiveSmallIntegerField()  # Monday is 0
    opens = models.PositiveIntegerField()
    closes = models.PositiveIntegerField()
    valid_from = models.DateField(null=True)
    valid_to = models.DateField(null=True)

    class Meta:
        ordering = ["service", "weekday", "opens"]
        # Whether a listing is open now, probed by listing and day (hours.open_services).
        indexes = [
            models.Index(fields=["service", "weekday"], name="openperiod_service_day"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.weekday} {self.opens}-{self.closes}"


class Synonym(models.Model):
    """Words people say mapped to the words agencies write: "food stamps" -> "SNAP"."""

    term = models.CharField(
        _("what people type"),
        max_length=200,
        unique=True,
        help_text=_("A word or phrase, e.g. food stamps"),
    )
    expands_to = models.CharField(
        _("also search for"),
        max_length=300,
        help_text=_("The word or phrase listings use, e.g. SNAP"),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        blank=True,
        choices=[("en", _("English")), ("es", _("Spanish"))],
        help_text=_("The language of what people type, for filtering this list"),
    )
    topic = models.CharField(
        _("topic"),
        max_length=40,
        blank=True,
        help_text=_("The kind of need, for filtering this list, e.g. food or housing"),
    )

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.expands_to}"

    def save(self, *args, **kwargs) -> None:
        self.term = " ".join(self.term.lower().split())
        super().save(*args, **kwargs)


class SearchWord(models.Model):
    """Every word the directory's names, categories and descriptions use, lower-cased and
    without accents: the vocabulary a misspelled query word is corrected against
    (a trigram index on Postgres). Filled by search.refresh_search_vectors()."""

    word = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word


class SuggestionKind(models.TextChoices):
    NEW_LISTING = "new", _("Suggest a new listing")
    PROBLEM = "problem", _("Report a problem with a listing")


class SuggestionStatus(models.TextChoices):
    """Where a resident's suggestion or report stands; the reporter sees it on its page."""

    NEW = "new", _("Received")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Fixed")
    REJECTED = "rejected", _("Declined")


CLOSED_SUGGESTION_STATUSES = (SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED)

# A report's reference: 10 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
# about 49 bits: it opens the report's status page, so it must not be guessable.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_suggestion_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _index in range(10))


class SuggestionQuerySet(models.QuerySet["Suggestion"]):
    def pending(self) -> "SuggestionQuerySet":
        return self.filter(status=SuggestionStatus.NEW)

    def contacts_to_forget(self, now: datetime.datetime) -> "SuggestionQuerySet":
        """Closed reports that still hold a name or email 90 days after they closed."""
        return self.filter(closed_at__lt=now - datetime.timedelta(days=90)).exclude(
            contact_email="", contact_name=""
        )


class Suggestion(models.Model):
    kind = models.CharField(
        _("kind"), max_length=10, choices=SuggestionKind.choices, default=SuggestionKind.PROBLEM
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    message = models.TextField(_("message"), max_length=5000)
    contact_name = models.CharField(_("your name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("your email"), blank=True)
    notify = models.BooleanField(
        _("email the sender when its status changes"),
        default=False,
        help_text=_(
            "The sender asked for it; their name and email are deleted 90 days after "
            "the report is closed."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the sender wrote from; emails to them are written in it."),
    )
    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_suggestion_reference, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.NEW,
        db_index=True,
    )
    public_reply = models.TextField(
        _("public reply"),
        max_length=2000,
        blank=True,
        help_text=_(
            "Shown on the report's status page (and in the email to the sender, if "
            "they asked for one). Never include the sender's name or address."
        ),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    ip_hash = models.CharField(
        _("sender fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the sender's IP address; the address itself is not kept."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("directory:report_status", kwargs={"reference": self.reference})

    @property
    def listing(self) -> Service | Organization | None:
        return self.service or self.organization


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Importing")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Nothing imported")


# Imports this recent that skipped rows or failed are on the admin's to-do list.
IMPORTS_TO_LOOK_AT_DAYS = 30


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def to_look_at(self, now: datetime.datetime | None = None) -> "ImportJobQuerySet":
        """Imports of the last IMPORTS_TO_LOOK_AT_DAYS days that skipped rows or failed."""
        since = (now or timezone.now()) - datetime.timedelta(days=IMPORTS_TO_LOOK_AT_DAYS)
        return self.filter(Q(status=ImportStatus.FAILED) | Q(skipped__gt=0), created_at__gte=since)


class ImportJob(models.Model):
    """An HSDS package uploaded in the admin and imported in the background by the task
    queue (``directory.imports``): its progress while it runs, then its report, kept.

    The package itself is kept in the row until the import ends (any app server's worker
    can read it there), then dropped."""

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=250)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    package = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # While it runs: the step it is on ("services", of ``steps``) and the rows read so far
    # of each table ({"services": 40000, ...}).
    step = models.CharField(max_length=50, blank=True)
    step_number = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=0)
    rows_read = models.JSONField(default=dict)
    # When it ends: ImportReport.as_data() (counts per table, skipped rows with file, line
    # and reason), or why nothing was imported.
    report = models.JSONField(null=True)
    skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True)
    heard_from_at = models.DateTimeField(null=True)  # the worker's last word on it
    finished_at = models.DateTimeField(null=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("HSDS import")
        verbose_name_plural = _("HSDS imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status in (ImportStatus.FINISHED, ImportStatus.FAILED)

    def is_stalled(self, now: datetime.datetime | None = None) -> bool:
        """Running, but not heard from for IMPORT_STALLED_AFTER_SECONDS: its worker died
        (the import is one transaction, so nothing of it was kept)."""
        if self.status != ImportStatus.RUNNING:
            return False
        last = self.heard_from_at or self.started_at or self.created_at
        limit = datetime.timedelta(seconds=settings.IMPORT_STALLED_AFTER_SECONDS)
        return (now or timezone.now()) - last > limit


def schedules_that_apply(service: "Service", link_ids: list[int]) -> models.QuerySet:
    """Every schedule a listing's public page reads: the service's own and those of its
    service at locations (``link_ids``, already loaded; ids, not a join, so that Postgres
    combines the two indexes). The admin's "hours residents see" panel reads the same."""
    return Schedule.objects.filter(
        Q(service=service) | Q(service_at_location__in=link_ids)
    ).order_by("pk")


class UnmetSearch(models.Model):
    """Searches that found nothing or almost nothing, counted by need, ZIP code and week.

    One row per (week, need, ZIP): a search adds one to its row (directory/unmet.py), so the
    log holds counts, never a search's own record: no address, no account, no time of day,
    and the words with their numbers and email-like text taken out."""

    week = models.DateField(_("week of"), help_text=_("The Monday the week began."))
    need = models.CharField(_("what people searched for"), max_length=100)
    zip = models.CharField(_("ZIP code"), max_length=5, blank=True)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    found_nothing = models.PositiveIntegerField(_("of which found nothing"), default=0)

    class Meta:
        verbose_name = _("unmet need")
        verbose_name_plural = _("unmet needs")
        ordering = ["-week", "-searches"]
        constraints = [
            models.UniqueConstraint(fields=["week", "need", "zip"], name="unmetsearch_one_row"),
        ]
        indexes = [models.Index(fields=["week", "need"], name="unmetsearch_week_need")]

    def __str__(self) -> str:
        return f"{self.need} ({self.zip or '—'}, {self.week:%Y-%m-%d}): {self.searches}"


def _new_uuid() -> str:
    return str(uuid.uuid4())


class ChangeAction(models.TextChoices):
    """HSDS metadata's last_action_type, as this portal writes it."""

    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    VERIFY = "verify", _("checked")


class ChangeSource(models.TextChoices):
    """Who made a change, as the public export and page may say it: a role, never a name."""

    ADMIN = "admin", _("an administrator")
    IMPORT = "import", _("an HSDS import")
    PROVIDER = "provider", _("the provider")


class Metadata(models.Model):
    """A listing's change log, as HSDS 3.0's own ``metadata`` table: one row per field changed
    (resource, field, previous and new value, when, what kind of change, by whom). Written by
    directory.changelog for every admin edit, import update and provider confirmation; the
    export and the API carry it. ``updated_by`` is a role (ChangeSource), so a published
    export names no one; ``actor`` keeps the account for the admin alone."""

    hsds_id = models.CharField(_("HSDS id"), max_length=36, unique=True, default=_new_uuid)
    resource_id = models.CharField(_("resource id"), max_length=250)
    resource_type = models.CharField(_("resource type"), max_length=40)
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_log",
        verbose_name=_("service"),
    )
    last_action_date = models.DateTimeField(_("when"), default=timezone.now)
    last_action_type = models.CharField(
        _("what kind of change"), max_length=10, choices=ChangeAction.choices
    )
    field_name = models.CharField(_("field"), max_length=100)
    previous_value = models.TextField(_("previous value"), blank=True)
    replacement_value = models.TextField(_("new value"), blank=True)
    updated_by = models.CharField(_("by"), max_length=10, choices=ChangeSource.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["-last_action_date", "-pk"]
        indexes = [
            models.Index(fields=["service", "-last_action_date"], name="metadata_service_latest")
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.resource_id}: {self.field_name}"


# Provider re-verification (directory/verification.py) -------------------------------------


class VerificationRequestQuerySet(models.QuerySet["VerificationRequest"]):
    def unused(self) -> "VerificationRequestQuerySet":
        return self.filter(used_at__isnull=True)


class VerificationRequest(models.Model):
    """One email asking a listing's provider to check it, with its own link: the first of a
    round (``reminder`` 0) or a reminder (1, 2). Only the SHA-256 hash of the link's random
    token is kept, so that a copy of the database opens no listing; the row ties the token to
    exactly one service. Using any link of a listing uses up all of its open links."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="verification_requests",
        verbose_name=_("service"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # When the round this email belongs to began (its first email's sent_at).
    round_started_at = models.DateTimeField(_("round started at"))
    reminder = models.PositiveSmallIntegerField(_("reminder"), default=0)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    objects = VerificationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["service", "-sent_at"], name="verification_service_latest")]

    def __str__(self) -> str:
        return f"{self.service} ({self.sent_at:%Y-%m-%d})"


class ProposedChangeStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


class ProposedChangeQuerySet(models.QuerySet["ProposedChange"]):
    def pending(self) -> "ProposedChangeQuerySet":
        return self.filter(status=ProposedChangeStatus.PENDING)


class ProposedChange(models.Model):
    """A new value a provider proposed for one field of their listing, from a verification
    link; an admin approves (the listing changes, and the change log says "the provider") or
    declines it."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="proposed_changes",
        verbose_name=_("service"),
    )
    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_changes",
        verbose_name=_("verification request"),
    )
    field_name = models.CharField(_("field"), max_length=30)
    current_value = models.TextField(_("current value"), blank=True)
    proposed_value = models.TextField(_("proposed value"), blank=True)
    provider_note = models.TextField(_("provider's note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposedChangeStatus.choices,
        default=ProposedChangeStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = ProposedChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change proposed by a provider")
        verbose_name_plural = _("changes proposed by providers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service}: {self.field_name}"


# HSDS rows the portal keeps without modelling them (directory/hsds/records.py) -------------


class HsdsRecord(models.Model):
    """One row of an HSDS package that no other model holds, kept as given to be exported
    again: a row of a table the portal does not model (contacts, programs, fundings, cost
    options, service areas, required documents, organization identifiers, taxonomies,
    meta_table_descriptions, another system's metadata, attributes), and a valid row of a
    modelled table that the portal cannot use (a second address or accessibility row of a
    location, a monthly schedule, a link to a row not in the package).

    One model with the row as JSON, rather than one model per table, because the portal
    reads none of these rows: it only keeps them and writes them back. The links to the
    organization, service and location the row belongs to are real foreign keys, so that
    deleting one of those deletes its rows here too."""

    table = models.CharField(_("HSDS table"), max_length=40)
    hsds_id = models.CharField(_("HSDS id"), max_length=250)
    data = models.JSONField(_("the row's cells"), default=dict)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("other HSDS row")
        verbose_name_plural = _("other HSDS rows")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["table", "hsds_id"], name="hsds_record_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.hsds_id}"
