"""Conversation history as the engine needs it; the encrypted store implements the same interface."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Protocol

from wxbot.messages import Role, Turn


class History(Protocol):
    def recent(self, contact_id: str, limit: int) -> list[Turn]:
        """The last ``limit`` turns of this contact, oldest first."""

    def add_turn(self, contact_id: str, role: Role | str, text: str, at: float | None = None, msg_id: str = "") -> None:
        """Remember one turn ('user' or 'assistant') of this contact."""


class MemoryHistory:
    """History kept in RAM, bounded per contact; for `wxbot chat` and tests that need no store."""

    def __init__(self, max_per_contact: int = 200) -> None:
        self._turns: dict[str, deque[Turn]] = defaultdict(lambda: deque(maxlen=max_per_contact))
        self._lock = threading.Lock()

    def recent(self, contact_id: str, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        with self._lock:
            return list(self._turns[contact_id])[-limit:]

    def add_turn(self, contact_id: str, role: str, text: str, at: float | None = None, msg_id: str = "") -> None:
        with self._lock:
            self._turns[contact_id].append(Turn(Role(role), text, time.time() if at is None else at, msg_id))
