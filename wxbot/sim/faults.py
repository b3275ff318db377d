"""Fault injection for the simulator: per endpoint, answer with a 5xx, hang, or malformed body,
for a number of requests or for a span of time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

FAULT_KINDS = ("5xx", "hang", "badjson")


@dataclass
class _Fault:
    kind: str
    count: int | None
    until: float | None


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[_Fault]] = {}
        self.hits: dict[tuple[str, str], int] = {}  # (endpoint, kind) -> requests that suffered it

    def add(self, endpoint: str, kind: str, count: int | None = None, duration: float | None = None) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}")
        if (count is None) == (duration is None):
            raise ValueError("give exactly one of count or duration")
        until = None if duration is None else time.monotonic() + duration
        with self._lock:
            self._faults.setdefault(endpoint, []).append(_Fault(kind, count, until))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def hit_counts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self.hits)

    def take(self, endpoint: str) -> str | None:
        """The fault this request suffers, if any (consumes one from a counted fault)."""
        now = time.monotonic()
        with self._lock:
            queue = self._faults.get(endpoint, [])
            queue[:] = [f for f in queue if (f.count is None or f.count > 0) and (f.until is None or f.until > now)]
            if not queue:
                return None
            fault = queue[0]
            if fault.count is not None:
                fault.count -= 1
            self.hits[(endpoint, fault.kind)] = self.hits.get((endpoint, fault.kind), 0) + 1
            return fault.kind
