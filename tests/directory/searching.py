"""What tests ask of the search: every listing a search finds, best first."""

from django.db import connection

from directory import search


def found(query: str = "", **criteria) -> list[str]:
    """The names of every listing a search for ``query`` finds, in the order pages show them."""
    return names_of(search.Criteria(words=query, **criteria))


def names_of(wanted: search.Criteria) -> list[str]:
    candidates = search.services_matching(wanted, search.load_reference())
    return [card.name for card in search.result_page(candidates, 1, page_size=10_000).services]


def page_of(query: str, **criteria) -> search.ResultPage:
    """The first page (of any size) of a search for ``query``."""
    wanted = search.Criteria(words=query, **criteria)
    candidates = search.services_matching(wanted, search.load_reference())
    return search.result_page(candidates, 1, page_size=10_000)


def plan_of(candidates, **options: bool) -> str:
    """Postgres's plan for a search's candidates: EXPLAIN with these options (analyze=True
    runs it), as text."""
    sql, params = search.results.sql_of(candidates)
    listed = ", ".join(f"{name.upper()} {value}" for name, value in options.items())
    explain = f"EXPLAIN ({listed})" if listed else "EXPLAIN"
    with connection.cursor() as cursor:
        cursor.execute(f"{explain} {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def candidate_ids(candidates) -> list[int]:
    """The ids of a search's candidates, in no particular order."""
    sql, params = search.results.sql_of(candidates)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pk FROM ({sql}) AS candidate", params)  # noqa: S608
        return [pk for (pk,) in cursor.fetchall()]
