"""Maps the channel's per-login names (itchat UserName) to the contact ids the rest of the bot keys on.

MemoryDirectory uses the UserName itself (one session, no store); the store's identity matcher gives
durable ids that survive re-login.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Protocol

from wxbot.core.contacts import ContactEntry
from wxbot.core.messages import ContactKind, Message


class Directory(Protocol):
    def resolve(self, msg: Message) -> Message:
        """The message with ``contact_id`` replaced by the durable contact id."""

    def user_name(self, contact_id: str) -> str:
        """The current login's UserName to send to."""

    def find(self, name: str) -> list[ContactEntry]:
        """Contacts whose shown name, remark or nickname equals ``name``."""

    def own_names(self, user_name: str) -> tuple[str, ...]:
        """The bot's own names in this conversation (group display name, nickname) for @-mentions."""


class MemoryDirectory:
    def __init__(self, own_nick: str = "") -> None:
        self.own_nick = own_nick
        self._entries: dict[str, ContactEntry] = {}
        self._group_self_names: dict[str, str] = {}
        self._lock = threading.Lock()

    def update(self, entries: list[ContactEntry], group_self_names: dict[str, str] | None = None) -> None:
        with self._lock:
            self._entries = {e.contact_id: e for e in entries}
            self._group_self_names = dict(group_self_names or {})

    def resolve(self, msg: Message) -> Message:
        with self._lock:
            known = msg.contact_id in self._entries
        if not known and msg.contact_kind is not ContactKind.SPECIAL:
            name = msg.display_name or msg.contact_id
            kind = ContactKind.GROUP if msg.is_group else msg.contact_kind
            with self._lock:
                self._entries[msg.contact_id] = ContactEntry(msg.contact_id, kind, name)
        return dataclasses.replace(msg)

    def user_name(self, contact_id: str) -> str:
        return contact_id

    def find(self, name: str) -> list[ContactEntry]:
        with self._lock:
            return [e for e in self._entries.values() if e.name == name]

    def own_names(self, user_name: str) -> tuple[str, ...]:
        with self._lock:
            group_name = self._group_self_names.get(user_name, "")
        return tuple(n for n in (group_name, self.own_nick) if n)
