"""The live figures on the home page, gathered from every app.

Each app exposes ``home_figures()`` in its own ``figures.py`` and returns a list of
``Figure``; the home page shows them in this order. An app with nothing to count yet
returns an empty list.
"""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    value: int
    url: str = ""


def all_home_figures() -> list[Figure]:
    from compacts.figures import home_figures as compact_figures
    from curriculum.figures import home_figures as curriculum_figures
    from directory.figures import home_figures as directory_figures

    return [*compact_figures(), *directory_figures(), *curriculum_figures()]
