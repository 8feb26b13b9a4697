"""The linked adult and youth compassion curriculum.

The lessons themselves live at their providers; the portal links them, joins each adult
lesson to its youth counterparts theme by theme, and keeps each person's private progress.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compacts.plan import PlanStep


class Audience(models.TextChoices):
    ADULT = "adult", _("Adults")
    YOUTH = "youth", _("Young people")


class GradeBand(models.TextChoices):
    EARLY_ELEMENTARY = "early_elementary", _("Early elementary")
    LATE_ELEMENTARY = "late_elementary", _("Late elementary")
    MIDDLE_SCHOOL = "middle_school", _("Middle school")
    HIGH_SCHOOL = "high_school", _("High school")


class LinkKind(models.TextChoices):
    """What kind of page at the provider a course's or lesson's link opens."""

    LESSON = "lesson", _("The lesson's own page")
    COURSE = "course", _("The course's page")
    CATALOGUE = "catalogue", _("The provider's catalogue or home page")


COURSE_LINK_KINDS = [
    (LinkKind.COURSE, LinkKind.COURSE.label),
    (LinkKind.CATALOGUE, LinkKind.CATALOGUE.label),
]


@dataclass(frozen=True)
class ExternalLink:
    """Where "open this lesson" goes, and what kind of page that is, for its wording."""

    url: str
    kind: str

    @property
    def is_catalogue(self) -> bool:
        return self.kind == LinkKind.CATALOGUE


class ResourceAudience(models.TextChoices):
    COMMUNITY = "community", _("Community leaders and organisers")
    ADULT = "adult", _("Adults")
    YOUTH = "youth", _("Young people and educators")


class Provider(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    website = models.URLField(_("website"), blank=True)
    offers = models.TextField(_("what it offers"), blank=True)
    cost = models.CharField(
        _("cost"), max_length=120, blank=True, help_text=_("For example: free. Blank if unknown.")
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("curriculum:theme_detail", kwargs={"slug": self.slug})


class CourseQuerySet(models.QuerySet["Course"]):
    def for_audience(self, audience: str) -> "CourseQuerySet":
        return self.filter(audience=audience)

    def with_lessons(self) -> "CourseQuerySet":
        """Courses with at least one lesson: the only ones listed to visitors."""
        return self.filter(Exists(Lesson.objects.filter(course=OuterRef("pk"))))

    def with_lesson_totals(self) -> "CourseQuerySet":
        return self.annotate(lesson_total=Count("lessons", distinct=True))

    def with_progress_for(self, user) -> "CourseQuerySet":
        """Annotate lesson_total and done_total (the lessons this user completed)."""
        return self.annotate(
            lesson_total=Count("lessons", distinct=True),
            done_total=Count(
                "lessons__completions",
                filter=Q(lessons__completions__user=user),
                distinct=True,
            ),
        )


class Course(models.Model):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="courses", verbose_name=_("provider")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    grade_band = models.CharField(
        _("grade band"),
        max_length=20,
        choices=GradeBand.choices,
        blank=True,
        help_text=_("Youth courses only."),
    )
    link = models.URLField(_("link"), blank=True, help_text=_("The course page at its provider."))
    link_kind = models.CharField(
        _("the link opens"),
        max_length=10,
        choices=COURSE_LINK_KINDS,
        default=LinkKind.COURSE,
        help_text=_(
            "Choose the catalogue when the link opens the provider's catalogue or home page "
            "rather than this course: visitors are told so."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(
        _("format"), max_length=150, blank=True, help_text=_("For example: online, self-paced.")
    )
    length = models.CharField(
        _("length"), max_length=120, blank=True, help_text=_("As the provider states it.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(audience="adult") & Q(grade_band=""))
                | (Q(audience="youth") & ~Q(grade_band="")),
                name="course_grade_band_only_for_youth",
            ),
            models.CheckConstraint(
                condition=Q(link_kind__in=[LinkKind.COURSE, LinkKind.CATALOGUE]),
                name="course_link_kind_course_or_catalogue",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("curriculum:course_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.audience == Audience.ADULT and self.grade_band:
            raise ValidationError({"grade_band": _("Adult courses have no grade band.")})
        if self.audience == Audience.YOUTH and not self.grade_band:
            raise ValidationError({"grade_band": _("Choose the grade band of a youth course.")})
        if self.pk and self.audience:
            # Changing the audience would leave counterpart links joining one audience to itself.
            clash = Lesson.objects.filter(
                course=self, counterparts__course__audience=self.audience
            ).exists()
            if clash:
                raise ValidationError(
                    {
                        "audience": _(
                            "Some lessons of this course are linked to counterparts for this "
                            "audience. Remove those links before changing the audience."
                        )
                    }
                )


class LessonQuerySet(models.QuerySet["Lesson"]):
    def for_audience(self, audience: str) -> "LessonQuerySet":
        return self.filter(course__audience=audience)

    def with_course(self) -> "LessonQuerySet":
        return self.select_related("course__provider")

    def in_reading_order(self) -> "LessonQuerySet":
        return self.order_by(
            "course__audience", "course__position", "course__title", "course_id", "position"
        )


class Lesson(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("course")
    )
    position = models.PositiveSmallIntegerField(_("order within the course"))
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    # The language the title and summary are written in: a page in another language marks
    # them with lang="…", so that a screen reader reads them with the right voice.
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
        help_text=_("The language the title and summary are written in, as a code: en, es..."),
    )
    link = models.URLField(
        _("link"),
        blank=True,
        help_text=_("The lesson at its provider. Blank: the course's link is used."),
    )
    link_kind = models.CharField(
        _("the link opens"),
        max_length=10,
        choices=LinkKind.choices,
        default=LinkKind.LESSON,
        help_text=_(
            "What kind of page the link above opens; visitors are told when it is not the "
            "lesson itself."
        ),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"), null=True, blank=True, help_text=_("Blank if not stated.")
    )
    themes = models.ManyToManyField(
        Theme, related_name="lessons", blank=True, verbose_name=_("themes")
    )
    # Symmetric: linking A to B links B to A. Only an adult lesson and a youth lesson may be
    # joined; curriculum.services.lesson_counterparts_set and the admin form enforce that.
    counterparts = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        verbose_name=_("counterparts for the other audience"),
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["course_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="lesson_unique_position_in_course"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("curriculum:lesson_detail", kwargs={"slug": self.slug})

    @property
    def audience(self) -> str:
        return self.course.audience

    @property
    def external_link(self) -> ExternalLink | None:
        """The lesson's own link, else its course's, else the provider's website (a catalogue)."""
        if self.link:
            return ExternalLink(self.link, self.link_kind)
        if self.course.link:
            return ExternalLink(self.course.link, self.course.link_kind)
        if self.course.provider.website:
            return ExternalLink(self.course.provider.website, LinkKind.CATALOGUE)
        return None

    @property
    def external_url(self) -> str:
        link = self.external_link
        return link.url if link else ""


