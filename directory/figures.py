"""Figures this app contributes to the home page (see compassion_portal.figures)."""

from compassion_portal.figures import Figure


def home_figures() -> list[Figure]:
    return []
