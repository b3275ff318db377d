"""Drafts the owner approves before they are sent, sealed like messages and kept across restarts.

Every change of a draft's state is one conditional UPDATE (``WHERE state = 'pending'``), so when the window
and the phone approve the same draft at once exactly one of them wins and the reply goes out once. The
customer's messages a draft answers move with it: drafted while it waits, sending once approved, skipped
or expired when it is rejected, discarded or too old. Both kinds of move are checked against the one table
(wxbot/lifecycle.py): one that is not in it is refused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence

from loguru import logger
from sqlite_utils import Database

from wxbot.lifecycle import MESSAGE_OUTCOME, check_draft_move, check_inbox_moves
from wxbot.messages import Draft, DraftState, InboxState, Message, Reply, ReplySource
from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB
from wxbot.store.history import _passages_from, _passages_json

_SELECT = ("SELECT id, contact_id, state, reason, source, msg_ids, edited, created_at, text_enc, passages_enc "
           "FROM drafts")


def _key(draft_id: int, contact_id: str) -> str:
    return f"{draft_id}:{contact_id}"


class DraftsMixin:
    """Needs the inbox's ``_resumed`` (a stored row as a Message)."""

    _sdb: StoreDB
    cipher: FieldCipher
    _resumed: Callable[[tuple], Message]

    def draft_add(self, reply: Reply, *, replaces: int | None = None, at: float | None = None,
                  why: str = "") -> Draft | None:
        """Hold ``reply`` for the owner (its messages become drafted; ``why``: the DraftWhy, kept as the draft's
        reason); ``replaces`` a pending draft of the same contact whose messages the new one answers too. One transaction. None, and nothing held, when every
        message it answers was settled meanwhile, or when the draft it replaces is no longer pending (approved
        or rejected first: the new text answers that draft's questions again, which are settled)."""
        now = time.time() if at is None else at
        waiting = (InboxState.RECEIVED, InboxState.REPLYING, InboxState.DRAFTED)
        with self._sdb.tx() as db:
            marks = ", ".join("?" * len(reply.in_reply_to))
            open_ids = {r[0] for r in db.execute(
                f"SELECT msg_id FROM messages WHERE msg_id IN ({marks}) AND direction = 'in' AND state IN (?, ?, ?)",
                (*reply.in_reply_to, *waiting))}
            msg_ids = [m for m in reply.in_reply_to if m in open_ids]
            if not msg_ids:
                return None
            check_draft_move(None, DraftState.PENDING)
            if replaces is not None:
                check_draft_move(DraftState.PENDING, DraftState.REPLACED)
                if not db.execute("UPDATE drafts SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                                  (DraftState.REPLACED, now, replaces, DraftState.PENDING)).rowcount:
                    return None
            (last,) = db.execute("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'drafts'), 0)"
                                 ).fetchone()
            draft_id = last + 1
            key = _key(draft_id, reply.contact_id)
            db.execute("INSERT INTO drafts (id, contact_id, state, reason, source, msg_ids, created_at, updated_at, "
                       "text_enc, passages_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (draft_id, reply.contact_id, DraftState.PENDING, str(why), reply.source, json.dumps(msg_ids), now, now,
                        self.cipher.encrypt("drafts", key, "text", reply.body or reply.text),
                        self.cipher.encrypt("drafts", key, "passages", _passages_json(reply.passages))
                        if reply.passages else None))
            self._move_messages(db, msg_ids, InboxState.DRAFTED, "", waiting)
        logger.info("draft {} for {} holds {} messages", draft_id, reply.contact_id, len(msg_ids))
        return self.draft_get(draft_id)

    def drafts_for_gaps(self, since: float) -> tuple[set[str], set[str], set[str]]:
        """The customer messages (ids) of drafts since ``since`` that the owner rewrote before sending, that they
        rejected, and that were held because the bot was unsure (the fallback text, or the guard stopped it)."""
        rows = self._sdb.rows("SELECT msg_ids, state, edited, source, reason FROM drafts WHERE created_at >= ? AND "
                              "(edited = 1 OR state = ? OR source = ? OR reason = ?)",
                              (since, DraftState.REJECTED, ReplySource.KB_FALLBACK, "guard"))
        corrected: set[str] = set()
        rejected: set[str] = set()
        unsure: set[str] = set()
        for ids, state, edited, source, reason in rows:
            for kind, hit in ((corrected, edited), (rejected, state == DraftState.REJECTED),
                              (unsure, source == ReplySource.KB_FALLBACK or reason == "guard")):
                if hit:
                    kind.update(json.loads(ids))
        return corrected, rejected, unsure

    def draft_get(self, draft_id: int) -> Draft | None:
        rows = self._sdb.rows(f"{_SELECT} WHERE id = ?", (draft_id,))
        return self._draft(rows[0]) if rows else None

    def drafts_pending(self) -> list[Draft]:
        """The drafts waiting for the owner, oldest first."""
        return [self._draft(r) for r in self._sdb.rows(f"{_SELECT} WHERE state = ? ORDER BY id", (DraftState.PENDING,))]

    def drafts_pending_count(self) -> int:
        return self._sdb.rows("SELECT count(*) FROM drafts WHERE state = ?", (DraftState.PENDING,))[0][0]

    def draft_pending_for(self, contact_id: str) -> Draft | None:
        rows = self._sdb.rows(f"{_SELECT} WHERE state = ? AND contact_id = ? ORDER BY id DESC LIMIT 1",
                              (DraftState.PENDING, contact_id))
        return self._draft(rows[0]) if rows else None

    def draft_messages(self, draft: Draft) -> list[Message]:
        """The customer's messages a draft answers, as the bot sees them (to answer them again, or show them)."""
        marks = ", ".join("?" * len(draft.msg_ids))
        rows = self._sdb.rows(
            "SELECT m.id, m.msg_id, m.contact_id, m.time, m.state, m.kind, m.chat, m.is_at, m.text_enc, m.sender_enc, "
            "c.kind, c.nick_enc, c.remark_enc FROM messages m JOIN contacts c ON c.id = m.contact_id "
            f"WHERE m.msg_id IN ({marks}) ORDER BY m.id", draft.msg_ids)
        return [self._resumed(r) for r in rows]

    def draft_claim(self, draft_id: int, text: str | None = None) -> Draft | None:
        """pending → sending, atomically (with the owner's ``text`` instead, when given); None when another
        approval, a rejection or an expiry got there first. Its messages become sending."""
        with self._sdb.tx() as db:
            row = db.execute("SELECT contact_id, msg_ids FROM drafts WHERE id = ? AND state = ?",
                             (draft_id, DraftState.PENDING)).fetchone()
            if row is None:
                return None
            check_draft_move(DraftState.PENDING, DraftState.SENDING)
            changes = {"state": DraftState.SENDING.value, "updated_at": time.time()}
            if text is not None:
                changes.update(edited=1, text_enc=self.cipher.encrypt("drafts", _key(draft_id, row[0]), "text", text))
            db.execute(f"UPDATE drafts SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                       (*changes.values(), draft_id))
            self._move_messages(db, json.loads(row[1]), InboxState.SENDING, "", (InboxState.DRAFTED,))
        return self.draft_get(draft_id)

    def draft_close(self, draft_id: int, state: DraftState, reason: str = "",
                    from_states: Sequence[DraftState] = (DraftState.PENDING,)) -> Draft | None:
        """Move a draft from one of ``from_states`` to ``state`` (and its unsent messages with it); None when it
        was not in one of them (already handled)."""
        state = DraftState(state)
        for old in from_states:
            check_draft_move(old, state)
        with self._sdb.tx() as db:
            marks = ", ".join("?" * len(from_states))
            row = db.execute(f"SELECT msg_ids FROM drafts WHERE id = ? AND state IN ({marks})",
                             (draft_id, *from_states)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE drafts SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                       (state, reason, time.time(), draft_id))
            if state in MESSAGE_OUTCOME:
                inbox_state, why = MESSAGE_OUTCOME[state]
                self._move_messages(db, json.loads(row[0]), inbox_state, why or reason,
                                    (InboxState.DRAFTED, InboxState.SENDING))
        return self.draft_get(draft_id)

    def drafts_recover(self) -> list[int]:
        """At start-up: a draft caught while sending may have reached WeChat: failed, never sent again.
        Returns their numbers."""
        with self._sdb.tx() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM drafts WHERE state = ?", (DraftState.SENDING,))]
        for draft_id in ids:
            self.draft_close(draft_id, DraftState.FAILED, "interrupted_while_sending", (DraftState.SENDING,))
        return ids

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _move_messages(db: Database, msg_ids: Sequence[str], state: InboxState, reason: str,
                       from_states: Sequence[InboxState]) -> None:
        check_inbox_moves(from_states, state)
        marks = ", ".join("?" * len(from_states))
        db.conn.executemany(f"UPDATE messages SET state = ?, reason = ? WHERE msg_id = ? AND direction = 'in' "
                            f"AND state IN ({marks})", [(state, reason, m, *from_states) for m in msg_ids])

    def _draft(self, row: tuple) -> Draft:
        draft_id, contact_id, state, reason, source, msg_ids, edited, created_at, text_enc, passages_enc = row
        key = _key(draft_id, contact_id)
        passages = (_passages_from(self.cipher.decrypt("drafts", key, "passages", passages_enc))
                    if passages_enc is not None else ())
        return Draft(draft_id, contact_id, DraftState(state), self.cipher.decrypt("drafts", key, "text", text_enc),
                     ReplySource(source), tuple(json.loads(msg_ids)), created_at, passages, bool(edited), reason)
