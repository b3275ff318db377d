"""Replies: the stage between dispatch and delivery. Answerable messages wait here per contact (quick
messages of one question are grouped), the scheduler starts each due contact's generation on a free reply slot,
oldest question first and never one contact twice at once, and the worker claims the messages, makes the reply
(the model, or a fixed text) and hands it to delivery, or holds it as a draft for the owner. A takeover or a stop
cancels a contact's waiting and running work here.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from loguru import logger

from wxbot.core.contacts import ContactRules
from wxbot.core.delivery import Delivery
from wxbot.core.drafts import DraftDesk
from wxbot.core.engine import ReplyEngine
from wxbot.core.handoff import HandoffReason, Handoffs
from wxbot.core.outage import RETRY_S, GuardedInbox
from wxbot.core.replyslots import ReplySlots
from wxbot.core.sendqueue import Outgoing
from wxbot.crashpoint import crash_point
from wxbot.errors import GenerationCancelled, StoreError, WxbotError
from wxbot.events import Notice, NoticeLevel
from wxbot.messages import (
    MEDIA_KINDS,
    Draft,
    DraftWhy,
    InboxState,
    Message,
    MsgKind,
    Reply,
    ReplySource,
    ReplyVerdict,
)
from wxbot.settings import Settings

_HELD_BACK = {ReplyVerdict.LOOP: "不断重复", ReplyVerdict.PERSONA_ECHO: "复述了人设提示"}


@dataclass
class Pending:
    """One contact's question waiting to be answered."""

    messages: list[Message] = field(default_factory=list)
    first: float = 0.0
    deadline: float = 0.0
    fixed: tuple[str, ReplySource] | None = None  # (text, source) for away / handoff / non-text replies: no model
    draft: bool = False  # hold the reply for the owner (draft mode)
    carried: list[Message] = field(default_factory=list)  # a pending draft's messages, answered again with these
    replaces: int | None = None  # that draft


