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
        # All postings in two arrays, a term's being a slice: a kept index then unpickles as three objects,
        # not one pair of arrays per term (which takes seconds at 10,000 passages).
        self._slices: dict[str, tuple[int, int]] = {}
        start = 0
        for term, (positions, _) in lists.items():
            self._slices[term] = (start, start + len(positions))
            start += len(positions)
        self._positions = np.fromiter((p for ps, _ in lists.values() for p in ps), dtype=np.int32, count=start)
        self._tfs = np.fromiter((f for _, fs in lists.values() for f in fs), dtype=np.float32, count=start)
        length = np.array(lengths, dtype=np.float32)
        self._norm = K1 * (1 - B + B * length / max(float(length.mean()) if len(length) else 1.0, 1.0))

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(passage positions, term frequencies) of a term; empty arrays for a term no passage has."""
        span = self._slices.get(term)
        if span is None:
            return _EMPTY
        return self._positions[span[0]:span[1]], self._tfs[span[0]:span[1]]

    def df(self, term: str) -> int:
        span = self._slices.get(term)
        return span[1] - span[0] if span else 0

    def idf(self, term: str) -> float:
        df = self.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, terms: Iterable[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """Each passage's BM25 score for the (deduplicated) query terms; a term may carry a weight."""
        out = np.zeros(self.n, dtype=np.float32)
        for term in dict.fromkeys(terms):
            positions, tfs = self.postings(term)
            if not len(positions):
                continue
            weight = self.idf(term) * (weights.get(term, 1.0) if weights else 1.0)
            out[positions] += weight * tfs * (K1 + 1) / (tfs + self._norm[positions])
        return out
