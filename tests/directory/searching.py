"""What tests ask of the search: every listing a search finds, best first."""

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
