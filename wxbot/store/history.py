"""Conversation history in the messages table: the engine's ``History`` protocol, the window's paging
and search (text is encrypted, so search decrypts one contact's rows and filters in Python), retention.
A bot reply keeps the knowledge-base passages it was grounded in, sealed like its text."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from loguru import logger
from sqlite_utils import Database

from wxbot.messages import InboxState, Passage, Role, Turn
from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB

COLUMNS = ("id", "msg_id", "contact_id", "direction", "time", "state", "reason", "by_bot", "source", "kind", "chat",
           "is_at", "in_reply_to", "run_id", "text_enc", "sender_enc", "passages_enc")
INSERT = f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
SELECT = ("SELECT id, msg_id, contact_id, direction, time, state, reason, by_bot, source, kind, chat, is_at, "
          "in_reply_to, text_enc, sender_enc, passages_enc FROM messages")
ROLES = {"user": "in", "assistant": "out"}
OPEN_STATES = (InboxState.RECEIVED, InboxState.REPLYING, InboxState.SENDING)  # inbox work not finished yet (see inbox.py)
OPEN_SQL = "(" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")"


@dataclass(frozen=True)
class NewMessage:
    """A message row to insert; ``direction`` is 'in' (from the contact) or 'out' (the owner or the bot)."""

    contact_id: str
    direction: str
    text: str
    time: float
    state: str
    msg_id: str | None = None
    reason: str = ""
    by_bot: bool = False
    source: str = ""
    kind: str = "text"
    chat: str = "private"
    is_at: bool = False
    in_reply_to: tuple[str, ...] = ()
    sender_name: str = ""
    passages: tuple[Passage, ...] = ()  # a bot reply's knowledge-base passages


class StoredMessage(NamedTuple):
    """A decrypted message row, as the window shows it (a NamedTuple: pages of thousands build fast)."""

    id: int
    msg_id: str | None
    contact_id: str
    direction: str
    time: float
    state: str
    reason: str
    by_bot: bool
    source: str
    kind: str
    chat: str
    is_at: bool
    in_reply_to: tuple[str, ...]
    text: str
    sender_name: str
    passages: tuple[Passage, ...] = ()


def row_key(row_id: int, contact_id: str) -> str:
    """The row part of a message's associated data: its id and its contact, so a ciphertext moved to
    another row or another contact's history no longer decrypts."""
    return f"{row_id}:{contact_id}"


