"""The per-conversation state LRU: byte accounting, eviction order, prefix matching."""

from __future__ import annotations

import numpy as np

from wxbot.llm.statecache import SavedState, StateCache, common_prefix


def state(n_tokens: int, n_bytes: int) -> SavedState:
    return SavedState(tokens=np.arange(n_tokens, dtype=np.intc), data=bytearray(n_bytes))


def test_entry_size_counts_kv_bytes_and_tokens():
    assert state(10, 1000).nbytes == 1000 + 10 * 4


def test_lru_evicts_least_recently_used_within_budget():
    cache = StateCache(budget_bytes=3 * 1040)
    for key in "ABC":
        assert cache.put(key, state(10, 1000))
    assert cache.peek("A") is not None  # peeking does not refresh; only put order counts
    cache.put("A", state(10, 1000))  # A is now the newest
    cache.put("D", state(10, 1000))
    assert "B" not in cache and {"A", "C", "D"} <= {k for k in "ABCD" if k in cache}
    assert cache.nbytes == 3 * 1040 <= cache.budget_bytes


def test_replacing_a_key_frees_its_old_bytes():
    cache = StateCache(budget_bytes=10_000)
    cache.put("A", state(10, 5000))
    cache.put("A", state(10, 100))
    assert len(cache) == 1 and cache.nbytes == 140


def test_state_larger_than_budget_is_refused_and_keeps_others():
    cache = StateCache(budget_bytes=2000)
    cache.put("A", state(10, 1000))
    assert not cache.put("B", state(10, 5000))
    assert "A" in cache and "B" not in cache


def test_zero_budget_stores_nothing():
    cache = StateCache(budget_bytes=0)
    assert not cache.put("A", state(1, 1))
    assert len(cache) == 0 and cache.nbytes == 0


def test_pop_returns_and_forgets():
    cache = StateCache(budget_bytes=10_000)
    cache.put("A", state(3, 10))
    assert cache.pop("A").nbytes == 22
    assert cache.pop("A") is None and cache.nbytes == 0


def test_common_prefix():
    assert common_prefix([1, 2, 3], [1, 2, 4, 5]) == 2
    assert common_prefix([1, 2], [1, 2, 3]) == 2
    assert common_prefix(np.array([], dtype=np.intc), [1]) == 0
    assert common_prefix([9], [1]) == 0