def validate_counterparts(lesson_audience: str, counterparts) -> None:
    """Counterparts must all be for the other audience (adult <-> youth)."""
    same = [lesson for lesson in counterparts if lesson.course.audience == lesson_audience]
    if same:
        raise ValidationError(
            _(
                "A counterpart must be a lesson for the other audience (adult with youth): "
                "%(titles)s."
            ),
            params={"titles": ", ".join(str(lesson) for lesson in same)},
            code="same_audience",
        )


class LessonSupport(models.Model):
    """A lesson tagged with one step of a city's plan or one compact commitment it supports.

    Exactly one of ``step`` and ``commitment`` is set (a check constraint), and a lesson names
    each step or commitment once. The city plan reads these through curriculum.support.
    """

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="supports", verbose_name=_("lesson")
    )
    step = models.CharField(
        _("step of the plan"), max_length=20, choices=PlanStep.choices, blank=True
    )
    commitment = models.ForeignKey(
        "compacts.Commitment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lesson_supports",
        verbose_name=_("compact commitment"),
    )

    class Meta:
        verbose_name = _("plan step or commitment the lesson supports")
        verbose_name_plural = _("plan steps and commitments the lesson supports")
        ordering = ["lesson", "step", "commitment"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(step="") & Q(commitment__isnull=False))
                | (~Q(step="") & Q(commitment__isnull=True)),
                name="lesson_support_step_or_commitment",
                violation_error_message=_(
                    "Choose either a step of the plan or a compact commitment, not both and "
                    "not neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["lesson", "step"],
                condition=~Q(step=""),
                name="lesson_support_unique_step",
                violation_error_message=_("This lesson already supports that step."),
            ),
            models.UniqueConstraint(
                fields=["lesson", "commitment"],
                condition=Q(commitment__isnull=False),
                name="lesson_support_unique_commitment",
                violation_error_message=_("This lesson already supports that commitment."),
            ),
        ]

    def __str__(self) -> str:
        supported = self.get_step_display() if self.step else str(self.commitment)
        return f"{self.lesson} · {supported}"

    @property
    def key(self) -> tuple[str, str | int]:
        """The plan item this support belongs to, as curriculum.support keys it."""
        return ("step", self.step) if self.step else ("commitment", self.commitment_id)


class LessonCompletionQuerySet(models.QuerySet["LessonCompletion"]):
    def for_user(self, user) -> "LessonCompletionQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def since(self, moment: datetime.datetime) -> "LessonCompletionQuerySet":
        return self.filter(completed_at__gte=moment)

    def this_month(self) -> "LessonCompletionQuerySet":
        return self.since(start_of_this_month())


def start_of_this_month() -> datetime.datetime:
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def curriculum_totals() -> dict[str, int]:
    """{"lessons", "courses", "completed_this_month"} in one query: every lesson, the courses
    that have lessons (the ones listed anywhere), and this month's completions."""
    return Lesson.objects.aggregate(
        lessons=Count("pk", distinct=True),
        courses=Count("course", distinct=True),
        completed_this_month=Count(
            "completions",
            filter=Q(completions__completed_at__gte=start_of_this_month()),
            distinct=True,
        ),
    )


class LessonCompletion(models.Model):
    """A person's record of finishing a lesson; the note is theirs alone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="completions", verbose_name=_("lesson")
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)
    note = models.TextField(
        _("private reflection note"),
        blank=True,
        max_length=4000,
        help_text=_("Only you can see this note."),
    )

    objects = LessonCompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="completion_unique_user_lesson")
        ]
        indexes = [models.Index(fields=["completed_at"], name="completion_completed_at")]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson}"


class Resource(models.Model):
    """A toolkit or community model that a city can follow."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("provider"),
    )
    link = models.URLField(_("link"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    audience = models.CharField(
        _("audience"),
        max_length=10,
        choices=ResourceAudience.choices,
        default=ResourceAudience.COMMUNITY,
    )

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def external_url(self) -> str:
        return self.link or self.provider.website
