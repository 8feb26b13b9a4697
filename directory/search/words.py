"""A query's words: cleaning, synonyms, misspellings, and the tsquery that matches them.

A query is searched as typed and as variants of it: one per admin-curated synonym it contains
("food stamps" -> "SNAP", then all of them at once) and one with its misspelled words replaced
by the nearest words the directory uses (pg_trgm similarity over ``SearchWord``).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, TrigramSimilarity
from django.db import connection
from django.db.models import BooleanField, Case, Exists, F, Func, Q, Value, When
from django.db.models.functions import Length

from ..models import SearchWord

MAX_QUERY_LENGTH = 200
MAX_VARIANTS = 8
# Accent-blind English and Spanish stems (text search configurations of migration 0002).
CONFIGS = ("portal_en", "portal_es")
# pg_trgm similarity above which a vocabulary word is taken as the intended one.
TYPO_SIMILARITY = 0.3
WORD = re.compile(r"[^\W_]+")
# Words residents add around what they need ("where can I get help with rent near me",
# "ayuda con la renta cerca de mi"), which listings do not use: a query does not require
# them (normalized: lower-case, no accents). A query of nothing else is searched as typed.
_FILLER = """
    a about an and any are around can close closest could find for free from get getting help
    helping i im in is it looking me my near nearby need needs of on please some the
    there to want where who with would you your
    ayuda ayudar algo alguien busco cerca con de del donde el en encontrar es hay la las
    los me mi mis necesito para por puedo que quiero se sobre un una
