"""Per-contact rules (auto-reply switch, takeover pause, persona) and the directory of names.

The store backs these with the encrypted database; MemoryContactRules keeps them in RAM (policy tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from wxbot.messages import ContactKind


@dataclass(frozen=True)
class ContactEntry:
    contact_id: str  # durable id (the store's), or the channel id where no store is used
    kind: ContactKind
    name: str  # what to show: remark name, else nickname, else group name


class ContactRules(Protocol):
    def auto_reply(self, contact_id: str, kind: ContactKind) -> bool: ...

    def set_auto_reply(self, contact_id: str, on: bool) -> None: ...

    def paused_until(self, contact_id: str) -> float: ...

    def set_paused_until(self, contact_id: str, until: float | None) -> None: ...

    def persona(self, contact_id: str) -> str | None: ...


class MemoryContactRules:
    """Switches kept in RAM. New private contacts follow ``default_private``; groups start off."""

    def __init__(self, default_private: bool) -> None:
        self.default_private = default_private
        self._switch: dict[str, bool] = {}
        self._paused: dict[str, float] = {}
        self._lock = threading.Lock()

    def auto_reply(self, contact_id: str, kind: ContactKind) -> bool:
        with self._lock:
            if contact_id in self._switch:
                return self._switch[contact_id]
        return self.default_private if kind is ContactKind.FRIEND else False

    def set_auto_reply(self, contact_id: str, on: bool) -> None:
        with self._lock:
            self._switch[contact_id] = on

    def paused_until(self, contact_id: str) -> float:
        with self._lock:
            return self._paused.get(contact_id, 0.0)

    def set_paused_until(self, contact_id: str, until: float | None) -> None:
        with self._lock:
            if until is None:
                self._paused.pop(contact_id, None)
            else:
                self._paused[contact_id] = until

    def persona(self, contact_id: str) -> str | None:
        return None
