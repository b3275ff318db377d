"""What core needs from the layers beside it, as Protocols: the store and the WeChat channel satisfy them
structurally, so core never imports either (the composition root in wxbot/service.py plugs them in)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from wxbot.messages import ContactKind, InboxState, Message, Reply, ReplyMode


class StoredContact(Protocol):
    """A contact as the store keeps it, under its durable id."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> ContactKind: ...
    @property
    def nick_name(self) -> str: ...
    @property
    def remark_name(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def profile(self) -> dict[str, Any]: ...


class ChannelContact(Protocol):
    """A contact as this login's contact list shows it (per-login UserName)."""

    @property
    def user_name(self) -> str: ...
    @property
    def kind(self) -> ContactKind: ...
    @property
    def nick_name(self) -> str: ...
    @property
    def remark_name(self) -> str: ...
    @property
    def member_names(self) -> Collection[str]: ...


class ContactStore(Protocol):
    """The durable contacts and their per-contact rules (the roster's backing)."""

    def list_contacts(self) -> list[Any]: ...

    def get_contact(self, contact_id: str) -> Any | None: ...

    def find_contacts(self, kind: ContactKind, remark_name: str | None = None,
                      nick_name: str | None = None) -> list[Any]: ...

    def upsert_contact(self, kind: ContactKind, nick_name: str, remark_name: str = "", *,
                       contact_id: str | None = None, mode: ReplyMode = ReplyMode.OFF,
                       profile: dict | None = None, flag: str = "") -> Any: ...

    def merge_contacts(self, source_id: str, target_id: str) -> int: ...

    def set_flag(self, contact_id: str, flag: str) -> None: ...

    def mode(self, contact_id: str, kind: ContactKind) -> ReplyMode: ...

    def set_mode(self, contact_id: str, mode: ReplyMode) -> None: ...

    def paused_until(self, contact_id: str) -> float: ...

    def set_paused_until(self, contact_id: str, ts: float | None) -> None: ...

    def persona(self, contact_id: str) -> str | None: ...


class InboxStore(Protocol):
    """The encrypted inbox: a message is committed before it is processed, and answered at most once."""

    def inbox_add(self, msg: Message, durable_contact_id: str) -> bool: ...

    def inbox_claim(self, msg_id: str) -> bool: ...

    def inbox_set_state(self, msg_id: str, state: InboxState, reason: str = "") -> bool: ...

    def record_reply(self, reply: Reply, durable_contact_id: str, *, at: float | None = None) -> int: ...


class Sender(Protocol):
    """What the bot needs from the WeChat channel to answer (the BotService forwards to WeChatChannel)."""

    def send_text(self, user_name: str, text: str) -> bool: ...

    def who_is(self, user_name: str) -> bool:
        """Ask WeChat about a sender in no contact list; True when it knows them (a reply can reach them)."""
