"""Per-contact rules (reply mode, takeover pause, waiting for the owner, persona) and the directory of names.

The store backs these with the encrypted database; MemoryContactRules keeps them in RAM (policy tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from wxbot.messages import ContactKind, ReplyMode


@dataclass(frozen=True)
class ContactEntry:
    contact_id: str  # durable id (the store's), or the channel id where no store is used
    kind: ContactKind
    name: str  # what to show: remark name, else nickname, else group name


class ContactRules(Protocol):
    def mode(self, contact_id: str, kind: ContactKind) -> ReplyMode: ...

    def set_mode(self, contact_id: str, mode: ReplyMode) -> None: ...

    def paused_until(self, contact_id: str) -> float: ...

    def set_paused_until(self, contact_id: str, until: float | None) -> None: ...

    def persona(self, contact_id: str) -> str | None: ...

    def waiting_since(self, contact_id: str) -> float: ...

    def set_waiting(self, contact_id: str, since: float | None, reason: str = "") -> None: ...

    def waiting_contacts(self) -> list[str]: ...


class MemoryContactRules:
    """Modes kept in RAM. New private contacts follow ``default_private``; groups start off."""

    def __init__(self, default_private: ReplyMode) -> None:
        self.default_private = default_private
        self._mode: dict[str, ReplyMode] = {}
        self._paused: dict[str, float] = {}
        self._waiting: dict[str, float] = {}
        self._lock = threading.Lock()

    def mode(self, contact_id: str, kind: ContactKind) -> ReplyMode:
        with self._lock:
            if contact_id in self._mode:
                return self._mode[contact_id]
        return self.default_private if kind is ContactKind.FRIEND else ReplyMode.OFF

    def set_mode(self, contact_id: str, mode: ReplyMode) -> None:
        with self._lock:
            self._mode[contact_id] = ReplyMode(mode)

    def paused_until(self, contact_id: str) -> float:
        with self._lock:
            return self._paused.get(contact_id, 0.0)

    def set_paused_until(self, contact_id: str, until: float | None) -> None:
        with self._lock:
            if until is None:
                self._paused.pop(contact_id, None)
            else:
                self._paused[contact_id] = until

    def waiting_since(self, contact_id: str) -> float:
        with self._lock:
            return self._waiting.get(contact_id, 0.0)

    def set_waiting(self, contact_id: str, since: float | None, reason: str = "") -> None:
        with self._lock:
            if since is None:
                self._waiting.pop(contact_id, None)
            else:
                self._waiting[contact_id] = since

    def waiting_contacts(self) -> list[str]:
        with self._lock:
            return sorted(self._waiting, key=self._waiting.__getitem__)

    def persona(self, contact_id: str) -> str | None:
        return None