"""
FILLER_WORDS = frozenset(_FILLER.split())


def normalize(text: str) -> str:
    """Lower-case, accents removed, whitespace collapsed: how search_text is stored."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def clean_query(text: str) -> str:
    """Drop control characters (NUL included) that no search needs."""
    printable = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def synonyms_in(text: str, synonyms: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (term, expansion) pairs whose term the normalized ``text`` contains, found by
    looking up each run of its words (a pattern per synonym cost 14 ms a search once there
    were more than Python's 512 cached patterns)."""
    by_words = {" ".join(WORD.findall(term)): (term, expansion) for term, expansion in synonyms}
    longest = max((key.count(" ") + 1 for key in by_words if key), default=0)
    words = WORD.findall(text)
    found = {}
    for size in range(1, longest + 1):
        for start in range(len(words) - size + 1):
            pair = by_words.get(" ".join(words[start : start + size]))
            if pair:
                found[pair[0]] = pair
    return [found[term] for term, _expansion in synonyms if term in found]


def _term(term: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){re.escape(term)}(?![\w])")


def synonym_variants(query: str, synonyms: Iterable[tuple[str, str]]) -> list[str]:
    """The query rewritten with each synonym it contains, then with all of them at once."""
    text = normalize(query)
    return _rewritten(text, synonyms_in(text, synonyms))


def _rewritten(text: str, found: list[tuple[str, str]]) -> list[str]:
    """``text`` with each of the synonyms ``found`` in it, then with all of them at once."""
    variants: list[str] = []
    combined = text
    for term, expansion in found:
        variants.append(_term(term).sub(expansion, text))
        combined = _term(term).sub(expansion, combined)
    if len(variants) > 1:
        variants.append(combined)
    return variants[:MAX_VARIANTS]


def query_words(query: str) -> list[str]:
    """The plain words of a query worth correcting (3+ letters, not 'or', no numbers)."""
    words = []
    for word in WORD.findall(normalize(query)):
        if len(word) >= 3 and word != "or" and not word.isdigit() and word not in words:
            words.append(word[:100])
    return words


def corrections(words: list[str]) -> dict[str, str]:
    """For each word the directory never uses, the most similar word it does use, of a
    similar length so that "therapy" is never taken for "the" (Postgres only).

    One query for all the words: each word's trigram search (a few milliseconds) runs only
    when the vocabulary's unique index does not hold the word, a condition Postgres answers
    once, before it reads anything else for that word; most searches use only known words."""
    if connection.vendor != "postgresql" or not words:
        return {}
    first, *rest = [_nearest_known_word(word) for word in words]
    return dict(first.union(*rest, all=True) if rest else first)


def _nearest_known_word(word: str):
    """(word, the vocabulary word meant), if the vocabulary does not hold the word: one a
    single edit away (a letter left out, added, changed, or two swapped: "chlid" is
    "child", which trigrams miss in short words), else the most similar of a similar
    length."""
    slack = max(2, len(word) // 3)
    similar = Q(
        word__trigram_similar=word,
        length__range=(len(word) - slack, len(word) + slack),
        similarity__gte=TYPO_SIMILARITY,
    )
    one_edit: Value | Case = Value(0)
    # Shorter words are a single edit from too many others ("hits" from "kits").
    if len(word) >= ONE_EDIT_FROM_LENGTH:
        edits = OneOf(F("word"), Value(one_edit_away(word)))
        similar |= Q(edits)
        one_edit = Case(When(edits, then=Value(1)), default=Value(0))
    return (
        SearchWord.objects.annotate(
            asked=Value(word),
            one_edit=one_edit,
            similarity=TrigramSimilarity("word", word),
            length=Length("word"),
        )
        .filter(~Exists(SearchWord.objects.filter(word=word)), similar)
        .order_by("-one_edit", "-similarity", "word")
        .values_list("asked", "word")[:1]
    )


class OneOf(Func):
    """``word = ANY(array)``: the few hundred strings one edit from a word as one array
    parameter, which the vocabulary's unique index answers (as IN with a parameter each,
    building and sending them took about 4 ms a search, twice over)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        (field, field_params), (array, array_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"({field} = ANY({array}))", (*field_params, *array_params)


LETTERS = "abcdefghijklmnopqrstuvwxyz"
ONE_EDIT_FROM_LENGTH = 5


def one_edit_away(word: str) -> list[str]:
    """Every string one edit from ``word``: a letter deleted, inserted or replaced, or two
    neighbours swapped (about 55 a letter; the vocabulary's unique index looks them up)."""
    splits = [(word[:cut], word[cut:]) for cut in range(len(word) + 1)]
    edits = {head + tail[1:] for head, tail in splits if tail}
    edits |= {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    edits |= {head + letter + tail[1:] for head, tail in splits if tail for letter in LETTERS}
    edits |= {head + letter + tail for head, tail in splits for letter in LETTERS}
    edits.discard(word)
    return sorted(edits)


def corrected_query(query: str, fixes: dict[str, str]) -> str:
    if not fixes:
        return ""
    return WORD.sub(lambda match: fixes.get(match.group(0), match.group(0)), normalize(query))


@dataclass(frozen=True)
class Words:
    """What a query's words became: the variants to search for (the words as typed first),
    the query with its misspelled words corrected ("" when none was), and, for when no
    listing has all the words, the words any of which will do ("" for a query of one)."""

    variants: list[str]
    corrected: str = ""
    any_of: str = ""


def without_filler(query: str) -> str:
    """The query without filler words, or as typed when nothing else is left."""
    kept = [
        token
        for token in query.split()
        if any(word not in FILLER_WORDS for word in WORD.findall(normalize(token)))
    ]
    return " ".join(kept) if kept else query


def understand(query: str, synonyms: list[tuple[str, str]]) -> Words:
    """The query and its synonym variants, each without filler words, then the query with
    its spelling corrected. Synonyms are looked for with and without the filler words, so
    that both "cant pay my rent" and "cuidado ninos" find theirs in "cuidado de ninos"."""
    plain = without_filler(query)
    found_in = {text: synonyms_in(text, synonyms) for text in {normalize(query), normalize(plain)}}
    rewritten = {variant for text, in_it in found_in.items() for variant in _rewritten(text, in_it)}
    variants = [plain, *sorted(without_filler(variant) for variant in rewritten)]
    found = {pair for in_it in found_in.values() for pair in in_it}
    # Words that are synonym terms are understood already; the rest may be misspelled.
    understood = {word for term, _expansion in found for word in term.split()}
    loose = [word for word in query_words(plain) if word not in understood]
    fixes = corrections(loose)
    fixed = corrected_query(plain, fixes)
    if fixed:
        variants.append(fixed)
    unique = list(dict.fromkeys(variant for variant in variants if variant))
    # Any of: each word (and its correction), and each synonym's meaning as a phrase
    # ("feeling depressed": feeling or depressed or "mental health").
    meanings = sorted({f'"{expansion}"' for _term, expansion in found})
    alternatives = [*query_words(plain), *fixes.values(), *meanings]
    any_of = " or ".join(dict.fromkeys(alternatives)) if len(alternatives) > 1 else ""
    return Words(unique[:MAX_VARIANTS], fixed, any_of)


def words_query(variants: Iterable[str]) -> SearchQuery:
    """The variants, each parsed with ``websearch_to_tsquery`` in each of the CONFIGS, OR'd."""
    queries = [
        SearchQuery(variant, config=config, search_type="websearch")
        for variant in variants
        for config in CONFIGS
    ]
    combined = queries[0]
    for query in queries[1:]:
        combined |= query
    return combined


def has_several_words(variants: Iterable[str]) -> bool:
    """Whether to rank by cover density (ts_rank_cd), which ranks listings where the words
    of a query stand near each other higher: "health clinic" finds "Community Health
    Clinic" before "Dental Clinic at Public Health District". A query of one word has no
    such order to find, and ts_rank orders its matches by the same weights (names, then
    categories, then descriptions) at a small part of the cost: cover density took 1.7 ms
    to rank the thousand candidates of a broad word at 200,000 services."""
    return any(len(WORD.findall(normalize(variant))) > 1 for variant in variants)
