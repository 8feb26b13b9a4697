"""A partner city's action plan: the guide's steps and its signed compacts' commitments.

Every city's plan has the same guide steps (``PlanStep``) plus one item per commitment of
each compact it has an active signature of. An item is stored only once staff first edit
it; until then it is shown as not started. See ``compacts.services.plan_item_update``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStep(models.TextChoices):
    """The steps the Mayors' Starter Guide asks of every partner city, in the guide's order:
    its four recommendations, then its "Start here" list."""

    BRIDGE_BUILDER = "bridge_builder", _("Designate a chief bridge-builder")
    COMMUNITY_CONVERSATION = "conversation", _("Convene a community conversation")
    DIRECTORY = "directory", _("Create an accessible directory of the community's resources")
    STUDY_COMPASSION = (
        "study",
        _(
            "Study and exercise compassion, and encourage staff, council and community leaders "
            "to do the same"
        ),
    )
    CALL_A_MAYOR = "call_mayor", _("Call a fellow mayor who is already engaged")
    GATHER_LEADERS = "gather_leaders", _("Gather community, faith and business leaders")
    ANALYZE_POLICIES = (
        "analyze_policies",
        _("Analyze standing policies and budgets for their true outcomes"),
    )
    SCHOOL_CURRICULUM = "school_curriculum", _("Create curriculum for local school districts")
    EXEMPLIFY = "exemplify", _("Exemplify compassionate leadership")


class PlanStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
