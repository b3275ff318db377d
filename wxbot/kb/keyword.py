"""Keyword retrieval: an in-memory BM25 index over the passages' terms (built at unlock: nothing of it is on
disk), and a relevance test (how much of the question a passage covers) so unrelated questions find nothing."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from wxbot.kb.terms import TermGroup, index_terms, query_groups

K1 = 1.2
B = 0.75
WEAK_WEIGHT = 0.25  # a weak group (one character, a small number) counts this much of its idf


@dataclass(frozen=True)
class KeywordHit:
    position: int  # index into the passages the index was built from
    score: float  # BM25 weighted by coverage; higher is better
    coverage: float  # share of the question's (idf-weighted) term groups the passage holds, 0..1


class KeywordIndex:
    """BM25 (Okapi) with postings per term. Immutable once built; build a new one when passages change."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._postings: dict[str, list[tuple[int, int]]] = {}
        lengths = []
        for pos, text in enumerate(texts):
            counts = Counter(index_terms(text))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self._postings.setdefault(term, []).append((pos, tf))
        self._n = len(texts)
        avg = sum(lengths) / len(lengths) if lengths else 1.0
        self._norm = [K1 * (1 - B + B * n / (avg or 1.0)) for n in lengths]

    def __len__(self) -> int:
        return self._n

    def idf(self, term: str) -> float:
        df = len(self._postings.get(term, ()))
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def search(self, question: str, limit: int, min_coverage: float) -> list[KeywordHit]:
        """Passages best first, only those covering at least ``min_coverage`` of the question."""
        groups = query_groups(question)
        if not groups or not self._n:
            return []
        weights = self._weights(groups)
        total = sum(weights)
        if not total:
            return []
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        strong: set[int] = set()  # passages matching a strong group: one shared character or a '3' is no evidence
        for group, weight in zip(groups, weights, strict=True):
            share: dict[int, float] = {}
            for term in group.terms:
                for pos in self._score(term, scores):
                    share[pos] = 1.0
            for part in group.parts:
                for pos in self._score(part, scores):
                    share[pos] = min(1.0, share.get(pos, 0.0) + 1.0 / len(group.parts))
            for pos, fraction in share.items():
                covered[pos] = covered.get(pos, 0.0) + weight * fraction
                if not group.weak and fraction == 1.0:
                    strong.add(pos)
        hits = []
        for pos, share in covered.items():
            coverage = share / total
            if coverage >= min_coverage and pos in strong:
                hits.append(KeywordHit(pos, scores[pos] * coverage, coverage))
        hits.sort(key=lambda h: (-h.score, h.position))
        return hits[:limit]

    def _weights(self, groups: list[TermGroup]) -> list[float]:
        """Each group's idf: of its rarest word the passages have, else of its rarest known pair. A word no
        passage has weighs as much as the question's weightiest known word: one such word is enough to
        make a passage only half relevant, not so much that a small corpus's skewed idf decides alone."""
        known = [[self.idf(t) for t in g.terms if t in self._postings] or
                 [self.idf(t) for t in g.parts if t in self._postings] for g in groups]
        ceiling = max((max(k) for k in known if k), default=self.idf(""))
        return [(max(k) if k else ceiling) * (WEAK_WEIGHT if g.weak else 1.0) for g, k in zip(groups, known, strict=True)]

    def _score(self, term: str, scores: dict[int, float]) -> list[int]:
        """Add the term's BM25 contribution to ``scores``; returns the passages holding it."""
        idf = self.idf(term)
        postings = self._postings.get(term, ())
        norm = self._norm
        for pos, tf in postings:
            scores[pos] = scores.get(pos, 0.0) + idf * tf * (K1 + 1) / (tf + norm[pos])
        return [pos for pos, _ in postings]