class Replies:
    """``running()`` says whether auto-reply is on; ``drafts()`` is the draft desk (made after this stage)."""

    def __init__(self, settings: Settings, inbox: GuardedInbox, engine: ReplyEngine, rules: ContactRules,
                 delivery: Delivery, drafts: Callable[[], DraftDesk], handoffs: Handoffs,
                 on_event: Callable[[object], None],
                 clock: Callable[[], float], cond: threading.Condition, running: Callable[[], bool]) -> None:
        self.settings = settings
        self.inbox = inbox
        self.engine = engine
        self.rules = rules
        self.delivery = delivery
        self.drafts = drafts
        self.handoffs = handoffs
        self.on_event = on_event
        self.clock = clock
        self.running = running
        self._cond = cond
        self._pending: dict[str, list[Pending]] = {}  # per contact, in arrival order
        self._cancel: dict[str, threading.Event] = {}
        self._closed = False
        # with overlap off, one generation at a time (and none while a reply waits to be sent)
        self.slots = ReplySlots(cond, lambda: self.engine.parallel if self.settings.overlap_pacing else 1)

    # ------------------------------------------------------------------ what dispatch hands in
    def queue(self, msg: Message, fixed: tuple[str, ReplySource] | None = None, draft: bool = False) -> None:
        now = self.clock()
        window = 0.0 if fixed is not None else self.settings.aggregate_seconds
        # a draft still waiting for the owner: the new draft answers its messages too, and replaces it
        replaces, carried = self.drafts().carried(msg.contact_id) if draft else (None, [])
        with self._cond:
            queue = self._pending.setdefault(msg.contact_id, [])
            if queue and self.settings.aggregate_seconds:
                pending = queue[-1]
            else:  # aggregation off: every message is its own question, even when the worker lags behind
                pending = Pending(first=now, draft=draft, carried=carried, replaces=replaces)
                queue.append(pending)
            pending.messages.append(msg)
            pending.fixed = pending.fixed or fixed
            # wait for more pieces of the same question, but never longer than 3 windows in all
            pending.deadline = min(now + window, pending.first + 3 * window)
            self._cond.notify_all()

    def queue_regenerate(self, draft: Draft) -> None:
        """Write ``draft`` again for the same messages; the new draft replaces it."""
        now = self.clock()
        pending = Pending(first=now, deadline=now, draft=True, carried=self.drafts().store.draft_messages(draft),
                          replaces=draft.id)
        with self._cond:
            self._pending.setdefault(draft.contact_id, []).append(pending)
            self._cond.notify_all()

    def cancel(self, reason: str, contact_id: str | None = None) -> int:
        """A takeover (one contact) or a stop (all): waiting questions are dropped (their messages skipped with
        ``reason``), running generations cancelled. Returns how many messages were dropped."""
        with self._cond:
            contacts = [contact_id] if contact_id is not None else list(self._pending)
            dropped = [m for cid in contacts for p in self._pending.pop(cid, []) for m in p.messages]
            for cid, event in self._cancel.items():
                if contact_id is None or cid == contact_id:
                    event.set()
        self.inbox.set_states([m.msg_id for m in dropped], InboxState.SKIPPED, reason)
        return len(dropped)

    # ------------------------------------------------------------------ the scheduler (its own thread)
    def run(self) -> None:
        """Start each due contact's generation on a free slot, oldest question first."""
        outbox = self.delivery.outbox
        with self._cond:
            while not self._closed:
                now = self.clock()
                # a contact whose last reply still waits to be sent, or is being generated, is not answered again
                # before it has gone (its prompt needs that reply); with overlap off, nothing is generated while
                # anything waits
                serial = not self.settings.overlap_pacing and outbox.busy()
                due = [(q[0].first, cid) for cid, q in self._pending.items()
                       if q[0].deadline <= now and not serial and not outbox.busy(cid) and self.slots.free(cid)]
                if due:
                    _, cid = min(due)
                    pending = self._pending[cid].pop(0)
                    if not self._pending[cid]:
                        del self._pending[cid]
                    event = self._cancel[cid] = threading.Event()
                    self.slots.start(cid, functools.partial(self._generate, cid, pending, event))
                    continue
                # due but blocked work is woken by the send stage when that contact's reply has gone, or by a
                # generation that ends
                waits = [q[0].deadline - now for q in self._pending.values() if q[0].deadline > now]
                self._cond.wait(timeout=min(waits) if waits else None)

    def close(self) -> None:
        """Ends the scheduler (wake it with the condition) and the reply workers."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def close_slots(self) -> None:
        self.slots.close()

    # ------------------------------------------------------------------ the reply workers
    def _generate(self, contact_id: str, pending: Pending, cancel: threading.Event) -> None:
        """On a reply worker: answer one contact's question, then free its cancel flag."""
        try:
            self._answer(contact_id, pending, cancel)
        except StoreError:  # nothing was sent: the same work is tried again when the store takes writes
            self._retry_later(contact_id, pending)
        except Exception:
            logger.exception("reply to {} failed", contact_id)
            self.inbox.set_states([m.msg_id for m in pending.messages], InboxState.FAILED, "internal_error")
        finally:
            with self._cond:
                if self._cancel.get(contact_id) is cancel:
                    del self._cancel[contact_id]

    def _retry_later(self, contact_id: str, pending: Pending) -> None:
        with self._cond:
            pending.deadline = self.clock() + RETRY_S
            self._pending.setdefault(contact_id, []).insert(0, pending)
            self._cond.notify_all()

    def _answer(self, contact_id: str, pending: Pending, cancel: threading.Event) -> None:
        claimed = [m for m in pending.messages if self.inbox.claim(m.msg_id)]
        if not claimed and not pending.carried:
            return
        crash_point("reply.claimed")
        self._reply_to(contact_id, pending, claimed, cancel)

    def _reply_to(self, contact_id: str, pending: Pending, claimed: list[Message], cancel: threading.Event) -> None:
        """Make the reply to ``claimed`` (and a replaced draft's messages) and hand it on, or record why not."""
        messages = pending.carried + claimed
        ids = [m.msg_id for m in claimed]
        try:
            reply = self._make_reply(contact_id, messages, pending.fixed, cancel)
        except GenerationCancelled:
            self.inbox.set_states(ids, InboxState.SKIPPED, "takeover" if self.running() else "bot_stopped")
            return
        except WxbotError as err:
            self.inbox.set_states(ids, InboxState.FAILED, type(err).__name__)
            self.on_event(Notice(NoticeLevel.ERROR, str(err)))
            return
        if reply is None:
            self.inbox.set_states(ids, InboxState.SKIPPED, "empty_reply")
            return
        if not pending.draft and self._second_ungrounded(contact_id, reply):
            self.handoffs.begin(contact_id, HandoffReason.UNGROUNDED, [m.text for m in messages])
            held = self.engine.fixed_reply(contact_id, self.settings.handoff_line, ReplySource.HANDOFF, ids)
            if held is None:  # no holding line set: the owner is told, the customer hears nothing
                self.inbox.set_states(ids, InboxState.SKIPPED, "waiting_for_owner")
                return
            reply = held
        why = self._unsure(reply)
        if pending.draft or why is not None:  # the owner decides: pacing applies when it is sent
            waiting = pending.draft and self.handoffs.waiting(contact_id)
            self._hold(contact_id, pending, claimed, reply, cancel,
                       DraftWhy.WAITING if waiting else why or DraftWhy.REVIEW)
            return
        if reply.verdict is not ReplyVerdict.SEND:  # degenerate output: missed, never sent
            self.inbox.set_states(ids, InboxState.SKIPPED, reply.verdict)
            self.on_event(Notice(NoticeLevel.WARNING, f"模型的回复异常（{_HELD_BACK[reply.verdict]}），未发送给 {contact_id} "
                                                      f"(the model's reply was held back: {reply.verdict})"))
            return
        incoming = messages[-1].text
        verdict = self.delivery.pacer.check(contact_id, len(reply.text), incoming)
        if self.delivery.refused(contact_id, ids, verdict):
            return
        with self._cond:  # a takeover or stop during generation has already cancelled: don't queue the reply
            if not cancel.is_set():
                self.delivery.put(Outgoing(contact_id, reply, ids, incoming, cancel, self.clock() + verdict.wait))
                return
        self.inbox.set_states(ids, InboxState.SKIPPED, "takeover" if self.running() else "bot_stopped")

    def _hold(self, contact_id: str, pending: Pending, claimed: list[Message], reply: Reply,
              cancel: threading.Event, why: DraftWhy) -> None:
        """Hold ``reply`` as a draft for the owner. Not once a takeover or a stop cancelled this work: checked
        under the lock they cancel under, so no draft appears after the owner answered by hand (the takeover
        discards only drafts that exist). If the draft it was to replace was approved or rejected meanwhile,
        that draft's questions are settled, so the new messages are answered again on their own."""
        desk = self.drafts()
        with self._cond:
            cancelled = cancel.is_set()
            draft = None if cancelled else desk.add(reply, pending.replaces, why)
        if cancelled:
            self.inbox.set_states([m.msg_id for m in claimed], InboxState.SKIPPED,
                                  "takeover" if self.running() else "bot_stopped")
        elif draft is not None:
            desk.announce(draft)
            if not pending.draft:  # an unsure auto-mode question: the customer hears the holding line
                self._holding_line(contact_id, cancel)
        elif pending.replaces is not None and claimed:
            self._reply_to(contact_id, Pending(messages=claimed, fixed=pending.fixed, draft=True), claimed, cancel)

    def _unsure(self, reply: Reply) -> DraftWhy | None:
        """Why an auto-mode reply must wait for the owner (with a knowledge base): no passage for a factual
        question, or output the guard held back; None when it may go."""
        if not (self.settings.draft_when_unsure and self.engine.has_knowledge):
            return None
        if reply.source is ReplySource.KB_FALLBACK:
            return DraftWhy.NO_PASSAGE
        return DraftWhy.GUARD if reply.verdict is not ReplyVerdict.SEND else None

    def _second_ungrounded(self, contact_id: str, reply: Reply) -> bool:
        """The second factual question in a row the knowledge base could not ground: hand off to the owner."""
        if not self.engine.has_knowledge or reply.source in (ReplySource.AWAY, ReplySource.NON_TEXT,
                                                             ReplySource.HANDOFF):
            return False
        return self.handoffs.ungrounded(contact_id, grounded=reply.source is not ReplySource.KB_FALLBACK)

    def _holding_line(self, contact_id: str, cancel: threading.Event) -> None:
        """An unsure question became a draft: the customer hears the owner's short holding line at once (it
        answers no message: those wait with the draft)."""
        line = self.engine.fixed_reply(contact_id, self.settings.draft_holding_line, ReplySource.HOLDING, ())
        if line is None:
            return
        verdict = self.delivery.pacer.check(contact_id, len(line.text), "")
        if verdict.allowed:
            with self._cond:
                if not cancel.is_set():
                    self.delivery.put(Outgoing(contact_id, line, [], "", cancel, self.clock() + verdict.wait))

    def _make_reply(self, contact_id: str, messages: list[Message], fixed: tuple[str, ReplySource] | None,
                    cancel: threading.Event) -> Reply | None:
        ids = tuple(m.msg_id for m in messages)
        questions = [m for m in messages if (m.kind is MsgKind.TEXT or m.kind in MEDIA_KINDS) and m.text]
        if fixed is not None and (fixed[1] is not ReplySource.NON_TEXT or not questions):
            return self.engine.fixed_reply(contact_id, fixed[0], fixed[1], ids)
        return self.engine.reply(questions, persona=self.rules.persona(contact_id), cancel=cancel,
                                 answered_ids=ids)
