"""A textbook BM25 ranker: the baseline `make relevance` compares the portal's search with.

Plain Okapi BM25 (k1 = 1.2, b = 0.75) over whole documents, with OR semantics: a document
scores for every query word it contains, and one with none of them is left out. Words are
lower-cased, stripped of accents and split on anything that is not a letter (so digits, and
with them ZIP codes, are dropped). A query word that is not in the vocabulary is replaced by
the vocabulary word one edit away (an insertion, a deletion, a substitution or a swap of two
neighbouring letters) that the most documents contain, if there is one.

Nothing here knows about Django: documents are (key, text) pairs.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

K1 = 1.2
B = 0.75
_LETTERS = re.compile(r"[^\W\d_]+")


def tokens(text: str) -> list[str]:
    """The words of ``text``: lower case, accents removed, letters only."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _LETTERS.findall(plain)


def one_edit_away(word: str, alphabet: str) -> set[str]:
    """Every string one insertion, deletion, substitution or neighbour swap from ``word``."""
    splits = [(word[:cut], word[cut:]) for cut in range(len(word) + 1)]
    deleted = {head + tail[1:] for head, tail in splits if tail}
    swapped = {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    replaced = {head + letter + tail[1:] for head, tail in splits if tail for letter in alphabet}
    inserted = {head + letter + tail for head, tail in splits for letter in alphabet}
    return (deleted | swapped | replaced | inserted) - {word}


class BM25:
    def __init__(self, documents: Iterable[tuple[str, str]]) -> None:
        self.keys: list[str] = []
        self.term_counts: list[Counter[str]] = []
        for key, text in documents:
            self.keys.append(key)
            self.term_counts.append(Counter(tokens(text)))
        self.lengths = [sum(counts.values()) for counts in self.term_counts]
        self.average_length = sum(self.lengths) / len(self.lengths) if self.lengths else 0.0
        self.document_frequency: Counter[str] = Counter()
        for counts in self.term_counts:
            self.document_frequency.update(counts.keys())
        self.alphabet = "".join(
            sorted({letter for word in self.document_frequency for letter in word})
        )

    def idf(self, word: str) -> float:
        """Robertson-Sparck Jones weight, shifted by one so that it is never negative."""
        total, containing = len(self.keys), self.document_frequency[word]
        return math.log(1 + (total - containing + 0.5) / (containing + 0.5))

    def correct(self, word: str) -> str:
        """``word`` if the vocabulary has it, else the commonest word one edit away, else
        ``word`` unchanged (it then matches nothing)."""
        if word in self.document_frequency:
            return word
        known = [
            candidate
            for candidate in one_edit_away(word, self.alphabet)
            if candidate in self.document_frequency
        ]
        if not known:
            return word
        return min(known, key=lambda candidate: (-self.document_frequency[candidate], candidate))

    def query_words(self, query: str) -> list[str]:
        return [self.correct(word) for word in tokens(query)]

    def scores(self, query: str) -> dict[str, float]:
        """The score of every document that contains at least one of the query's words."""
        found: dict[str, float] = {}
        for word in self.query_words(query):
            if word not in self.document_frequency:
                continue
            weight = self.idf(word)
            for key, counts, length in zip(self.keys, self.term_counts, self.lengths, strict=True):
                frequency = counts[word]
                if not frequency:
                    continue
                norm = K1 * (1 - B + B * length / self.average_length)
                found[key] = found.get(key, 0.0) + weight * frequency * (K1 + 1) / (
                    frequency + norm
                )
        return found

    def rank(self, query: str, depth: int = 20) -> list[str]:
        """The keys of the ``depth`` best documents, best first (ties in key order)."""
        scored = self.scores(query)
        return sorted(scored, key=lambda key: (-scored[key], key))[:depth]
