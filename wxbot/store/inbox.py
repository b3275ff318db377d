"""The crash-safe inbox: a message is committed before it is processed, and its state says how far
the work got, so a restart resumes what was interrupted and never answers anything twice.

States of an incoming message: received → replying (claimed) → sending (the reply is going out) →
replied; or skipped / failed (with a reason); expired when a restart finds it too old. A message left
in ``sending`` by a crash may already have reached WeChat: it is marked failed, never sent again. Every move
is checked against the one table of moves (wxbot/lifecycle.py); one that is not in it is refused.
"""

from __future__ import annotations

import dataclasses
import time

from loguru import logger
from sqlite_utils import Database

from wxbot.lifecycle import check_inbox_move, check_text_write
from wxbot.logs import describe
from wxbot.messages import ChatKind, ContactKind, InboxState, Message, MsgKind, Reply
from wxbot.store.history import (
    OPEN_SQL,
    OPEN_STATES,
    SELECT,
    HistoryMixin,
    NewMessage,
    StoredMessage,
    row_key,
)

FINAL_STATES = (InboxState.REPLIED, InboxState.SKIPPED, InboxState.FAILED, InboxState.EXPIRED)


class InboxMixin(HistoryMixin):
    """Needs the messages table helpers of HistoryMixin."""

    def inbox_add(self, msg: Message, durable_contact_id: str) -> bool:
        """Commit an arriving message (the owner's own too, as 'out'). False if its WeChat id is known."""
        item = NewMessage(
            durable_contact_id, "out" if msg.from_self else "in", msg.text, msg.time,
            state=InboxState.SENT if msg.from_self else InboxState.RECEIVED, msg_id=msg.msg_id, kind=msg.kind.value,
            chat=msg.chat.value, is_at=msg.is_at, sender_name=msg.sender_name)
        check_inbox_move(None, InboxState(item.state))
        with self._sdb.tx() as db:
            if db.execute("SELECT 1 FROM messages WHERE msg_id = ?", (msg.msg_id,)).fetchone():
                logger.debug("inbox: duplicate message {} ignored", msg.msg_id)
                return False
            self._insert(db, [item])
        logger.debug("inbox: stored {} for {} ({})", msg.msg_id, durable_contact_id, item.state)
        return True

    def inbox_claim(self, msg_id: str) -> bool:
        """Atomically received → replying; False when another worker or an earlier run moved it first."""
        check_inbox_move(InboxState.RECEIVED, InboxState.REPLYING)
        with self._sdb.tx() as db:
            cur = db.execute("UPDATE messages SET state = 'replying', run_id = ? "
                             "WHERE msg_id = ? AND direction = 'in' AND state = 'received'", (self.run_id, msg_id))
            return cur.rowcount == 1

    def inbox_set_state(self, msg_id: str, state: InboxState, reason: str = "") -> bool:
        """Move unfinished work to ``state``; a finished message (replied, skipped…) never moves again. A move
        the lifecycle table does not have raises TransitionRefused."""
        state = InboxState(state)
        if state not in OPEN_STATES + FINAL_STATES:
            raise ValueError(f"not an inbox work state: {state!r}")
        with self._sdb.tx() as db:
            return self._move_open(db, msg_id, state, reason)

    @staticmethod
    def _move_open(db: Database, msg_id: str, state: InboxState, reason: str) -> bool:
        """An incoming message that is still open moves to ``state`` (checked against the table)."""
        row = db.execute(f"SELECT state FROM messages WHERE msg_id = ? AND direction = 'in' AND state IN {OPEN_SQL}",
                         (msg_id,)).fetchone()
        if row is None:
            return False
        check_inbox_move(InboxState(row[0]), state)
        db.execute("UPDATE messages SET state = ?, reason = ? WHERE msg_id = ? AND direction = 'in'",
                   (state, reason, msg_id))
        return True

    def inbox_set_text(self, msg_id: str, text: str) -> bool:
        """An incoming message's words read later (a voice message's transcript, a picture's text), encrypted
        like any text; False when no such incoming message is stored. Not a move: the lifecycle table says in
        which state its words may be written (TransitionRefused otherwise)."""
        with self._sdb.tx() as db:
            row = db.execute("SELECT id, contact_id, state FROM messages WHERE msg_id = ? AND direction = 'in'",
                             (msg_id,)).fetchone()
            if row is None:
                return False
            check_text_write(InboxState(row[2]))
            enc = self.cipher.encrypt("messages", row_key(row[0], row[1]), "text", text)
            db.execute("UPDATE messages SET text_enc = ? WHERE id = ?", (enc, row[0]))
        logger.debug("inbox: {} now holds {}", msg_id, describe(text))
        return True

    def record_reply(self, reply: Reply, durable_contact_id: str, *, at: float | None = None) -> int:
        """Store the sent reply (its ``body``: what history remembers, and the passages it was grounded in) and
        mark the messages it answers replied, in one transaction. Returns the new row id."""
        text = reply.body or reply.text
        item = NewMessage(durable_contact_id, "out", text, time.time() if at is None else at, state=InboxState.SENT,
                          by_bot=True, source=reply.source, in_reply_to=reply.in_reply_to, passages=reply.passages)
        with self._sdb.tx() as db:
            (row,) = self._insert(db, [item])
            for msg_id in reply.in_reply_to:
                self._move_open(db, msg_id, InboxState.REPLIED, "")
        logger.debug("inbox: reply to {} stored as row {} ({})", list(reply.in_reply_to), row, describe(text))
        return row

    def inbox_resume(self, expire_after_s: float) -> list[Message]:
        """At start-up: interrupted received/replying messages come back (once per run) to be answered;
        older ones than ``expire_after_s`` are expired; ones caught mid-send are failed, not resent.
        The returned messages carry the durable contact id as ``contact_id``."""
        cutoff = time.time() - expire_after_s
        with self._sdb.tx() as db:
            rows = db.execute(
                "SELECT m.id, m.msg_id, m.contact_id, m.time, m.state, m.kind, m.chat, m.is_at, m.text_enc, "
                "m.sender_enc, c.kind, c.nick_enc, c.remark_enc FROM messages m JOIN contacts c ON c.id = m.contact_id "
                f"WHERE m.state IN {OPEN_SQL} AND m.direction = 'in' AND m.run_id != ? ORDER BY m.id",
                (self.run_id,)).fetchall()
            redo = []
            for r in rows:
                if r[4] == InboxState.SENDING:
                    state, reason = InboxState.FAILED, "interrupted_while_sending"
                elif r[3] < cutoff:
                    state, reason = InboxState.EXPIRED, "too_old_at_restart"
                else:
                    state, reason = InboxState.RECEIVED, ""
                    redo.append(r)
                check_inbox_move(InboxState(r[4]), state)
                db.execute("UPDATE messages SET state = ?, reason = ?, run_id = ? WHERE id = ?",
                           (state, reason, self.run_id, r[0]))
        logger.info("inbox: {} interrupted messages to redo, {} expired or failed", len(redo), len(rows) - len(redo))
        return [self._resumed(r) for r in redo]

    def _resumed(self, r: tuple) -> Message:
        row_id, msg_id, contact_id, at, _, kind, chat, is_at, text_enc, sender_enc, c_kind, nick, remark = r
        key, dec = row_key(row_id, contact_id), self.cipher.decrypt
        name = dec("contacts", contact_id, "remark", remark) if remark is not None else ""
        return Message(
            msg_id=msg_id, contact_id=contact_id,
            display_name=name or (dec("contacts", contact_id, "nick", nick) if nick is not None else ""),
            chat=ChatKind(chat), text=dec("messages", key, "text", text_enc), time=at, kind=MsgKind(kind),
            sender_name=dec("messages", key, "sender", sender_enc) if sender_enc is not None else "",
            is_at=bool(is_at), contact_kind=ContactKind(c_kind))

    def merge_contacts(self, source_id: str, target_id: str) -> int:
        """The owner says ``source_id`` is really ``target_id`` (a renamed friend): move its history over,
        re-encrypted for its new contact (the ciphertexts are bound to the contact), and drop the source."""
        with self._sdb.tx() as db:
            rows = db.execute(f"{SELECT} WHERE contact_id = ? ORDER BY id", (source_id,)).fetchall()
            moved = [dataclasses.replace(_as_new(m), contact_id=target_id) for m in self._decode(rows)]
            db.execute("DELETE FROM messages WHERE contact_id = ?", (source_id,))
            self._insert(db, moved)
            db.execute("DELETE FROM contacts WHERE id = ?", (source_id,))
        logger.info("contacts: merged {} into {} ({} messages)", source_id, target_id, len(moved))
        return len(moved)


def _as_new(m: StoredMessage) -> NewMessage:
    return NewMessage(m.contact_id, m.direction, m.text, m.time, m.state, msg_id=m.msg_id, reason=m.reason,
                      by_bot=m.by_bot, source=m.source, kind=m.kind, chat=m.chat, is_at=m.is_at,
                      in_reply_to=m.in_reply_to, sender_name=m.sender_name, passages=m.passages)
