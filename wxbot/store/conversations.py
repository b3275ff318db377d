"""The workbench's conversation list from the messages table: each contact's latest message (one row decrypted
per contact), the customer's messages since the last one sent to them, and how many of those the bot meant to
answer and didn't (the dashboard's definition of missed), and the drafts waiting."""

from __future__ import annotations

from typing import NamedTuple

from wxbot.messages import DraftState, InboxState
from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB
from wxbot.store.history import row_key
from wxbot.store.stats import MISSED_REASONS


class ConversationRow(NamedTuple):
    contact_id: str
    last_id: int
    last_time: float
    last_direction: str  # "in" | "out"
    last_text: str
    tail_in: tuple[int, ...]  # ids of the customer's messages after the last message sent to them, oldest first
    missed: int  # how many of those the bot meant to answer and did not (skipped for a missed reason, failed, expired)
    drafts: int  # drafts waiting for the owner


class ConversationsMixin:
    _sdb: StoreDB
    cipher: FieldCipher

    def conversation_rows(self) -> list[ConversationRow]:
        """Every contact with a message, newest conversation first."""
        latest = self._sdb.rows(
            "SELECT m.contact_id, m.id, m.time, m.direction, m.text_enc FROM messages m "
            "JOIN (SELECT contact_id, max(id) AS last FROM messages GROUP BY contact_id) l ON m.id = l.last "
            "ORDER BY m.time DESC, m.id DESC")
        tails = self._sdb.rows(
            "SELECT m.contact_id, m.id, m.state, m.reason FROM messages m WHERE m.direction = 'in' AND m.id > "
            "coalesce((SELECT max(o.id) FROM messages o WHERE o.contact_id = m.contact_id AND o.direction = 'out'), 0) "
            "ORDER BY m.id")
        drafts = dict(self._sdb.rows("SELECT contact_id, count(*) FROM drafts WHERE state = ? GROUP BY contact_id",
                                     (DraftState.PENDING,)))
        tail: dict[str, list[int]] = {}
        missed: dict[str, int] = {}
        for contact_id, row_id, state, reason in tails:
            tail.setdefault(contact_id, []).append(row_id)
            if state in (InboxState.FAILED, InboxState.EXPIRED) or (state == InboxState.SKIPPED
                                                                     and reason in MISSED_REASONS):
                missed[contact_id] = missed.get(contact_id, 0) + 1
        texts = self.cipher.decrypt_many("messages", "text", [(row_key(r[1], r[0]), r[4]) for r in latest])
        return [ConversationRow(cid, row_id, at, direction, text, tuple(tail.get(cid, ())), missed.get(cid, 0),
                                drafts.get(cid, 0))
                for (cid, row_id, at, direction, _), text in zip(latest, texts, strict=True)]
