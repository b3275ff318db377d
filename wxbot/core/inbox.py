"""The inbox: every incoming message is recorded before it is processed, and answered at most once.

States: received -> replying -> sending -> replied | skipped (reason) | failed. The store keeps this
on disk (crash-safe); MemoryInbox serves `wxbot chat` and tests that need no store.
"""

from __future__ import annotations

import threading
from typing import Protocol

from wxbot.core.history import MemoryHistory
from wxbot.core.messages import Message, Reply


class Inbox(Protocol):
    def add(self, msg: Message) -> bool:
        """Record a message (incoming, or the owner's own); False if its id was seen before."""

    def claim(self, msg_id: str) -> bool:
        """received -> replying, atomically; False if it was already taken."""

    def set_state(self, msg_id: str, state: str, reason: str = "") -> None: ...

    def record_reply(self, reply: Reply) -> None:
        """Store the bot's reply and mark the messages it answers as replied."""


class MemoryInbox:
    def __init__(self, history: MemoryHistory) -> None:
        self.history = history
        self.states: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def add(self, msg: Message) -> bool:
        with self._lock:
            if msg.msg_id in self.states:
                return False
            self.states[msg.msg_id] = ("received", "")
        self.history.add_turn(msg.contact_id, "assistant" if msg.from_self else "user", msg.text, msg.time,
                              msg.msg_id)
        return True

    def claim(self, msg_id: str) -> bool:
        with self._lock:
            if self.states.get(msg_id, ("", ""))[0] != "received":
                return False
            self.states[msg_id] = ("replying", "")
            return True

    def set_state(self, msg_id: str, state: str, reason: str = "") -> None:
        with self._lock:
            self.states[msg_id] = (state, reason)

    def record_reply(self, reply: Reply) -> None:
        self.history.add_turn(reply.contact_id, "assistant", reply.body)
        for msg_id in reply.in_reply_to:
            self.set_state(msg_id, "replied")
