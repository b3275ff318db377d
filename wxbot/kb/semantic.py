"""Semantic retrieval and fusion: cosine similarity against the passages' vectors (decrypted into memory at
unlock), a floor calibrated on off-topic chatter, and reciprocal rank fusion of the keyword and the semantic
rankings (k = 60, as AstrBot and the RRF paper use), so neither a missed code nor a reworded question sinks
a good passage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RRF_K = 60
# Questions no shop document answers. Whatever similarity they reach with the passages is what this model
# gives to chatter, so a semantic hit must beat it: a poorly suited model (every cosine near 0.9) then adds
# nothing instead of answering "讲个笑话" with a price list.
PROBES = ("今天天气怎么样", "给我讲个笑话", "你是机器人吗", "推荐一部好看的电影", "一加一等于几", "我心情不好",
          "帮我写一首诗", "明天会下雨吗", "附近有什么好吃的", "Hello, how are you?")


@dataclass(frozen=True)
class SemanticHit:
    position: int
    similarity: float


class VectorIndex:
    """A (passages × dimensions) matrix of unit vectors; brute force is milliseconds at a shop's size.
    ``floor``: the best similarity any off-topic probe reaches; hits must be above it."""

    def __init__(self, vectors: np.ndarray, probes: np.ndarray) -> None:
        self._matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        self.floor = float((np.asarray(probes, dtype=np.float32) @ self._matrix.T).max()) if len(self._matrix) else 1.0

    def search(self, query: np.ndarray, limit: int, min_similarity: float) -> list[SemanticHit]:
        if not len(self._matrix):
            return []
        sims = self._matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        top = np.argsort(-sims)[:limit]
        return [SemanticHit(int(i), float(sims[i])) for i in top if sims[i] >= min_similarity and sims[i] > self.floor]


def fuse(rankings: Sequence[Sequence[int]], limit: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several best-first lists of positions: (position, fused score), best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pos in enumerate(ranking, 1):
            scores[pos] = scores.get(pos, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
