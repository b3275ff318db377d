"""The running bot: channel -> inbox -> policy -> engine -> pacing -> channel, in worker threads.

itchat's receive thread commits each incoming message to the inbox (before the channel saves the sync
position that delivered it) and enqueues it. A dispatcher thread applies the policy and groups quick messages
per contact; reply workers generate, as many contacts at once as the model decodes together and never one
contact twice at once, and hand each reply to the send stage, which waits like a human and sends while the
workers already answer the next contacts. A message the owner sends by hand to a contact cancels that
contact's pending, running or waiting reply (takeover wins). For a contact in draft mode the reply is held
on the draft desk instead; a draft the owner approves joins the send stage like any reply.
"""

from __future__ import annotations

import dataclasses
import functools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from loguru import logger

from wxbot.core.commands import DRAFT_VERBS, BotControl, parse_command, run_command
from wxbot.core.contacts import ContactRules
from wxbot.core.directory import Directory
from wxbot.core.drafts import DraftDesk, DraftStore
from wxbot.core.echo import SentEchoes
from wxbot.core.engine import ReplyEngine
from wxbot.core.hours import ServiceHours
from wxbot.core.inbox import Inbox
from wxbot.core.mediastage import MediaStage
from wxbot.core.mediatext import needs_owner
from wxbot.core.outage import PAUSED_TEXT, RETRY_S, GuardedInbox, StoreOutage
from wxbot.core.pacing import Pacer, PaceVerdict
from wxbot.core.policy import FILEHELPER, ReplyPolicy
from wxbot.core.replyslots import ReplySlots
from wxbot.core.risk import is_risk_warning
from wxbot.core.sendqueue import Outgoing, SendQueue
from wxbot.crashpoint import crash_point
from wxbot.errors import GenerationCancelled, StoreError, WxbotError
from wxbot.events import BotPhase, BotState, ContactsChanged, MessageLogged, Notice, NoticeLevel
from wxbot.messages import (
    MEDIA_KINDS,
    Direction,
    Draft,
    DraftState,
    Heard,
    InboxState,
    Message,
    MsgKind,
    Reply,
    ReplyMode,
    ReplySource,
    ReplyVerdict,
)
from wxbot.settings import Settings

EventSink = Callable[[object], None]
_HELD_BACK = {ReplyVerdict.LOOP: "不断重复", ReplyVerdict.PERSONA_ECHO: "复述了人设提示"}


class Sender(Protocol):
    """What the bot needs from the WeChat channel to answer (the BotService forwards to WeChatChannel)."""

    def send_text(self, user_name: str, text: str) -> bool: ...


@dataclass(frozen=True)
class _Work:
    """An incoming message for the dispatcher, already in the inbox under its durable contact id."""

    msg: Message
    user_name: str  # this login's name for the conversation
    resumed: bool = False  # interrupted by a crash: inbox_expire_minutes judged its age, not staleness
    heard: Heard | None = None  # a voice message or picture back from the media stage (read, or not readable)


# What the dispatcher takes: committed work, the owner's own message, or an incoming message the store
# refused at intake (disk full), to be committed when it takes writes again
_Item = _Work | Message


def _message_of(item: _Item) -> Message:
    return item.msg if isinstance(item, _Work) else item


@dataclass
class _Pending:
    messages: list[Message] = field(default_factory=list)
    first: float = 0.0
    deadline: float = 0.0
    fixed: tuple[str, ReplySource] | None = None  # (text, source) for away / non-text replies that need no model
    draft: bool = False  # hold the reply for the owner (draft mode)
    carried: list[Message] = field(default_factory=list)  # a pending draft's messages, answered again with these
    replaces: int | None = None  # that draft


