"""Reading a city's action plan: its rows, its timeline and the handover summary.

The plan's rows are the guide's steps (``PlanStep``, the same for every city) followed by
the commitments of each compact the city has an active signature of. A row whose item was
never edited has no ``PlanItem`` yet and reads as not started. Changing an item is
``compacts.services.plan_item_update``; this module only reads.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import City, Commitment, Compact, PlanItem, Signature
from .plan import PlanStatus, PlanStep

# The handover page lists as "due" what is not done and has a target date within this many
# days (or already past).
DUE_SOON_DAYS = 90


@dataclass(frozen=True)
class PlanRow:
    key: str  # "step-<code>" or "commitment-<id>": the item's address in URLs and forms
    title: str
    compact: Compact | None  # for a commitment: the compact it belongs to
    commitment: Commitment | None
    step: str  # the PlanStep code, or "" for a commitment
    item: PlanItem | None  # None until staff first edit it
    today: datetime.date  # the city's "today" the row was read on, for due and overdue

    @property
    def status(self) -> str:
        return self.item.status if self.item else PlanStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return PlanStatus(self.status).label

    @property
    def is_done(self) -> bool:
        return self.status == PlanStatus.DONE

    @property
    def is_under_way(self) -> bool:
        return self.status == PlanStatus.UNDER_WAY

    @property
    def target_on(self) -> datetime.date | None:
        return self.item.target_on if self.item else None

    @property
    def is_due(self) -> bool:
        """Not done, and its target date is past or within DUE_SOON_DAYS."""
        target = self.target_on
        return (
            not self.is_done
            and target is not None
            and target <= self.today + datetime.timedelta(days=DUE_SOON_DAYS)
        )

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.target_on is not None and self.target_on < self.today

    @property
    def supports_key(self) -> tuple[str, object]:
        """The key curriculum lessons are tagged with: ("step", code) or ("commitment", id)."""
        return ("step", self.step) if self.step else ("commitment", self.commitment.pk)


def step_key(step: str) -> str:
    return f"step-{step}"


def commitment_key(commitment_id: int) -> str:
    return f"commitment-{commitment_id}"


def _signed_commitments(city: City, signatures: list[Signature] | None) -> list[Commitment]:
    """The commitments of the compacts ``city`` has an active signature of, in one query.

    ``signatures`` (already read by the caller, with their compacts) saves that query's
    join when given."""
    if signatures is None:
        compact_filter = {
            "compact__signatures__city": city,
            "compact__signatures__withdrawn_on__isnull": True,
        }
    else:
        compact_filter = {"compact_id__in": [s.compact_id for s in signatures if s.is_active]}
        if not compact_filter["compact_id__in"]:
            return []
    return list(
        Commitment.objects.filter(**compact_filter)
        .select_related("compact")
        .order_by("compact__introduced_on", "compact__title", "position")
    )


def city_plan(
    city: City, today: datetime.date, signatures: list[Signature] | None = None
) -> list[PlanRow]:
    """Every row of ``city``'s plan, in the guide's order then by compact: two queries."""
    items = {(item.step or item.commitment_id): item for item in PlanItem.objects.filter(city=city)}
    rows = [
        PlanRow(
            key=step_key(step.value),
            title=str(step.label),
            compact=None,
            commitment=None,
            step=step.value,
            item=items.get(step.value),
            today=today,
        )
        for step in PlanStep
    ]
    for commitment in _signed_commitments(city, signatures):
        rows.append(
            PlanRow(
                key=commitment_key(commitment.pk),
                title=commitment.text,
                compact=commitment.compact,
                commitment=commitment,
                step="",
                item=items.get(commitment.pk),
                today=today,
            )
        )
    return rows


def plan_row(city: City, key: str, today: datetime.date) -> PlanRow | None:
    """The row ``key`` of ``city``'s plan, or None when the plan has no such row (an unknown
    step, a malformed key, or a commitment of a compact the city has not signed)."""
    kind, _sep, value = key.partition("-")
    if kind == "step" and value in PlanStep.values:
        item = PlanItem.objects.filter(city=city, step=value).first()
        step = PlanStep(value)
        return PlanRow(key, str(step.label), None, None, step.value, item, today)
    if kind != "commitment" or not value.isascii() or not value.isdigit():
        return None
    commitment = (
        Commitment.objects.filter(
            pk=int(value),
            compact__signatures__city=city,
            compact__signatures__withdrawn_on__isnull=True,
        )
        .select_related("compact")
        .first()
    )
    if commitment is None:
        return None
    item = PlanItem.objects.filter(city=city, commitment=commitment).first()
    return PlanRow(key, commitment.text, commitment.compact, commitment, "", item, today)


def timeline(rows: list[PlanRow]) -> list[PlanRow]:
    """The rows as the public timeline shows them: dated items by target date, then the
    undated ones in plan order."""
    dated = sorted((row for row in rows if row.target_on), key=lambda row: row.target_on)
    return dated + [row for row in rows if not row.target_on]


@dataclass(frozen=True)
class PlanSummary:
    done: list[PlanRow]
    under_way: list[PlanRow]
    due: list[PlanRow]
    not_started: list[PlanRow]

    @property
    def counts_text(self) -> str:
        return _("%(done)s done, %(under_way)s under way, %(not_started)s not started") % {
            "done": len(self.done),
            "under_way": len(self.under_way),
            "not_started": len(self.not_started),
        }


def summarise(rows: list[PlanRow]) -> PlanSummary:
    """The rows grouped for the handover page; "due" overlaps "under way"/"not started"."""
    return PlanSummary(
        done=[row for row in rows if row.is_done],
        under_way=[row for row in rows if row.is_under_way],
        due=sorted((row for row in rows if row.is_due), key=lambda row: row.target_on),
        not_started=[row for row in rows if row.status == PlanStatus.NOT_STARTED],
    )
