"""Demo content for the curriculum, loaded by ``python manage.py load_demo``.

Unlike the fictional cities, this content names real providers, so it keeps to facts from the
Mayors' Starter Guide (see DESIGN.md). Where a real lesson title is not known, the lesson is
called "Lesson N: <its theme>" and summarised in this project's own words. Every row is keyed
by its slug, so a second run changes nothing.
"""

from django.db.models import Model

from compacts.models import Commitment
from compacts.plan import PlanStep

from .models import (
    Audience,
    Course,
    GradeBand,
    Lesson,
    LessonSupport,
    LinkKind,
    Provider,
    Resource,
    Theme,
)
from .services import lesson_counterparts_set, lesson_supports_set

PROVIDERS = {
    "compassionateusa": {
        "name": "CompassionateUSA",
        "website": "https://www.compassionateusa.org",
        "offers": "A micro-course on compassion for adults, on Coursera.",
        "cost": "Free",
    },
    "see-learning": {
        "name": "SEE Learning (Emory University)",
        "website": "https://seelearning.emory.edu",
        "offers": (
            "Social, Emotional and Ethical Learning, “Educating the Heart and Mind”: lessons for "
            "young people on awareness, compassion and engagement, across personal, social and "
            "systems domains, from early elementary to high school."
        ),
        "cost": "",
    },
    "ku-community-tool-box": {
        "name": "University of Kansas Community Tool Box",
        "website": "https://ctb.ku.edu",
        "offers": "Guides to community building and organising.",
        "cost": "",
    },
    "compassionatesa": {
        "name": "CompassionateSA",
        "website": "",
        "offers": "A neighbourhood toolkit from San Antonio's compassion movement.",
        "cost": "",
    },
    "charter-for-compassion": {
        "name": "Charter for Compassion",
        "website": "https://charterforcompassion.org",
        "offers": "The international Charter for Compassion and its Tool Box.",
        "cost": "",
    },
}

# slug: (name, summary in this project's words)
THEMES = {
    "engaging-systems": (
        "Engaging systems",
        "Seeing how policies, institutions and habits shape people's lives, and working to "
        "change them together.",
    ),
    "healing-shared-trauma": (
        "Healing shared trauma",
        "Recognising the hurt a community carries in common and making room to recover from it.",
    ),
    "celebrating-differences": (
        "Celebrating differences",
        "Meeting people unlike ourselves with curiosity and respect rather than suspicion.",
    ),
    "skills-that-reduce-harm": (
        "Skills that reduce harm",
        "Practical ways to calm conflict, repair damage and keep people safe.",
    ),
    "inner-calm-and-mindful-interaction": (
        "Inner calm and mindful interaction",
        "Steadying our own attention and reactions so that we listen and respond with care.",
    ),
    "self-compassion": (
        "Self-compassion",
        "Treating ourselves with the kindness we offer others, so that the work can last.",
    ),
}

ADULT_COURSE = "compassionateusa-micro-course"
MIDDLE_SCHOOL_COURSE = "see-learning-middle-school"

# The adult course's lessons, one per theme; real lesson titles are not known here.
ADULT_LESSONS = [
    ("engaging-systems", "How the systems around us shape who gets care, and how to engage them."),
    (
        "healing-shared-trauma",
        "What a community can do when many of its people carry the same hurt.",
    ),
    ("celebrating-differences", "Practising curiosity and respect across lines of difference."),
    ("skills-that-reduce-harm", "Everyday skills for easing conflict and preventing harm."),
    (
        "inner-calm-and-mindful-interaction",
        "Finding calm before responding, and bringing that calm into conversations.",
    ),
    ("self-compassion", "Extending kindness to yourself so that compassion for others can last."),
]

