"""The bot's Inbox on the encrypted store: messages are committed before they are processed."""

from __future__ import annotations

from wxbot.core.ports import InboxStore
from wxbot.messages import InboxState, Message, Reply


class StoreInbox:
    def __init__(self, store: InboxStore) -> None:
        self.store = store

    def add(self, msg: Message) -> bool:
        return self.store.inbox_add(msg, msg.contact_id)

    def claim(self, msg_id: str) -> bool:
        return self.store.inbox_claim(msg_id)

    def set_state(self, msg_id: str, state: InboxState, reason: str = "") -> None:
        self.store.inbox_set_state(msg_id, state, reason)

    def set_text(self, msg_id: str, text: str) -> None:
        self.store.inbox_set_text(msg_id, text)

    def record_reply(self, reply: Reply) -> None:
        self.store.record_reply(reply, reply.contact_id)
