"""Semantic retrieval and fusion: cosine similarity against the passages' vectors (decrypted into memory at
unlock), and reciprocal rank fusion of the keyword and the semantic rankings (k = 60, as AstrBot and the
RRF paper use), so neither a missed code nor a reworded question sinks a good passage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RRF_K = 60


@dataclass(frozen=True)
class SemanticHit:
    position: int
    similarity: float


class VectorIndex:
    """A (passages × dimensions) matrix of unit vectors; brute force is milliseconds at a shop's size."""

    def __init__(self, vectors: np.ndarray) -> None:
        self._matrix = np.ascontiguousarray(vectors, dtype=np.float32)

    def search(self, query: np.ndarray, limit: int, min_similarity: float) -> list[SemanticHit]:
        if not len(self._matrix):
            return []
        sims = self._matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        top = np.argsort(-sims)[:limit]
        return [SemanticHit(int(i), float(sims[i])) for i in top if sims[i] >= min_similarity]


def fuse(rankings: Sequence[Sequence[int]], limit: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several best-first lists of positions: (position, fused score), best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pos in enumerate(ranking, 1):
            scores[pos] = scores.get(pos, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