# The SEE Learning middle-school chapters (titles as published), with the theme each one
# is matched to here and, where there is one, the adult lesson it is the counterpart of.
MIDDLE_SCHOOL_CHAPTERS = [
    (
        "Creating a Compassionate Classroom",
        "Students agree together how a kind, safe class works.",
        "engaging-systems",
        False,
    ),
    (
        "Building Resilience",
        "Students learn how body and mind respond to stress and how to recover from it.",
        "healing-shared-trauma",
        True,
    ),
    (
        "Strengthening Attention and Self-Awareness",
        "Students practise focusing attention and noticing what goes on inside them.",
        "inner-calm-and-mindful-interaction",
        True,
    ),
    (
        "Navigating Emotions",
        "Students learn to recognise emotions and to choose how to act on them.",
        "skills-that-reduce-harm",
        True,
    ),
    (
        "Learning About and From One Another",
        "Students explore what they share with others and what makes each person different.",
        "celebrating-differences",
        True,
    ),
    (
        "Compassion for Self and Others",
        "Students practise kindness towards themselves and towards the people around them.",
        "self-compassion",
        True,
    ),
    (
        "We're All in This Together",
        "Students look at how people and communities depend on one another, and act on it.",
        "engaging-systems",
        True,
    ),
]

# What each lesson supports in a city's plan: every adult lesson is part of the guide's "study
# and exercise compassion" step and every SEE Learning chapter of "create curriculum for local
# school districts"; a few also serve another step or a commitment of a demo compact, named by
# (compact slug, position) and skipped when the compacts' demo is not loaded.
ADULT_LESSON_SUPPORTS = {
    "engaging-systems": ([PlanStep.ANALYZE_POLICIES], [("racial-equity", 1)]),
    "celebrating-differences": (
        [PlanStep.COMMUNITY_CONVERSATION],
        [("combat-hate-extremism-bigotry", 7)],
    ),
    "self-compassion": ([PlanStep.EXEMPLIFY], []),
}
YOUTH_CHAPTER_SUPPORTS = {
    "celebrating-differences": [("combat-hate-extremism-bigotry", 5)],
}

RESOURCES = {
    "compassionatesa-neighborhood-toolkit": {
        "title": "CompassionateSA Neighborhood Toolkit",
        "provider": "compassionatesa",
        "link": "",
        "summary": (
            "A toolkit for starting compassion work street by street, named in the Mayors' "
            "Starter Guide as a community model."
        ),
    },
    "ku-community-tool-box": {
        "title": "Building Compassionate Communities",
        "provider": "ku-community-tool-box",
        "link": "https://ctb.ku.edu",
        "summary": (
            "The University of Kansas guides to community work, which the Mayors' Starter Guide "
            "suggests as a launching point for a city's civic infrastructure plan."
        ),
    },
    "charter-for-compassion-tool-box": {
        "title": "Charter for Compassion Tool Box",
        "provider": "charter-for-compassion",
        "link": "https://charterforcompassion.org",
        "summary": (
            "Resources from the Charter for Compassion for communities working towards being "
            "affirmed as compassionate cities."
        ),
    },
}


def _upsert(model: type[Model], slug: str, fields: dict, counts: dict[str, int]) -> Model:
    """Create the row or bring it up to date, saving only when something differs."""
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        obj = model.objects.create(slug=slug, **fields)
        counts["created"] += 1
        return obj
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, fields[name])
        obj.save(update_fields=changed)
        counts["updated"] += 1
    return obj


def _set_if_changed(manager, wanted: list[Model], counts: dict[str, int]) -> None:
    if {obj.pk for obj in manager.all()} != {obj.pk for obj in wanted}:
        manager.set(wanted)
        counts["updated"] += 1


def _set_supports(
    lesson: Lesson,
    steps: list[str],
    commitments: list[tuple[str, int]],
    counts: dict[str, int],
) -> None:
    wanted_commitments = [
        commitment
        for slug, position in commitments
        if (commitment := Commitment.objects.filter(compact__slug=slug, position=position).first())
    ]
    have = set(LessonSupport.objects.filter(lesson=lesson).values_list("step", "commitment_id"))
    wanted = {(step, None) for step in steps} | {("", c.pk) for c in wanted_commitments}
    if have != wanted:
        lesson_supports_set(lesson, steps=steps, commitments=wanted_commitments)
        counts["updated"] += 1


