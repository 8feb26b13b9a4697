"""Curriculum pages: themes, courses and lessons, a person's progress, marking lessons done."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compacts.plan import PlanStep

from . import services
from .filters import LessonFilter
from .forms import CompletionForm
from .models import (
    Audience,
    Course,
    Lesson,
    LessonCompletion,
    LessonQuerySet,
    LessonSupport,
    Resource,
    Theme,
)


@dataclass(frozen=True)
class PairRow:
    """One row of a theme: an adult lesson with the youth lessons it links, or a youth lesson
    that no adult lesson shown beside it links (``adult`` is None)."""

    adult: Lesson | None
    youth: list[Lesson]

    @property
    def adult_lessons(self) -> list[Lesson]:
        return [self.adult] if self.adult else []


@dataclass
class ThemeSection:
    """One theme's lessons, paired across audiences only where the lessons themselves link."""

    theme: Theme
    adult: list[Lesson] = field(default_factory=list)
    youth: list[Lesson] = field(default_factory=list)
    rows: list[PairRow] = field(default_factory=list)

    @classmethod
    def from_lessons(
        cls, theme: Theme, lessons: Iterable[Lesson], links: dict[int, set[int]]
    ) -> "ThemeSection":
        """``links`` maps a lesson's id to its counterparts' ids (see _counterpart_links)."""
        section = cls(theme)
        for lesson in lessons:
            (section.adult if lesson.course.audience == Audience.ADULT else section.youth).append(
                lesson
            )
        paired: set[int] = set()
        for adult in section.adult:
            linked = [youth for youth in section.youth if youth.pk in links.get(adult.pk, ())]
            paired.update(youth.pk for youth in linked)
            section.rows.append(PairRow(adult, linked))
        section.rows += [
            PairRow(None, [youth]) for youth in section.youth if youth.pk not in paired
        ]
        return section

    @property
    def pairs(self) -> list[tuple[Lesson, Lesson]]:
        """Every (adult, youth) pairing the section shows."""
        return [(row.adult, youth) for row in self.rows if row.adult for youth in row.youth]

    @property
    def is_empty(self) -> bool:
        return not (self.adult or self.youth)


def _counterpart_links(lessons: QuerySet) -> dict[int, set[int]]:
    """Each of these lessons' counterpart ids, in one query on the link table alone."""
    rows = Lesson.counterparts.through.objects.filter(from_lesson__in=lessons).values_list(
        "from_lesson_id", "to_lesson_id"
    )
    links: dict[int, set[int]] = defaultdict(set)
    for from_id, to_id in rows:
        links[from_id].add(to_id)
    return links


def _completed_lesson_ids(user, lessons: QuerySet | None = None) -> set[int]:
    completions = LessonCompletion.objects.for_user(user)
    if lessons is not None:
        completions = completions.filter(lesson__in=lessons)
    return set(completions.order_by().values_list("lesson_id", flat=True))


def _get_completion_for_user(user, lesson: Lesson) -> LessonCompletion | None:
    """The signed-in person's own completion of ``lesson``; nobody else's is ever returned."""
    return LessonCompletion.objects.for_user(user).filter(lesson=lesson).first()


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    lesson_filter = LessonFilter(request.GET or None, queryset=Lesson.objects.all())
    unknown_values = lesson_filter.is_bound and not lesson_filter.is_valid()
    matching = Lesson.objects.none() if unknown_values else lesson_filter.qs

    themes = Theme.objects.prefetch_related(
        Prefetch(
            "lessons",
            # A subquery keeps the filter's own theme join apart from the prefetch's join.
            queryset=Lesson.objects.filter(pk__in=matching.values("pk"))
            .with_course()
            .in_reading_order(),
            to_attr="shown_lessons",
        )
    )
    chosen_theme = lesson_filter.form.cleaned_data.get("theme") if lesson_filter.is_bound else None
    if chosen_theme and not unknown_values:
        themes = themes.filter(pk=chosen_theme.pk)
    links = _counterpart_links(matching.values("pk"))
    sections = [ThemeSection.from_lessons(theme, theme.shown_lessons, links) for theme in themes]
    if lesson_filter.is_active or unknown_values:
        sections = [section for section in sections if not section.is_empty]

    return render(
        request,
        "curriculum/index.html",
        {
            "filter": lesson_filter,
            "form": lesson_filter.form,
            "unknown_values": unknown_values,
            "sections": sections,
            "courses": Course.objects.select_related("provider")
            .with_lessons()
            .with_lesson_totals(),
            "completed_ids": _completed_lesson_ids(request.user),
        },
    )


