"""What the bot needs to map the channel's per-login names (itchat UserName) to durable contact ids;
the Roster implements it on the store, with the identity matcher.
"""

from __future__ import annotations

from typing import Protocol

from wxbot.core.contacts import ContactEntry
from wxbot.messages import Message


class Directory(Protocol):
    def resolve(self, msg: Message) -> Message:
        """The message with ``contact_id`` replaced by the durable contact id."""

    def listed(self, user_name: str) -> bool:
        """False for a private sender in no contact list WeChat gave this login (and not looked up since)."""

    def known(self, user_name: str) -> None:
        """WeChat told us who ``user_name`` is: it can be answered."""

    def user_name(self, contact_id: str) -> str:
        """The current login's UserName to send to."""

    def find(self, name: str) -> list[ContactEntry]:
        """Contacts whose shown name, remark or nickname equals ``name``."""

    def name_of(self, contact_id: str) -> str:
        """The contact's name as the owner knows it (remark, else nickname, else group name)."""

    def own_names(self, user_name: str) -> tuple[str, ...]:
        """The bot's own names in this conversation (group display name, nickname) for @-mentions."""