class Bot:
    def __init__(self, settings: Settings, sender: Sender, engine: ReplyEngine, inbox: Inbox,
                 rules: ContactRules, directory: Directory, on_event: EventSink, drafts: DraftStore,
                 clock: Callable[[], float] = time.time, control: BotControl | None = None) -> None:
        self.settings = settings
        self.control = control or self  # what #pause/#resume act on: the service, which remembers them
        self.sender = sender
        self.engine = engine
        self.outage: StoreOutage[_Item] = StoreOutage(on_event, self._store_down)
        self.inbox = GuardedInbox(inbox, self.outage)
        self.rules = rules
        self.directory = directory
        self.on_event = on_event
        self.clock = clock
        self.policy = ReplyPolicy(settings, rules, clock)
        self.pacer = Pacer(settings, clock)
        self.hours = ServiceHours(settings)
        self.echoes = SentEchoes()
        self.drafts = DraftDesk(settings, drafts, send=self._queue_approved, regenerate=self._queue_regenerate,
                                notify=lambda text: self._send_parts(FILEHELPER, [text]), name_of=directory.name_of,
                                on_event=on_event, clock=clock)
        self._incoming: queue.Queue[_Item | None] = queue.Queue()
        self._pending: dict[str, list[_Pending]] = {}  # per contact, in arrival order
        self._cancel: dict[str, threading.Event] = {}
        self._cond = threading.Condition()
        self.outbox = SendQueue(self.pacer, clock, self._cond, self._deliver)
        # with overlap off, one generation at a time (and none while a reply waits to be sent)
        self.slots = ReplySlots(self._cond, lambda: self.engine.parallel if self.settings.overlap_pacing else 1)
        self._running = False
        self._closed = False
        self._arrived: dict[str, float] = {}  # msg_id -> when it arrived, for messages held through a store outage
        self._threads: list[threading.Thread] = []
        self.media = MediaStage(None, self.inbox, on_event)  # the service plugs in its MediaReader

    # ------------------------------------------------------------------ life cycle
    def start_threads(self) -> None:
        """Start the dispatcher, the reply scheduler and the send stage (once). Auto-reply itself starts with
        ``start()``."""
        if self._threads:
            return
        for name, target in (("wxbot-dispatch", self._dispatch_loop), ("wxbot-schedule", self._reply_loop),
                             ("wxbot-send", self.outbox.run)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def start(self) -> None:
        self.start_threads()
        self._running = True
        self.on_event(BotState(BotPhase.RUNNING))
        logger.info("auto-reply started")

    def stop(self, reason: str = "") -> None:
        """Stop auto-reply: pending replies are dropped, a running generation is cancelled."""
        self._running = False
        with self._cond:
            dropped = [m for queue in self._pending.values() for p in queue for m in p.messages]
            self._pending.clear()
            for event in self._cancel.values():
                event.set()
        waiting = self.outbox.drop()
        for msg in dropped:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "bot_stopped")
        self._dropped(waiting, "bot_stopped")
        self.on_event(BotState(BotPhase.STOPPED, reason))
        logger.info("auto-reply stopped ({} pending dropped)", len(dropped))

    def close(self) -> None:
        self.stop()
        self._closed = True
        self.drafts.close()
        self.media.close()
        self._incoming.put(None)
        self.outbox.close()
        with self._cond:
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self.slots.close()

    @property
    def running(self) -> bool:
        return self._running

    # BotControl for owner commands
    @property
    def paused(self) -> bool:
        return not self._running

    def set_paused(self, paused: bool) -> None:
        self.stop("owner command") if paused else self.start()

    def replies_today(self) -> int:
        return self.pacer.replies_today()

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.policy.settings = settings
        self.pacer.settings = settings
        self.hours = ServiceHours(settings)
        self.engine.apply_settings(settings)
        self.drafts.settings = settings
        self.media.apply_settings(settings)

    # ------------------------------------------------------------------ intake (channel thread)
    def on_message(self, raw: Message) -> bool:
        """Called on the channel's receive thread: commit an incoming message to the inbox, then enqueue it.
        The commit comes first because the channel saves WeChat's sync position once this returns True;
        False: the store refused it (held in memory meanwhile), so that position must not be saved."""
        if raw.from_self:  # the owner's own (or an echo): history and takeover, not work to answer
            self._incoming.put(raw)
            return True
        try:
            work = self._commit(raw)
        except StoreError:
            self._incoming.put(raw)  # the dispatcher holds it and commits it when writing works again
            return False
        if work is not None:
            self._incoming.put(work)
        return True

    def _commit(self, raw: Message) -> _Work | None:
        """Store an incoming message under its durable contact id; None when its WeChat id is known already."""
        msg = self.directory.resolve(raw)
        if not self.inbox.add(msg):
            logger.debug("duplicate msg {} ignored", msg.msg_id)
            return None
        crash_point("inbox.committed")
        self.on_event(MessageLogged(msg.contact_id, Direction.IN))
        return _Work(msg, raw.contact_id)

    def resume_interrupted(self, messages: list[Message]) -> None:
        """Work a crash interrupted (already in the inbox, under durable ids): queue it again. Called before
        receiving starts, so a re-delivered copy of the same message always finds it and is dropped."""
        for msg in messages:
            self._incoming.put(_Work(msg, self.directory.user_name(msg.contact_id), resumed=True))

    def _store_down(self, down: bool) -> None:
        if self._running:
            self.on_event(BotState(BotPhase.PAUSED, PAUSED_TEXT) if down else BotState(BotPhase.RUNNING))

    # ------------------------------------------------------------------ dispatcher
    def _dispatch_loop(self) -> None:
        while True:
            try:
                msg = self._incoming.get(timeout=RETRY_S if self.outage.waiting else None)
            except queue.Empty:
                self._replay_held()
                continue
            if msg is None:
                return
            if self.outage.waiting or not self._dispatch_safely(msg):  # held, in arrival order, until the store
                self._arrived.setdefault(_message_of(msg).msg_id, self.clock())  # takes writes again
                self.outage.hold(msg)

    def _dispatch_safely(self, item: _Item) -> bool:
        """False when the store refused the message (it must be held and tried again)."""
        try:
            if isinstance(item, _Work):
                self._dispatch(item)
            elif item.from_self:
                self._owner_message(item)
            elif (work := self._commit(item)) is not None:
                self._dispatch(work)
        except StoreError as err:
            self.outage.failed(err)
            return False
        except Exception:  # a bug must not kill intake; the message stays in the inbox
            logger.exception("dispatch failed for msg {}", _message_of(item).msg_id)
        return True

    def _replay_held(self) -> None:
        """The store failed earlier: write what waits, then take the held messages in order."""
        if not self.outage.replay_writes():
            return
        while (msg := self.outage.next_held()) is not None:
            if not self._dispatch_safely(msg):
                return
            self.outage.drop_held()
            self._arrived.pop(_message_of(msg).msg_id, None)
        self.outage.succeeded()

    def _age(self, msg: Message) -> float:
        """Its age when it reached the bot: a message held through a store outage is not a backlog."""
        return self._arrived.get(msg.msg_id, self.clock()) - msg.time

    def _stale(self, msg: Message) -> bool:
        """Older than ``stale_message_seconds`` on arrival: a backlog. (The channel gives message times in
        this PC's clock, corrected by WeChat's own, so a PC clock that is off doesn't decide this.)"""
        return bool(self.settings.stale_message_seconds) and self._age(msg) > self.settings.stale_message_seconds

    def _dispatch(self, work: _Work) -> None:
        msg = work.msg
        if work.user_name == "weixin" and is_risk_warning(msg.text):
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "risk_warning")
            self.stop("risk warning from WeChat")
            self.on_event(Notice(NoticeLevel.ERROR, "微信团队发来安全提醒，自动回复已停止，请在手机上查看 "
                                          "(WeChat sent a security warning; auto-reply stopped — check your phone)"))
            return
        if not work.resumed and work.heard is None and self._stale(msg):
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "stale")
            logger.info("msg {} from {} is {:.0f}s old: stored as missed", msg.msg_id, msg.contact_id, self._age(msg))
            return
        if not self._running:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "bot_stopped")
            return
        decision = self.policy.decide(msg, self.directory.own_names(work.user_name))
        # hook: a voice message or picture is read on the media stage and comes back here as text
        if decision.reason == "non_text" and work.heard is None and self.media.take(
                msg, lambda read, heard: self._incoming.put(dataclasses.replace(work, msg=read, heard=heard))):
            return
        if not decision.answer:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, decision.reason)
            logger.debug("msg {} not answered: {}", msg.msg_id, decision.reason)
            return
        draft = decision.mode is ReplyMode.DRAFT or (
            work.heard is not None and bool(work.heard.text) and needs_owner(work.heard, self.settings))
        if not self.hours.is_open(self.clock()):
            self._outside_hours(msg, draft)
        elif decision.reason == "non_text":
            self._queue_reply(msg, fixed=(self.settings.non_text_reply, ReplySource.NON_TEXT), draft=draft)
        else:
            self._queue_reply(dataclasses.replace(msg, text=decision.text), draft=draft)

    def _owner_message(self, raw: Message) -> None:
        if self.echoes.is_echo(raw.contact_id, raw.text):
            return  # web WeChat echoing what the bot itself just sent
        if raw.contact_id == FILEHELPER and (cmd := parse_command(raw.text)):
            if cmd.verb in DRAFT_VERBS:
                self._send_parts(FILEHELPER, [self.drafts.command(cmd)])
                return
            answer = run_command(cmd, self.control, self.rules, self.directory.find, self.clock)
            self._send_parts(FILEHELPER, [answer])
            if cmd.target:  # a contact's mode or pause may have changed: the window shows it
                self.on_event(ContactsChanged())
            return
        msg = self.directory.resolve(raw)
        if not self.inbox.add(msg):
            return  # a re-delivered copy (after a hot reload): stored and acted on already
        self.on_event(MessageLogged(msg.contact_id, Direction.OUT, by_bot=False))
        if self._stale(msg):  # the owner's backlog from while wxbot was off: history, not a takeover now
            logger.info("owner's message {} is {:.0f}s old: no takeover", msg.msg_id, self._age(msg))
            return
        if raw.contact_id != FILEHELPER:
            self.policy.take_over(msg.contact_id)
            self._cancel_contact(msg.contact_id, "takeover")
            self.drafts.discard_for(msg.contact_id)
            logger.info("owner took over contact {} for {} min", msg.contact_id, self.settings.takeover_minutes)

    def _outside_hours(self, msg: Message, draft: bool) -> None:
        away = self.settings.away_message
        if away and self.hours.should_send_away(msg.contact_id, self.clock()):
            self._queue_reply(msg, fixed=(away, ReplySource.AWAY), draft=draft)
        else:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "outside_hours")

    def _queue_reply(self, msg: Message, fixed: tuple[str, ReplySource] | None = None, draft: bool = False) -> None:
        now = self.clock()
        window = 0.0 if fixed is not None else self.settings.aggregate_seconds
        # a draft still waiting for the owner: the new draft answers its messages too, and replaces it
        replaces, carried = self.drafts.carried(msg.contact_id) if draft else (None, [])
        with self._cond:
            queue = self._pending.setdefault(msg.contact_id, [])
            if queue and self.settings.aggregate_seconds:
                pending = queue[-1]
            else:  # aggregation off: every message is its own question, even when the worker lags behind
                pending = _Pending(first=now, draft=draft, carried=carried, replaces=replaces)
                queue.append(pending)
            pending.messages.append(msg)
            pending.fixed = pending.fixed or fixed
            # wait for more pieces of the same question, but never longer than 3 windows in all
            pending.deadline = min(now + window, pending.first + 3 * window)
            self._cond.notify_all()

    def _cancel_contact(self, contact_id: str, reason: str) -> None:
        with self._cond:
            queue = self._pending.pop(contact_id, [])
            event = self._cancel.get(contact_id)
            if event is not None:
                event.set()
        for m in (m for p in queue for m in p.messages):
            self.inbox.set_state(m.msg_id, InboxState.SKIPPED, reason)
        self._dropped(self.outbox.drop(contact_id), reason)

    def _dropped(self, jobs: list[Outgoing], reason: str) -> None:
        """Replies taken out of the send stage unsent: their messages are skipped, an approved draft failed."""
        for job in jobs:
            self._set_states(job.ids, InboxState.SKIPPED, reason)
            if job.draft is not None:
                self.drafts.finished(job.draft, DraftState.FAILED, reason)

    # ------------------------------------------------------------------ drafts
    def _queue_approved(self, draft: Draft) -> None:
        """The owner approved ``draft`` (window or phone): their words verbatim (prefix aside), into the send
        stage like any reply, so pacing and exactly-once hold for it too."""
        reply = self.engine.approved_reply(draft)
        asked = self.drafts.store.draft_messages(draft)
        incoming = asked[-1].text if asked else ""
        ids = list(draft.msg_ids)
        verdict = self.pacer.check(draft.contact_id, len(reply.text), incoming) if reply else None
        if reply is None or verdict is None or self._refused(draft.contact_id, ids, verdict):
            self.drafts.finished(draft, DraftState.FAILED, verdict.reason if verdict else "empty_reply")
            return
        self.outbox.put(Outgoing(draft.contact_id, reply, ids, incoming, threading.Event(),
                                 self.clock() + verdict.wait, draft))

    def _queue_regenerate(self, draft: Draft) -> None:
        """Write ``draft`` again for the same messages; the new draft replaces it."""
        now = self.clock()
        pending = _Pending(first=now, deadline=now, draft=True, carried=self.drafts.store.draft_messages(draft),
                           replaces=draft.id)
        with self._cond:
            self._pending.setdefault(draft.contact_id, []).append(pending)
            self._cond.notify_all()

    # ------------------------------------------------------------------ reply workers
    def _reply_loop(self) -> None:
        """The scheduler: start each due contact's generation on a free slot, oldest question first."""
        with self._cond:
            while not self._closed:
                now = self.clock()
                # a contact whose last reply still waits to be sent, or is being generated, is not answered again
                # before it has gone (its prompt needs that reply); with overlap off, nothing is generated while
                # anything waits
                serial = not self.settings.overlap_pacing and self.outbox.busy()
                due = [(q[0].first, cid) for cid, q in self._pending.items()
                       if q[0].deadline <= now and not serial and not self.outbox.busy(cid) and self.slots.free(cid)]
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

    def _generate(self, contact_id: str, pending: _Pending, cancel: threading.Event) -> None:
        """On a reply worker: answer one contact's question, then free its cancel flag."""
        try:
            self._answer(contact_id, pending, cancel)
        except StoreError:  # nothing was sent: the same work is tried again when the store takes writes
            self._retry_later(contact_id, pending)
        except Exception:
            logger.exception("reply to {} failed", contact_id)
            self._set_states([m.msg_id for m in pending.messages], InboxState.FAILED, "internal_error")
        finally:
            with self._cond:
                if self._cancel.get(contact_id) is cancel:
                    del self._cancel[contact_id]

    def _retry_later(self, contact_id: str, pending: _Pending) -> None:
        with self._cond:
            pending.deadline = self.clock() + RETRY_S
            self._pending.setdefault(contact_id, []).insert(0, pending)
            self._cond.notify_all()

    def _answer(self, contact_id: str, pending: _Pending, cancel: threading.Event) -> None:
        claimed = [m for m in pending.messages if self.inbox.claim(m.msg_id)]
        if not claimed and not pending.carried:
            return
        crash_point("reply.claimed")
        messages = pending.carried + claimed
        ids = [m.msg_id for m in claimed]
        try:
            reply = self._make_reply(contact_id, messages, pending.fixed, cancel)
        except GenerationCancelled:
            self._set_states(ids, InboxState.SKIPPED, "takeover" if self._running else "bot_stopped")
            return
        except WxbotError as err:
            self._set_states(ids, InboxState.FAILED, type(err).__name__)
            self.on_event(Notice(NoticeLevel.ERROR, str(err)))
            return
        if reply is None:
            self._set_states(ids, InboxState.SKIPPED, "empty_reply")
            return
        # unsure (with a knowledge base): no passage for a factual question, or output the guard held back
        unsure = self.settings.draft_when_unsure and self.engine.has_knowledge and (
            reply.source is ReplySource.KB_FALLBACK or reply.verdict is not ReplyVerdict.SEND)
        if pending.draft or unsure:  # the owner decides: pacing applies when it is sent
            self.drafts.hold(reply, pending.replaces)
            return
        if reply.verdict is not ReplyVerdict.SEND:  # degenerate output: missed, never sent
            self._set_states(ids, InboxState.SKIPPED, reply.verdict)
            self.on_event(Notice(NoticeLevel.WARNING, f"模型的回复异常（{_HELD_BACK[reply.verdict]}），未发送给 {contact_id} "
                                                      f"(the model's reply was held back: {reply.verdict})"))
            return
        incoming = messages[-1].text
        verdict = self.pacer.check(contact_id, len(reply.text), incoming)
        if self._refused(contact_id, ids, verdict):
            return
        with self._cond:  # a takeover or stop during generation has already cancelled: don't queue the reply
            if not cancel.is_set():
                self.outbox.put(Outgoing(contact_id, reply, ids, incoming, cancel, self.clock() + verdict.wait))
                return
        self._set_states(ids, InboxState.SKIPPED, "takeover" if self._running else "bot_stopped")

    def _deliver(self, job: Outgoing) -> None:
        """On the send thread, once the reply's delays are over: check again, send, record."""
        contact_id, ids = job.contact_id, job.ids
        why = ""
        try:
            # the owner approved a draft explicitly: a stop or a pause does not hold it back, a takeover does
            held = job.draft is None and (not self._running or self.rules.paused_until(contact_id) > self.clock())
            if job.cancel.is_set() or held:
                why = "takeover" if self._running else "bot_stopped"
                self._set_states(ids, InboxState.SKIPPED, why)
                return
            verdict = self.pacer.check(contact_id, len(job.reply.text), job.incoming)
            if self._refused(contact_id, ids, verdict):
                why = verdict.reason
                return  # e.g. the daily cap filled up while this reply waited
            self._set_states(ids, InboxState.SENDING)
            if not self._send_parts(self.directory.user_name(contact_id), list(job.reply.parts)):
                why = "send_failed"
                self._set_states(ids, InboxState.FAILED, why)
                self.on_event(Notice(NoticeLevel.WARNING, "消息发送失败，请检查网络与登录状态 (a reply could not be sent)"))
                return
            self.pacer.record_sent(contact_id, job.incoming)
            self.inbox.record_reply(job.reply)
            self.on_event(MessageLogged(contact_id, Direction.OUT, by_bot=True, source=job.reply.source,
                                       passages=job.reply.passages))
        except Exception:  # the send thread must outlive one bad reply
            logger.exception("sending to {} failed", contact_id)
            why = "internal_error"
            self._set_states(ids, InboxState.FAILED, why)
        finally:
            if job.draft is not None:
                self.drafts.finished(job.draft, DraftState.FAILED if why else DraftState.SENT, why)

    def _refused(self, contact_id: str, ids: list[str], verdict: PaceVerdict) -> bool:
        """Pacing says no (daily cap, loop guard): record why; a loop pauses the contact and tells the owner."""
        if verdict.allowed:
            return False
        self._set_states(ids, InboxState.SKIPPED, verdict.reason)
        if verdict.reason == "loop_guard":
            self.policy.take_over(contact_id)
            self.on_event(Notice(NoticeLevel.WARNING, f"与联系人 {contact_id} 的往来过于频繁，疑似机器人对话，已暂停 "
                                            f"(too many rapid exchanges with {contact_id}: paused)"))
        return True

    def _make_reply(self, contact_id: str, messages: list[Message], fixed: tuple[str, ReplySource] | None,
                    cancel: threading.Event) -> Reply | None:
        ids = tuple(m.msg_id for m in messages)
        questions = [m for m in messages if (m.kind is MsgKind.TEXT or m.kind in MEDIA_KINDS) and m.text]
        if fixed is not None and (fixed[1] is ReplySource.AWAY or not questions):
            return self.engine.fixed_reply(contact_id, fixed[0], fixed[1], ids)
        return self.engine.reply(questions, persona=self.rules.persona(contact_id), cancel=cancel,
                                 answered_ids=ids)

    def _send_parts(self, user_name: str, parts: list[str]) -> bool:
        for part in parts:
            self.echoes.remember(user_name, part)
            try:
                if not self.sender.send_text(user_name, part):
                    return False
            except WxbotError as err:  # logged out meanwhile, or WeChat refused
                logger.warning("send to {} failed: {}", user_name, err.en)
                return False
        return True

    def _set_states(self, ids: list[str], state: InboxState, reason: str = "") -> None:
        for msg_id in ids:
            self.inbox.set_state(msg_id, state, reason)
