"""The inbox: every incoming message is recorded before it is processed, and answered at most once.

States: received -> replying -> sending -> replied | skipped (reason) | failed. The store keeps this
on disk (crash-safe).
"""

from __future__ import annotations

from typing import Protocol

from wxbot.messages import InboxState, Message, Reply


class Inbox(Protocol):
    def add(self, msg: Message) -> bool:
        """Record a message (incoming, or the owner's own); False if its id was seen before."""

    def claim(self, msg_id: str) -> bool:
        """received -> replying, atomically; False if it was already taken."""

    def set_state(self, msg_id: str, state: InboxState, reason: str = "") -> None: ...

    def set_text(self, msg_id: str, text: str) -> None:
        """Store what an incoming voice message or picture said, once it has been read."""

    def record_reply(self, reply: Reply) -> None:
        """Store the bot's reply and mark the messages it answers as replied."""
