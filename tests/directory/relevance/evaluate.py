"""The judged query set and how a ranking of it is scored: shared by `make relevance`
(bench/relevance.py) and the relevance test (test_relevance.py), so that both measure alike.

queries.csv has one judged query a line: the query as a resident types it, its kind, the slugs
of the services that rightly answer it (``|``-separated) and an optional note. A ranker turns a
query into service slugs, best first. Two metrics, overall and per kind:

success@5
    the share of queries with a relevant service among the first five results;
MRR
    the mean over queries of 1 / (rank of the first relevant result), 0 when none is among the
    first 20 (one result page).
"""

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Prefetch
from django.test import Client
from django.urls import reverse

from bench.bm25 import BM25
from directory.models import Category, Service

QUERIES = Path(__file__).with_name("queries.csv")
TOP = 5
DEPTH = 20
METRICS = ("success@5", "MRR")
OVERALL = "overall"
# The goal: success@5 >= 0.95 overall and >= 0.90 in every kind, MRR >= 0.85 overall.
GOAL = {
    OVERALL: {"success@5": 0.95, "MRR": 0.85},
    "each kind": {"success@5": 0.90},
}

Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Judged:
    query: str
    kind: str
    relevant: frozenset[str]
    note: str = ""


def load_queries(path: Path = QUERIES) -> list[Judged]:
    with path.open(encoding="utf-8", newline="") as source:
        return [
            Judged(
                query=row["query"],
                kind=row["kind"],
                relevant=frozenset(slug for slug in row["relevant"].split("|") if slug),
                note=row.get("note") or "",
            )
            for row in csv.DictReader(source)
        ]


def success_at(ranking: list[str], relevant: Iterable[str], top: int = TOP) -> float:
    """1.0 when a relevant slug is among the first ``top`` of ``ranking``, else 0.0."""
    wanted = set(relevant)
    return 1.0 if any(slug in wanted for slug in ranking[:top]) else 0.0


def reciprocal_rank(ranking: list[str], relevant: Iterable[str], depth: int = DEPTH) -> float:
    """1 / the rank of the first relevant slug among the first ``depth``, else 0.0."""
    wanted = set(relevant)
    for rank, slug in enumerate(ranking[:depth], start=1):
        if slug in wanted:
            return 1.0 / rank
    return 0.0


def goal(group: str, metric: str) -> float | None:
    """The issue's goal for a metric overall (group "overall") or in a kind, if it sets one."""
    return GOAL[OVERALL if group == OVERALL else "each kind"].get(metric)


@dataclass
class Evaluation:
    queries: list[Judged]
    rankings: dict[str, list[list[str]]]  # ranker name -> one ranking per query

    def groups(self) -> list[str]:
        return [OVERALL, *dict.fromkeys(judged.kind for judged in self.queries)]

    def scores(self, ranker: str) -> dict[str, dict[str, float]]:
        """{group: {metric: mean}} for "overall" and every kind, in the set's order."""
        table: dict[str, dict[str, float]] = {}
        for group in self.groups():
            pairs = [
                (judged, ranking)
                for judged, ranking in zip(self.queries, self.rankings[ranker], strict=True)
                if group in (OVERALL, judged.kind)
            ]
            table[group] = {
                "success@5": sum(success_at(r, j.relevant) for j, r in pairs) / len(pairs),
                "MRR": sum(reciprocal_rank(r, j.relevant) for j, r in pairs) / len(pairs),
                "queries": len(pairs),
            }
        return table

    def failures(self, ranker: str) -> list[tuple[Judged, list[str]]]:
        """The queries whose first five results hold no relevant service."""
        return [
            (judged, ranking)
            for judged, ranking in zip(self.queries, self.rankings[ranker], strict=True)
            if not success_at(ranking, judged.relevant)
        ]


def evaluate(queries: list[Judged], rankers: dict[str, Ranker]) -> Evaluation:
    return Evaluation(
        queries=queries,
        rankings={
            name: [rank(judged.query)[:DEPTH] for judged in queries]
            for name, rank in rankers.items()
        },
    )


def portal_ranker(client: Client) -> Ranker:
    """The portal's search as a resident meets it: GET the directory page with ``q`` and read
    the service links of the page, in order (the first page: 20 results)."""
    prefix = reverse("directory:service_detail", kwargs={"slug": "-"}).removesuffix("-/")
    link = re.compile(r'href="' + re.escape(prefix) + r"([-\w]+)/")
    search_url = reverse("directory:search")

    def rank(query: str) -> list[str]:
        response = client.get(search_url, {"q": query})
        if response.status_code != 200:
            raise AssertionError(f"{search_url}?q={query!r} answered {response.status_code}")
        return list(dict.fromkeys(link.findall(response.content.decode())))

    return rank


def service_documents() -> list[tuple[str, str]]:
    """(slug, text) of every public service: its name, its categories and their parents, its
    description and its organization's name."""
    services = (
        Service.objects.public()
        .select_related("organization")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.select_related("parent"))
        )
        .order_by("slug")
    )
    documents = []
    for service in services:
        categories = [category.name for category in service.categories.all()] + [
            category.parent.name for category in service.categories.all() if category.parent
        ]
        parts = [service.name, *categories, service.description, service.organization.name]
        documents.append((service.slug, "\n".join(parts)))
    return documents


def service_names() -> dict[str, str]:
    return dict(Service.objects.public().values_list("slug", "name"))


def bm25_ranker() -> Ranker:
    index = BM25(service_documents())
    return lambda query: index.rank(query, DEPTH)


def report(evaluation: Evaluation, names: dict[str, str] | None = None) -> str:
    """The scores of every ranker side by side, overall and per kind, beside the goal; then the
    queries the first ranker fails, with its top three (by name when ``names`` maps slugs)."""
    rankers = list(evaluation.rankings)
    tables = {ranker: evaluation.scores(ranker) for ranker in rankers}
    header = f"{'':16}{'n':>4}" + "".join(f"  {r[:8]:>8} s@5  {'MRR':>4}" for r in rankers)
    lines = [header + "    goal s@5   MRR"]
    for group in evaluation.groups():
        row = f"{group:16}{tables[rankers[0]][group]['queries']:>4}"
        for ranker in rankers:
            row += "  {:>12.2f}  {:>4.2f}".format(*(tables[ranker][group][m] for m in METRICS))
        wanted = [goal(group, metric) for metric in METRICS]
        row += "    " + "  ".join(f"{w:>8.2f}" if w else f"{'':>8}" for w in wanted)
        lines.append(row)
    failed = evaluation.failures(rankers[0])
    lines += ["", f"{len(failed)} queries {rankers[0]} fails (no relevant service in its top 5):"]
    for judged, ranking in failed:
        top = [(names or {}).get(slug, slug) for slug in ranking[:3]] or ["(no results)"]
        lines.append(f"  {judged.query!r} [{judged.kind}]: " + "; ".join(top))
    return "\n".join(lines)


def as_json(evaluation: Evaluation) -> dict:
    rankers = list(evaluation.rankings)
    return {
        "goal": GOAL,
        "scores": {ranker: evaluation.scores(ranker) for ranker in rankers},
        "queries": [
            {
                "query": judged.query,
                "kind": judged.kind,
                **{
                    ranker: {
                        "success@5": success_at(evaluation.rankings[ranker][n], judged.relevant),
                        "reciprocal_rank": reciprocal_rank(
                            evaluation.rankings[ranker][n], judged.relevant
                        ),
                        "top5": evaluation.rankings[ranker][n][:TOP],
                    }
                    for ranker in rankers
                },
            }
            for n, judged in enumerate(evaluation.queries)
        ],
    }
