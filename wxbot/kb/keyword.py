"""Keyword retrieval: an in-memory BM25 index over the passages' terms (built at unlock: nothing of it is on
disk), and a relevance test (how much of the question a passage covers) so unrelated questions find nothing."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wxbot.kb.terms import TermGroup, index_terms, pairs, query_groups, word_group

K1 = 1.2
B = 0.75
WEAK_WEIGHT = 0.25  # a weak group (one character, a small number) counts this much of its idf
CODE_WEIGHT = 2.0  # a product code is an exact identifier: it counts double
UNKNOWN_WEIGHT = 1.2  # a word no passage has: the question is (also) about something the documents lack
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

Postings = tuple[np.ndarray, np.ndarray]  # (passage positions, ascending; term frequencies)


@dataclass(frozen=True)
class KeywordHit:
    position: int  # index into the passages the index was built from
    score: float  # BM25 weighted by coverage; higher is better
    coverage: float  # share of the question's (idf-weighted) term groups the passage holds, 0..1


class KeywordIndex:
    """BM25 (Okapi) with postings per term as arrays, so a term every row holds (a price column's name)
    costs one vector operation, not a loop. Immutable once built; build a new one when passages change."""

    def __init__(self, texts: Sequence[str]) -> None:
        lists: dict[str, tuple[list[int], list[int]]] = {}
        lengths = []
        for pos, text in enumerate(texts):
            counts = Counter(index_terms(text))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                entry = lists.setdefault(term, ([], []))
                entry[0].append(pos)
                entry[1].append(tf)
        self._postings = {t: (np.array(p, dtype=np.int64), np.array(f, dtype=np.float64)) for t, (p, f) in lists.items()}
        self._n = len(texts)
        length = np.array(lengths, dtype=np.float64)
        self._norm = K1 * (1 - B + B * length / (length.mean() if len(length) else 1.0))

    def __len__(self) -> int:
        return self._n

    def _idf(self, df: int) -> float:
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def _lookup(self, term: str) -> Postings:
        """A term's postings; a longer Chinese term jieba did not cut out is found where all its pairs are."""
        found = self._postings.get(term)
        if found is not None:
            return found
        if len(term) < 3 or term[0] < "\u3400":
            return _EMPTY
        positions, tfs = self._postings.get(term[:2], _EMPTY)
        for pair in pairs(term)[1:]:
            other, other_tf = self._postings.get(pair, _EMPTY)
            positions, mine, theirs = np.intersect1d(positions, other, assume_unique=True, return_indices=True)
            tfs = np.minimum(tfs[mine], other_tf[theirs])
        return positions, tfs

    def search(self, question: str, limit: int, min_coverage: float) -> list[KeywordHit]:
        """Passages best first, only those covering at least ``min_coverage`` of the question."""
        if not self._n:
            return []
        groups = self._compounds(query_groups(question))
        if not groups:
            return []
        postings = {t: self._lookup(t) for g in groups for t in (*g.terms, *g.parts)}
        weights = self._weights(groups, postings)
        scores = np.zeros(self._n)
        for positions, tfs in postings.values():
            idf = self._idf(len(positions))
            scores[positions] += idf * tfs * (K1 + 1) / (tfs + self._norm[positions])
        covered = np.zeros(self._n)
        strong = np.zeros(self._n, dtype=bool)  # holds a whole strong group: one shared character is no evidence
        for group, weight in zip(groups, weights, strict=True):
            share = np.zeros(self._n)
            for part in group.parts:
                share[postings[part][0]] += 1.0 / len(group.parts)
            for term in group.terms:
                share[postings[term][0]] = 1.0
            share = np.minimum(share, 1.0)
            covered += weight * share
            if not group.weak:
                strong |= share >= 1.0
        coverage = covered / sum(weights)
        ranked = scores * coverage
        chosen = np.flatnonzero((coverage >= min_coverage) & strong)
        best = chosen[np.lexsort((chosen, -ranked[chosen]))][:limit]
        return [KeywordHit(int(pos), float(ranked[pos]), float(coverage[pos])) for pos in best]

    def _known(self, group: TermGroup) -> bool:
        return any(len(self._lookup(t)[0]) for t in (*group.terms, *group.parts))

    def _compounds(self, groups: list[TermGroup]) -> list[TermGroup]:
        """A word no passage has, right before a word they have, is read as one name (羊驼毛 + 围巾): only
        a passage with the whole name covers it, so 真丝围巾 does not answer a question about 羊驼毛围巾."""
        out: list[TermGroup] = []
        for group in groups:
            before = out[-1] if out else None
            if (before is not None and group.run >= 0 and before.run == group.run and not before.weak
                    and not group.weak and not self._known(before) and self._known(group)):
                out[-1] = word_group(before.terms[0] + group.terms[0], group.run)
            else:
                out.append(group)
        return out

    def _weights(self, groups: list[TermGroup], postings: dict[str, Postings]) -> list[float]:
        """Each group's idf: of its rarest word the passages have (of its commonest for a synonym group,
        which any of its words satisfies), else of its rarest known pair. A word no
        passage has weighs a little more than the question's weightiest known word: one such word beside
        one known word leaves a passage under half relevant (羊绒围巾 must not find 真丝围巾), and a small
        corpus's skewed idf does not decide alone."""
        known = [[self._idf(len(postings[t][0])) for t in g.terms if len(postings[t][0])] or
                 [self._idf(len(postings[t][0])) for t in g.parts if len(postings[t][0])] for g in groups]
        ceiling = max((max(k) for k in known if k), default=self._idf(0))
        return [((min(k) if g.broad else max(k)) if k else ceiling * UNKNOWN_WEIGHT) * (WEAK_WEIGHT if g.weak else CODE_WEIGHT if g.code else 1.0)
                for g, k in zip(groups, known, strict=True)]
