"""The curriculum on other apps' pages, without those apps importing the curriculum."""

from django import template

from curriculum.progress import team_progress_for_city

register = template.Library()


@register.inclusion_tag("curriculum/includes/city_team_progress.html")
def city_team_progress(city) -> dict:
    """``{% city_team_progress city %}``: the city team's progress per course, as counts."""
    return {"team_progress": team_progress_for_city(city)}
