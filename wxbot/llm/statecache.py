"""Per-conversation model states in RAM, so contacts A, B, A, B… don't re-evaluate their whole history.

An entry is only the KV bytes of one sequence plus its token list, nothing else (llama-cpp-python's
own ``LlamaState`` also copies an n_batch × n_vocab float array per entry). Least recently used
entries go first when the byte budget is exceeded.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class SavedState:
    tokens: npt.NDArray[np.intc]  # the tokens whose KV the data holds, in order
    data: bytearray  # llama_state_seq_get_data output (written in place, lent to set_data in place)

    @property
    def nbytes(self) -> int:
        return len(self.data) + int(self.tokens.nbytes)


def common_prefix(a: npt.ArrayLike, b: npt.ArrayLike) -> int:
    """Number of leading tokens two token sequences share."""
    x, y = np.asarray(a), np.asarray(b)
    n = min(len(x), len(y))
    differ = np.flatnonzero(x[:n] != y[:n])
    return int(differ[0]) if len(differ) else n


class StateCache:
    """An LRU of SavedState by conversation key, within ``budget_bytes``."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[str, SavedState] = OrderedDict()
        self._nbytes = 0

    @property
    def nbytes(self) -> int:
        return self._nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def put(self, key: str, state: SavedState) -> bool:
        """Store (replacing the key's older state); False when the state alone exceeds the budget."""
        self.pop(key)
        if state.nbytes > self.budget_bytes:
            return False
        while self._entries and self._nbytes + state.nbytes > self.budget_bytes:
            _, old = self._entries.popitem(last=False)
            self._nbytes -= old.nbytes
        self._entries[key] = state
        self._nbytes += state.nbytes
        return True

    def peek(self, key: str) -> SavedState | None:
        return self._entries.get(key)

    def pop(self, key: str) -> SavedState | None:
        state = self._entries.pop(key, None)
        if state is not None:
            self._nbytes -= state.nbytes
        return state

    def clear(self) -> None:
        self._entries.clear()
        self._nbytes = 0