class HistoryMixin:
    _sdb: StoreDB
    cipher: FieldCipher
    run_id: str

    # ------------------------------------------------------------------ writing
    def _insert(self, db: Database, items: Sequence[NewMessage]) -> list[int]:
        """Insert inside the caller's transaction; ids are chosen here because the AAD names them."""
        (last,) = db.execute("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)").fetchone()
        ids = list(range(last + 1, last + 1 + len(items)))
        keys = [row_key(i, m.contact_id) for i, m in zip(ids, items, strict=True)]
        texts = self.cipher.encrypt_many("messages", "text", [(k, m.text) for k, m in zip(keys, items, strict=True)])
        senders = [self.cipher.encrypt("messages", k, "sender", m.sender_name) if m.sender_name else None
                   for k, m in zip(keys, items, strict=True)]
        passages = [self.cipher.encrypt("messages", k, "passages", _passages_json(m.passages)) if m.passages else None
                    for k, m in zip(keys, items, strict=True)]
        db.conn.executemany(INSERT, [
            (i, m.msg_id, m.contact_id, m.direction, m.time, m.state, m.reason, int(m.by_bot), m.source, m.kind,
             m.chat, int(m.is_at), json.dumps(list(m.in_reply_to)) if m.in_reply_to else "[]", self.run_id, t, s, g)
            for i, m, t, s, g in zip(ids, items, texts, senders, passages, strict=True)])
        return ids

    def insert_messages(self, items: Iterable[NewMessage], batch: int = 5000) -> int:
        """Bulk insert (imports, benchmarks): one transaction per ``batch`` rows. Returns the count."""
        count = 0
        chunk: list[NewMessage] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                count += self._insert_chunk(chunk)
                chunk = []
        return count + (self._insert_chunk(chunk) if chunk else 0)

    def _insert_chunk(self, chunk: list[NewMessage]) -> int:
        with self._sdb.tx() as db:
            return len(self._insert(db, chunk))

    def add_turn(self, contact_id: str, role: str, text: str, at: float | None = None, msg_id: str = "") -> None:
        """History protocol: remember one turn; ``contact_id`` is the durable id (contacts table).
        A turn whose WeChat ``msg_id`` is already stored (e.g. by ``inbox_add``) is not added twice."""
        if role not in ROLES:
            raise ValueError(f"role must be 'user' or 'assistant', not {role!r}")
        direction = ROLES[role]
        item = NewMessage(contact_id, direction, text, time.time() if at is None else at,
                          state=InboxState.STORED if direction == "in" else InboxState.SENT, by_bot=direction == "out",
                          source="history", msg_id=msg_id or None)
        with self._sdb.tx() as db:
            if not msg_id or not db.execute("SELECT 1 FROM messages WHERE msg_id = ?", (msg_id,)).fetchone():
                self._insert(db, [item])

    # ------------------------------------------------------------------ reading
    def _decode(self, rows: list[tuple]) -> list[StoredMessage]:
        keys = [row_key(r[0], r[2]) for r in rows]
        texts = self.cipher.decrypt_many("messages", "text", [(k, r[13]) for k, r in zip(keys, rows, strict=True)])
        dec = self.cipher.decrypt
        return [StoredMessage._make((
            *r[:7], r[7] == 1, *r[8:11], r[11] == 1, tuple(json.loads(r[12])) if r[12] != "[]" else (), text,
            dec("messages", k, "sender", r[14]) if r[14] is not None else "",
            _passages_from(dec("messages", k, "passages", r[15])) if r[15] is not None else ()))
            for k, r, text in zip(keys, rows, texts, strict=True)]

    def recent(self, contact_id: str, limit: int) -> list[Turn]:
        """History protocol: the last ``limit`` messages of this contact, oldest first."""
        if limit <= 0:
            return []
        rows = self._sdb.rows("SELECT id, direction, time, text_enc, msg_id FROM messages WHERE contact_id = ? "
                              "ORDER BY id DESC LIMIT ?", (contact_id, limit))
        dec = self.cipher.decrypt
        return [Turn(Role.USER if d == "in" else Role.ASSISTANT, dec("messages", row_key(i, contact_id), "text", enc), at,
                     msg_id if d == "in" and msg_id else "")
                for i, d, at, enc, msg_id in reversed(rows)]

    def page(self, contact_id: str, *, before: int | None = None, limit: int = 50) -> list[StoredMessage]:
        """Newest first; pass the smallest ``id`` of one page as ``before`` to get the next."""
        rows = self._sdb.rows(f"{SELECT} WHERE contact_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                              (contact_id, before if before is not None else 2**63 - 1, limit))
        return self._decode(rows)

    def search(self, contact_id: str, query: str) -> list[StoredMessage]:
        """Messages of this contact whose text contains ``query`` (case-insensitive), newest first."""
        needle = query.casefold()
        if not needle:
            return []
        rows = self._sdb.rows(f"{SELECT} WHERE contact_id = ? ORDER BY id DESC", (contact_id,))
        found = [m for m in self._decode(rows) if needle in m.text.casefold()]
        logger.debug("search in {}: {} of {} messages match", contact_id, len(found), len(rows))
        return found

    def conversations_since(self, since: float) -> list[StoredMessage]:
        """Every message with friends and groups from ``since`` on, per contact in time order (decrypted here,
        for the resolution figures: the text tells a thank-you from a new question)."""
        rows = self._sdb.rows(f"{SELECT} WHERE time >= ? AND source != 'history' AND contact_id IN "
                              "(SELECT id FROM contacts WHERE kind IN ('friend', 'group')) ORDER BY contact_id, time, id",
                              (since,))
        return self._decode(rows)

    def get_message(self, msg_id: str) -> StoredMessage | None:
        rows = self._sdb.rows(f"{SELECT} WHERE msg_id = ?", (msg_id,))
        return self._decode(rows)[0] if rows else None

    # ------------------------------------------------------------------ retention
    def purge_older_than(self, days: int) -> int:
        """Delete messages older than ``days`` (0 = keep everything; unfinished inbox work is kept)."""
        if days <= 0:
            return 0
        cutoff = time.time() - days * 86400
        with self._sdb.tx() as db:
            deleted = db.execute(f"DELETE FROM messages WHERE time < ? AND state NOT IN {OPEN_SQL}",
                                 (cutoff,)).rowcount
        self._sdb.checkpoint()  # secure_delete zeroed the pages; don't leave old frames in the WAL
        logger.info("retention: deleted {} messages older than {} days", deleted, days)
        return deleted


def _passages_json(passages: Sequence[Passage]) -> str:
    return json.dumps([dataclasses.asdict(p) for p in passages], ensure_ascii=False)


def _passages_from(text: str) -> tuple[Passage, ...]:
    return tuple(Passage(**p) for p in json.loads(text))
