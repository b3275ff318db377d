"""BM25 (Okapi) over one channel's terms, with each term's postings as arrays: a term every row holds (a
price column's name) costs one vector operation, not a loop. Immutable once built; picklable, so a built
index can be kept (sealed) and loaded instead of rebuilt."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

K1 = 1.2
B = 0.75
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


class TermIndex:
    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        lists: dict[str, tuple[list[int], list[int]]] = {}
        lengths = []
        for pos, terms in enumerate(documents):
            counts = Counter(terms)
            lengths.append(len(terms))
            for term, tf in counts.items():
                entry = lists.setdefault(term, ([], []))
                entry[0].append(pos)
                entry[1].append(tf)
        self.n = len(documents)
        self.postings = {t: (np.array(p, dtype=np.int32), np.array(f, dtype=np.float32)) for t, (p, f) in lists.items()}
        length = np.array(lengths, dtype=np.float32)
        self._norm = K1 * (1 - B + B * length / max(float(length.mean()) if len(length) else 1.0, 1.0))

    def df(self, term: str) -> int:
        return len(self.postings.get(term, _EMPTY)[0])

    def idf(self, term: str) -> float:
        df = self.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, terms: Iterable[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """Each passage's BM25 score for the (deduplicated) query terms; a term may carry a weight."""
        out = np.zeros(self.n, dtype=np.float32)
        for term in dict.fromkeys(terms):
            positions, tfs = self.postings.get(term, _EMPTY)
            if not len(positions):
                continue
            weight = self.idf(term) * (weights.get(term, 1.0) if weights else 1.0)
            out[positions] += weight * tfs * (K1 + 1) / (tfs + self._norm[positions])
        return out