def load() -> str:
    counts = {"created": 0, "updated": 0}
    providers = {
        slug: _upsert(Provider, slug, fields, counts) for slug, fields in PROVIDERS.items()
    }
    themes = {
        slug: _upsert(Theme, slug, {"name": name, "summary": summary, "position": index}, counts)
        for index, (slug, (name, summary)) in enumerate(THEMES.items(), start=1)
    }

    cusa = providers["compassionateusa"]
    adult_course = _upsert(
        Course,
        ADULT_COURSE,
        {
            "provider": cusa,
            "title": "CompassionateUSA micro-course",
            "audience": Audience.ADULT,
            "grade_band": "",
            "link": cusa.website,
            "link_kind": LinkKind.CATALOGUE,
            "description": (
                "A free online course on Coursera for mayors, city staff, council members and "
                "community leaders, covering six themes of compassionate civic life."
            ),
            "format": "Online micro-course on Coursera",
            "length": "",
            "position": 1,
        },
        counts,
    )
    adult_lessons = {}
    for position, (theme_slug, summary) in enumerate(ADULT_LESSONS, start=1):
        lesson = _upsert(
            Lesson,
            f"compassionateusa-lesson-{position}",
            {
                "course": adult_course,
                "position": position,
                # The theme it teaches, from the guide: a title that says what it is about.
                "title": f"Lesson {position}: {THEMES[theme_slug][0]}",
                "summary": summary,
                "link": "",
            },
            counts,
        )
        _set_if_changed(lesson.themes, [themes[theme_slug]], counts)
        steps, commitments = ADULT_LESSON_SUPPORTS.get(theme_slug, ([], []))
        _set_supports(lesson, [PlanStep.STUDY_COMPASSION, *steps], commitments, counts)
        adult_lessons[theme_slug] = lesson

    see = providers["see-learning"]
    youth_courses = {}
    for position, band in enumerate(GradeBand, start=2):
        youth_courses[band] = _upsert(
            Course,
            f"see-learning-{band.value.replace('_', '-')}",
            {
                "provider": see,
                "title": f"SEE Learning: {band.label}",
                "audience": Audience.YOUTH,
                "grade_band": band.value,
                "link": see.website,
                "link_kind": LinkKind.CATALOGUE,
                "description": (
                    f"Emory University's Social, Emotional and Ethical Learning for "
                    f"{str(band.label).lower()} classes, built on awareness, compassion and "
                    f"engagement."
                ),
                "format": "Classroom lessons led by a teacher",
                "length": "",
                "position": position,
            },
            counts,
        )

    middle_school = youth_courses[GradeBand.MIDDLE_SCHOOL]
    for position, (title, summary, theme_slug, is_counterpart) in enumerate(
        MIDDLE_SCHOOL_CHAPTERS, start=1
    ):
        chapter = _upsert(
            Lesson,
            f"see-learning-middle-school-chapter-{position}",
            {
                "course": middle_school,
                "position": position,
                "title": title,
                "summary": summary,
                "link": "",
            },
            counts,
        )
        _set_if_changed(chapter.themes, [themes[theme_slug]], counts)
        _set_supports(
            chapter,
            [PlanStep.SCHOOL_CURRICULUM],
            YOUTH_CHAPTER_SUPPORTS.get(theme_slug, []),
            counts,
        )
        wanted = [adult_lessons[theme_slug]] if is_counterpart else []
        if {lesson.pk for lesson in chapter.counterparts.all()} != {lesson.pk for lesson in wanted}:
            lesson_counterparts_set(chapter, wanted)
            counts["updated"] += 1

    for slug, fields in RESOURCES.items():
        _upsert(
            Resource,
            slug,
            {**fields, "provider": providers[fields["provider"]], "audience": "community"},
            counts,
        )

    return (
        f"{Lesson.objects.count()} lessons in {Course.objects.count()} courses, "
        f"{Resource.objects.count()} community models "
        f"({counts['created']} created, {counts['updated']} updated)"
    )