@require_safe
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    lessons = theme.lessons.with_course().in_reading_order()
    return render(
        request,
        "curriculum/theme_detail.html",
        {
            "theme": theme,
            "section": ThemeSection.from_lessons(
                theme, lessons, _counterpart_links(theme.lessons.values("pk"))
            ),
            "completed_ids": _completed_lesson_ids(request.user),
        },
    )


@require_safe
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("provider"), slug=slug)
    lessons = list(course.lessons.order_by("position"))
    completed_ids = _completed_lesson_ids(request.user, lessons=course.lessons.all())
    return render(
        request,
        "curriculum/course_detail.html",
        {
            "course": course,
            "lessons": lessons,
            "completed_ids": completed_ids,
            "done_total": len(completed_ids),
        },
    )


def _render_lesson(
    request: HttpRequest, lesson: Lesson, form: CompletionForm | None = None, status: int = 200
) -> HttpResponse:
    siblings = Lesson.objects.filter(course_id=lesson.course_id).only("slug", "title", "position")
    completion = _get_completion_for_user(request.user, lesson)
    supports = list(lesson.supports.all())
    step_order = list(PlanStep.values)
    if form is None:
        form = CompletionForm(initial={"note": completion.note if completion else ""})
    return render(
        request,
        "curriculum/lesson_detail.html",
        {
            "lesson": lesson,
            "course": lesson.course,
            "provider": lesson.course.provider,
            "previous_lesson": siblings.filter(position__lt=lesson.position)
            .order_by("-position")
            .first(),
            "next_lesson": siblings.filter(position__gt=lesson.position)
            .order_by("position")
            .first(),
            "completion": completion,
            "form": form,
            "supported_steps": [
                PlanStep(step).label
                for step in sorted(
                    (support.step for support in supports if support.step), key=step_order.index
                )
            ],
            "supported_commitments": [
                support.commitment for support in supports if support.commitment_id
            ],
        },
        status=status,
    )


def _lesson_queryset() -> LessonQuerySet:
    return Lesson.objects.with_course().prefetch_related(
        "themes",
        Prefetch("counterparts", queryset=Lesson.objects.with_course().in_reading_order()),
        Prefetch(
            "supports",
            queryset=LessonSupport.objects.select_related("commitment__compact").order_by(
                "commitment__compact__title", "commitment__position"
            ),
        ),
    )


@require_safe
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_lesson(request, get_object_or_404(_lesson_queryset(), slug=slug))


@login_required
@require_POST
def lesson_mark_done(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson, slug=slug)
    form = CompletionForm(request.POST)
    if not form.is_valid():
        return _render_lesson(
            request, get_object_or_404(_lesson_queryset(), pk=lesson.pk), form, status=400
        )
    # A form without the note field (the plain button) must not wipe an earlier note.
    note = form.cleaned_data["note"] if "note" in request.POST else None
    services.completion_mark_done(request.user, lesson, note=note)
    messages.success(request, _("“%(title)s” is marked as done.") % {"title": lesson.title})
    return redirect(lesson)


@login_required
@require_POST
def lesson_undo(request: HttpRequest, slug: str) -> HttpResponseRedirect:
    lesson = get_object_or_404(Lesson, slug=slug)
    if services.completion_undo(request.user, lesson):
        messages.success(
            request, _("“%(title)s” is no longer marked as done.") % {"title": lesson.title}
        )
    else:
        messages.info(request, _("“%(title)s” was not marked as done.") % {"title": lesson.title})
    return redirect(lesson)


@login_required
@require_safe
def progress(request: HttpRequest) -> HttpResponse:
    courses = list(
        Course.objects.select_related("provider").with_lessons().with_progress_for(request.user)
    )
    completions = (
        LessonCompletion.objects.for_user(request.user)
        .select_related("lesson__course")
        .order_by("-completed_at")
    )
    return render(
        request,
        "curriculum/progress.html",
        {
            "courses": courses,
            "completions": completions,
            "done_total": sum(course.done_total for course in courses),
            "lesson_total": sum(course.lesson_total for course in courses),
        },
    )


@require_safe
def community_models(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "curriculum/community_models.html",
        {"resources": Resource.objects.select_related("provider")},
    )
