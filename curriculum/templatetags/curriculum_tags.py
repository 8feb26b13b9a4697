"""The curriculum on other apps' pages, without those apps importing the curriculum."""

from django import template

from curriculum.progress import team_progress_for_city
from curriculum.support import lessons_supporting

register = template.Library()


@register.inclusion_tag("curriculum/includes/city_team_progress.html")
def city_team_progress(city) -> dict:
    """``{% city_team_progress city %}``: the city team's progress per course, as counts."""
    return {"team_progress": team_progress_for_city(city)}


@register.inclusion_tag("curriculum/includes/plan_item_lessons.html")
def plan_item_lessons(supports: dict, key) -> dict:
    """``{% plan_item_lessons supports key %}``: links to the lessons supporting one plan item.

    ``supports`` is what ``curriculum.support.lessons_supporting`` returned for the whole plan
    (one query); ``key`` is the item's ``("step", code)`` or ``("commitment", id)``. Renders
    nothing when no lesson supports the item.
    """
    if isinstance(key, list):
        key = tuple(key)
    return {"lessons": (supports or {}).get(key, [])}


@register.simple_tag
def plan_row_supports(row) -> dict:
    """``{% plan_row_supports row as supports %}``: ``lessons_supporting`` for one row of a
    city's plan (a compacts.action_plan.PlanRow), for that row's own page; one query."""
    kind, value = row.supports_key
    if kind == "step":
        return lessons_supporting([value], [])
    return lessons_supporting([], [value])
