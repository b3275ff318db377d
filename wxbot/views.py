"""What the window and the command line read and ask: the read-model over the store and the bot (contacts,
history, drafts, the dashboard's figures, the operation log and its export) and the owner's small commands on
them. The composition root (wxbot/service.py) builds the parts; this module only reads them, so a page's needs
change here and the wiring does not.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wxbot.core.bot import Bot
from wxbot.core.commands import FOREVER
from wxbot.core.drafts import Keep
from wxbot.core.firstchar import FirstCharTimes
from wxbot.core.gaps import ANSWERED_KEY, Gap, gap_questions, group_gaps, normalised
from wxbot.core.mediatext import shown
from wxbot.core.resolution import ASSUMED_AFTER_S, resolution
from wxbot.core.roster import Roster
from wxbot.errors import StoreError
from wxbot.events import ContactsChanged
from wxbot.files import replace_private
from wxbot.messages import Activity, Actor, ContactKind, DraftWhy, OpKind, Passage, ReplyMode, StrState
from wxbot.store import Store
from wxbot.store.history import StoredMessage
from wxbot.store.oplog import Operation, operations_csv
from wxbot.store.stats import period_start


@dataclass(frozen=True)
class ContactView:
    """One contact as the Contacts page shows it."""

    contact_id: str
    kind: str  # "friend" | "group" | "public" | "special"
    name: str
    mode: ReplyMode  # off | draft | auto
    paused_until: float  # epoch seconds; 0 = not paused (human takeover / #pause)
    flag: str = ""  # "", "renamed", "ambiguous", "maybe_renamed": the owner should confirm
    waiting: bool = False  # 等店主: handed to the owner (a complaint…), no automatic replies until resolved


@dataclass(frozen=True)
class DraftView:
    """One draft waiting for the owner, as the Drafts page shows it."""

    draft_id: int
    contact_id: str
    name: str
    asked: tuple[str, ...]  # the customer's messages it answers, oldest first
    text: str  # what would be sent (without the reply prefix)
    sources: tuple[str, ...]  # the knowledge-base passages it used, as labels
    created_at: float
    why: DraftWhy = DraftWhy.REVIEW  # why it was held for the owner


class WaitReason(StrState):
    """Why a conversation waits for the owner (the 「等你处理」 badge and the Conversations page's filter)."""

    HANDOFF = "handoff"  # handed to the owner (等店主): a complaint, a refund, asked for a person
    DRAFT = "draft"  # a draft waits to be sent, edited or rejected
    MISSED = "missed"  # a customer's message the bot meant to answer and didn't


@dataclass(frozen=True)
class ConversationView:
    """One line of the Conversations list: the contact, its latest message and what waits in it."""

    contact: ContactView
    last_time: float
    last_direction: str  # "in" | "out"
    preview: str  # the latest message's text
    tail_in: tuple[int, ...]  # the customer's messages (row ids) since the last one sent to them
    missed: int
    drafts: int

    def unread(self, seen_id: int) -> int:
        """The customer's messages since the last reply that are newer than the newest one the owner saw."""
        return sum(1 for row_id in self.tail_in if row_id > seen_id)


@dataclass(frozen=True)
class HistoryItem:
    """One stored message as the Conversations page shows it."""

    id: int
    contact_id: str
    direction: str  # "in" | "out"
    by_bot: bool
    text: str
    time: float
    state: str  # inbox state for incoming messages: replied, skipped (reason), failed…
    reason: str = ""
    passages: tuple[Passage, ...] = ()  # what a bot reply was grounded in
    source: str = ""  # a bot reply's ReplySource value ("history" for imported turns)


class WindowViews:
    """The window's and the CLI's side of the BotService (which provides these parts once the store is open)."""

    store: Store | None
    bot: Bot | None
    roster: Roster | None
    first_chars: FirstCharTimes
    _emit: Callable[[object], None]

    # ------------------------------------------------------------------ contacts and history
    def contacts(self) -> list[ContactView]:
        if self.store is None:
            return []
        waiting = set(self.store.waiting_contacts())
        return [ContactView(c.id, c.kind.value, c.display_name, c.mode, c.paused_until or 0.0, c.flag, c.id in waiting)
                for c in self.store.list_contacts()]

    def gaps(self, days: int = 30) -> list[Gap]:
        """知识缺口: the questions of the last ``days`` days the bot could not answer by itself, grouped, most
        frequent first (blocks: decrypts)."""
        if self.store is None:
            return []
        since = time.time() - days * 86400
        found = gap_questions(self.store.conversations_since(since), *self.store.drafts_for_gaps(since))
        return group_gaps(found, set(self.store.get_personal(ANSWERED_KEY, [])))

    def answer_gap(self, gap: Gap, kind: Keep, answer: str) -> str:
        """Answer a gap once: kept as an FAQ rule or a knowledge-base note the way #faq N keeps a corrected
        draft (one call), and the gap closed; the same question is answered from it from then on."""
        if not answer.strip():
            return "答案是空的，没有保存 (the answer is empty: nothing kept)"
        if self.bot is None or self.bot.drafts.keep is None:
            return "现在不能保存 (nothing to keep it in now)"
        self.bot.drafts.keep(kind, gap.question, answer.strip())
        closed = set(self.store.get_personal(ANSWERED_KEY, [])) | {normalised(q) for q in gap.questions}
        self.store.set_personal(ANSWERED_KEY, sorted(closed))
        where = "常见问题 FAQ rule" if kind is Keep.FAQ else "知识库笔记 knowledge-base note"
        return f"已保存为{where}：下次同样的问题会这样回答 (kept)"

    def waiting(self) -> list[ContactView]:
        """Contacts waiting for the owner (handoff), longest waiting first."""
        if self.store is None:
            return []
        order = {cid: i for i, cid in enumerate(self.store.waiting_contacts())}
        # one handed over between the two reads (the bot runs on) is the newest: last
        return sorted((c for c in self.contacts() if c.waiting), key=lambda c: order.get(c.contact_id, len(order)))

    def resolve_handoff(self, contact_id: str) -> bool:
        """「处理完」: the owner dealt with a waiting contact; automatic replies resume."""
        done = self.bot is not None and self.bot.handoffs.resolve(contact_id)
        self._emit(ContactsChanged((contact_id,)))
        return done

    def set_mode(self, contact_id: str, mode: ReplyMode) -> None:
        self.set_mode_many([contact_id], mode)

    def set_mode_many(self, contact_ids: list[str], mode: ReplyMode) -> None:
        for cid in contact_ids:
            self.store.set_mode(cid, mode)
        self._emit(ContactsChanged(tuple(contact_ids)))

    def pause_contact(self, contact_id: str, minutes: float | None) -> None:
        until = time.time() + (minutes * 60 if minutes is not None else FOREVER)
        self.store.set_paused_until(contact_id, until)
        self._emit(ContactsChanged((contact_id,)))

    def resume_contact(self, contact_id: str) -> None:
        self.store.set_paused_until(contact_id, None)
        self._emit(ContactsChanged((contact_id,)))

    def confirm_contact(self, contact_id: str, merge_into: str | None = None) -> None:
        self.roster.confirm(contact_id, merge_into)
        self._emit(ContactsChanged())

    def history(self, contact_id: str, before: int | None = None, limit: int = 50) -> list[HistoryItem]:
        return [_item(m) for m in self.store.page(contact_id, before=before, limit=limit)]

    def search(self, contact_id: str, query: str) -> list[HistoryItem]:
        return [_item(m) for m in self.store.search(contact_id, query)]

    # ------------------------------------------------------------------ the workbench
    def conversations(self) -> list[ConversationView]:
        """Every contact with a message, newest conversation first (blocks: decrypts one message per contact)."""
        if self.store is None:
            return []
        contacts = {c.contact_id: c for c in self.contacts()}
        return [ConversationView(contacts[r.contact_id], r.last_time, r.last_direction, r.last_text, r.tail_in,
                                 r.missed, r.drafts)
                for r in self.store.conversation_rows() if r.contact_id in contacts]

    @staticmethod
    def waiting_reason(conversation: ConversationView) -> WaitReason | None:
        """Why this conversation waits for the owner, or None: the one place that decides (a handoff first,
        then a draft)."""
        if conversation.contact.waiting:
            return WaitReason.HANDOFF
        if conversation.drafts:
            return WaitReason.DRAFT
        if conversation.missed:
            return WaitReason.MISSED
        return None

    def send_reply(self, contact_id: str, text: str) -> None:
        """The owner writes to a contact from the window: sent as theirs, a takeover like writing from the phone
        (blocks: the network). Raises MessageRefused, WeChatError, StoreError in words."""
        if self.bot is None or self.store is None:
            raise StoreError("数据还没有打开，请稍候", "the store is not open yet")
        contact = self.store.get_contact(contact_id)
        self.bot.send_as_owner(contact_id, text, group=contact is not None and contact.kind is ContactKind.GROUP)

    # ------------------------------------------------------------------ drafts (the window's side of the desk)
    def drafts(self) -> list[DraftView]:
        """Drafts waiting for the owner, oldest first."""
        if self.bot is None:
            return []
        return [DraftView(d.id, d.contact_id, self.roster.name_of(d.contact_id),
                          tuple(shown(m.kind, m.text) for m in self.store.draft_messages(d)), d.text,
                          tuple(p.label for p in d.passages), d.created_at, DraftWhy.of(d.reason))
                for d in self.bot.drafts.pending()]

    def activity(self, days: int) -> Activity:
        """The Dashboard's figures: today (``days`` = 0) or the last ``days`` days, up to now (blocks: a query)."""
        if self.store is None:
            raise StoreError("数据还没有打开，请稍候", "the store is not open yet")
        return self.activity_at(days, time.time())

    def activity_at(self, days: int, now: float) -> Activity:
        """``activity(days)`` as of ``now``, with the customers waiting for the owner, the resolution figures and
        the recent replies' time to the first character."""
        since = period_start(days, now)
        figures = self.store.activity(since, now)
        outcome = resolution(self.store.conversations_since(since), now)
        waiting = (set(self.store.waiting_contacts()) | {d.contact_id for d in self.store.drafts_pending()}
                   | self.store.missed_contacts(now - ASSUMED_AFTER_S))
        return dataclasses.replace(figures, waiting_for_you=len(waiting), confirmed=outcome.confirmed,
                                   assumed=outcome.assumed, not_resolved=outcome.not_resolved,
                                   first_visible=self.first_chars.figures())

    def operations(self) -> list[Operation]:
        """The operation log, newest first (blocks: decrypts)."""
        return self.store.operations() if self.store is not None else []

    def export_operations(self, path: Path) -> Path:
        """Write the operation log to ``path`` as an owner-only CSV (not encrypted) and log the export."""
        written = replace_private(path, operations_csv(self.operations()).encode("utf-8"))
        self.store.log_operation(OpKind.EXPORT, Actor.WINDOW, f"operation log: {written.name}")
        return written

    def pending_drafts(self) -> int:
        return self.store.drafts_pending_count() if self.store is not None else 0

    def approve_draft(self, draft_id: int, text: str | None = None) -> str:
        """Send draft N (with the owner's ``text`` instead, when given); the answer says what happened."""
        return self.bot.drafts.approve(draft_id, text)

    def reject_draft(self, draft_id: int) -> str:
        return self.bot.drafts.reject(draft_id)

    def regenerate_draft(self, draft_id: int) -> str:
        return self.bot.drafts.regenerate(draft_id)

    def keep_correction(self, draft_id: int, kind: Keep) -> str:
        return self.bot.drafts.keep_correction(draft_id, kind)



def _item(m: StoredMessage) -> HistoryItem:
    return HistoryItem(m.id, m.contact_id, m.direction, m.by_bot, shown(m.kind, m.text), m.time, m.state, m.reason,
                       m.passages, m.source)
