"""Fellow mayors to call: engaged partner cities a city can learn from.

The guide's first "Start here" step is to call a fellow mayor who is already engaged. A peer
is another city that is engaged (it has an active signature or a plan item under way or
done) and that is in the same state, of a similar population (half to twice this city's),
or has done a step of the guide this city has not. Peers are read in one query, with what
each has done as counts; ``compacts.services.peer_contact`` writes to a peer's staff.
"""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .models import City, PlanItem, Signature
from .plan import PlanStatus

PEERS_SHOWN = 5


def _count(queryset) -> Coalesce:
    """A correlated COUNT(*) of ``queryset`` (already filtered by OuterRef)."""
    counted = queryset.order_by().values("city").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class Peer:
    city: City
    reasons: list[str]

    @property
    def steps_done(self) -> int:
        return self.city.peer_steps_done

    @property
    def items_done(self) -> int:
        return self.city.peer_items_done

    @property
    def signatures(self) -> int:
        return self.city.peer_signatures


def engaged_cities():
    active = Signature.objects.filter(city=OuterRef("pk"), withdrawn_on__isnull=True)
    working = PlanItem.objects.filter(
        city=OuterRef("pk"), status__in=[PlanStatus.UNDER_WAY, PlanStatus.DONE]
    )
    return City.objects.filter(Exists(active) | Exists(working))


def peers_of(city: City, steps_done: set[str], limit: int = PEERS_SHOWN) -> list[Peer]:
    """Up to ``limit`` peers of ``city``, best first, in one query. ``steps_done`` is the
    guide steps ``city`` has done (the caller has its plan already)."""
    done = PlanItem.objects.filter(city=OuterRef("pk"), status=PlanStatus.DONE)
    ahead = Exists(done.exclude(step="").exclude(step__in=steps_done))
    same_state = Q(state=city.state)
    if city.population:
        similar = Q(population__gte=city.population // 2, population__lte=city.population * 2)
    else:
        similar = Q(pk__in=[])  # nothing is "of a similar size" to a city of unknown size
    candidates = (
        engaged_cities()
        .exclude(pk=city.pk)
        .filter(same_state | similar | ahead)
        .annotate(
            peer_same_state=ExpressionWrapper(same_state, output_field=BooleanField()),
            peer_similar=ExpressionWrapper(similar, output_field=BooleanField()),
            peer_ahead=ahead,
            peer_steps_done=_count(done.exclude(step="")),
            peer_items_done=_count(done),
            peer_signatures=_count(
                Signature.objects.filter(city=OuterRef("pk"), withdrawn_on__isnull=True)
            ),
        )
        .order_by("-peer_same_state", "-peer_ahead", "-peer_items_done", "name")[:limit]
    )
    return [Peer(city=peer, reasons=_reasons(peer)) for peer in candidates]


def _reasons(peer: City) -> list[str]:
    reasons = []
    if peer.peer_same_state:
        reasons.append(_("in the same state"))
    if peer.peer_similar:
        reasons.append(_("of a similar size"))
    if peer.peer_ahead:
        reasons.append(_("has done a step of the guide this city has not"))
    return reasons
