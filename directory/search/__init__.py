"""How the directory search works: the one package that knows.

A search is a ``Criteria`` (cleaned by ``directory.forms.SearchForm``);
``services_matching()`` turns it into its candidates (a QuerySet, or on Postgres for words
the ``NamesFirst`` parts of one statement) and ``result_page()`` reads a page of them with
the capped count, in one query.

Postgres
    ``Service.search_vector`` is a stored tsvector built from two accent-blind text search
    configurations (``portal_en`` and ``portal_es``, created in migration 0002), so English
    stems (pantries -> pantri) and Spanish stems (clases -> clas) both match. Names of the
    service and its organization weigh A, category names B, descriptions C. A query is
    parsed with ``websearch_to_tsquery`` in both configurations, OR'd with its synonym and
    spelling variants (words.py), ranked by ``ts_rank_cd`` (``ts_rank`` for one word) over a
    bounded set of candidates found through the GIN index of both columns (results.py).
    Category and language filters are facets of ``Service.name_vector`` (conditions.py).
SQLite
    Every word must appear in ``Service.search_text`` (names, categories and descriptions,
    lower-cased and without accents); synonyms give alternative word lists.

The search columns are rebuilt by ``refresh_search_vectors()`` (index.py); the filters'
choices and synonyms are cached reference data (reference.py).
"""

from .criteria import Criteria, services_matching, understood_words
from .index import compact_after_full_refresh, refresh_search_vectors
from .reference import (
    Browse,
    Reference,
    browse,
    directory_totals,
    forget_reference,
    load_reference,
)
from .results import COUNT_CAP, PAGE_SIZE, NamesFirst, ResultPage, add_open_states, result_page
from .words import MAX_QUERY_LENGTH, clean_query, normalize

__all__ = [
    "COUNT_CAP",
    "MAX_QUERY_LENGTH",
    "PAGE_SIZE",
    "Browse",
    "Criteria",
    "NamesFirst",
    "Reference",
    "ResultPage",
    "add_open_states",
    "browse",
    "clean_query",
    "compact_after_full_refresh",
    "directory_totals",
    "forget_reference",
    "load_reference",
    "normalize",
    "refresh_search_vectors",
    "result_page",
    "services_matching",
    "understood_words",
]
