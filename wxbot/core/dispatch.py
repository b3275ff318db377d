"""Dispatch: the stage that decides. One thread takes what intake hands on, in arrival order: a committed
message goes through the risk check, staleness (its age counted from when it arrived), the reply policy and
the service hours, and is queued for a reply (or handed to the owner: core/handoff.py), or recorded as not
answered and why. A voice message or picture is handed to the media stage first and comes back to this queue
read, as a text question. The owner's own messages
are told from the bot's echoes and run as File Transfer Helper commands or taken as a takeover. While the store
refuses writes everything is held here in order and replayed when it takes writes again.
"""

from __future__ import annotations

import dataclasses
import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from loguru import logger

from wxbot.core.commands import DRAFT_VERBS, SLOW_VERBS, BotControl, Command, Verb, run_command
from wxbot.core.contacts import ContactRules
from wxbot.core.delivery import Delivery
from wxbot.core.directory import Directory
from wxbot.core.drafts import DraftDesk
from wxbot.core.handoff import HandoffReason, Handoffs
from wxbot.core.hours import ServiceHours
from wxbot.core.intake import Arrival, Intake, Item, Order, Work
from wxbot.core.mediastage import MediaStage
from wxbot.core.mediatext import needs_owner
from wxbot.core.outage import RETRY_S, GuardedInbox, StoreOutage
from wxbot.core.policy import FILEHELPER, ReplyPolicy
from wxbot.core.replies import Replies
from wxbot.core.risk import is_risk_warning
from wxbot.errors import StoreError
from wxbot.events import ContactsChanged, Notice, NoticeLevel
from wxbot.messages import InboxState, Message, ReplyMode, ReplySource
from wxbot.settings import Settings


class Dispatcher:
    """``incoming`` is the queue intake fills (None ends the loop); ``stop(reason, risk)`` stops auto-reply (risk: a risk signal did it)."""

    def __init__(self, settings: Settings, incoming: queue.Queue[Item | None], intake: Intake, inbox: GuardedInbox,
                 outage: StoreOutage[Item], policy: ReplyPolicy, rules: ContactRules, directory: Directory,
                 replies: Replies, delivery: Delivery, drafts: DraftDesk, media: MediaStage, handoffs: Handoffs,
                 control: BotControl, on_event: Callable[[object], None], running: Callable[[], bool],
                 stop: Callable[[str, bool], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.incoming = incoming
        self.intake = intake
        self.inbox = inbox
        self.outage = outage
        self.policy = policy
        self.hours = ServiceHours(settings)
        self.rules = rules
        self.directory = directory
        self.replies = replies
        self.delivery = delivery
        self.drafts = drafts
        self.media = media
        self.handoffs = handoffs
        self.control = control
        self.on_event = on_event
        self.running = running
        self.stop = stop
        self.clock = clock
        # #faq / #note write FAQ rules or notes, which wait for an import under way: one at a time, in order
        self._slow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wxbot-command")

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.hours = ServiceHours(settings)

    # ------------------------------------------------------------------ the loop (its own thread)
    def run(self) -> None:
        retry_at = 0.0
        while True:
            try:
                item = self.incoming.get(timeout=RETRY_S if self.outage.waiting else None)
            except queue.Empty:
                pass
            else:
                if item is None:
                    return
                # held in arrival order while anything waits for the store, replayed when it takes writes again
                left = item if self.outage.waiting else self._dispatch_safely(item)
                if left is not None:
                    self.outage.hold(left)
            # at once when the store took the last write (only messages queued behind a refused one wait), else
            # every RETRY_S, also while messages keep coming
            if self.outage.waiting and (not self.outage.down or time.monotonic() >= retry_at):
                retry_at = time.monotonic() + RETRY_S
                self._replay_held()

    def _dispatch_safely(self, item: Item) -> Item | None:
        """What must be held and tried again because the store refused it (committed by now, or not); None:
        done."""
        try:
            if isinstance(item, Arrival):  # held through an outage: committed now, in order
                taken = self.intake.take(item.msg, item.arrived)
                self.outage.stored_uncommitted()
                if taken is None:
                    return None
                item = taken
            if isinstance(item, Order):
                self._command(item.command)
            elif isinstance(item, Work):
                self._take_over(item) if item.msg.from_self else self._dispatch(item)
        except StoreError as err:
            self.outage.failed(err)
            return item
        except Exception:  # a bug must not kill intake; the message stays in the inbox
            logger.exception("dispatch failed ({})", type(item).__name__)
        return None

    def _replay_held(self) -> None:
        """The store failed earlier: write what waits, then take the held messages in order."""
        if not self.outage.replay_writes():
            return
        while (item := self.outage.take_held()) is not None:
            if (left := self._dispatch_safely(item)) is not None:
                self.outage.put_back(left)
                return
        self.outage.succeeded()

    # ------------------------------------------------------------------ policy
    def _stale(self, msg: Message, arrived: float) -> bool:
        """Older than ``stale_message_seconds`` when it arrived: a backlog. (The channel gives message times in
        this PC's clock, corrected by WeChat's own, so a PC clock that is off doesn't decide this.) A message
        that waited here (a busy dispatcher, a store outage) is not a backlog."""
        return bool(self.settings.stale_message_seconds) and arrived - msg.time > self.settings.stale_message_seconds

    def _dispatch(self, work: Work) -> None:
        msg = work.msg
        if work.user_name == "weixin" and is_risk_warning(msg.text):
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "risk_warning")
            self.stop("risk warning from WeChat", True)
            self.on_event(Notice(NoticeLevel.ERROR, "微信团队发来安全提醒，自动回复已停止，请在手机上查看 "
                                                    "(WeChat sent a security warning; auto-reply stopped — check your phone)"))
            return
        if not work.resumed and self._stale(msg, work.arrived):
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "stale")
            logger.info("msg {} from {} was {:.0f}s old on arrival: stored as missed", msg.msg_id, msg.contact_id,
                        work.arrived - msg.time)
            return
        if not self.running():
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "bot_stopped")
            return
        decision = self.policy.decide(msg, self.directory.own_names(work.user_name))
        # a voice message or picture is read on the media stage and comes back to this queue as text (its age
        # still counts from its arrival)
        if decision.reason == "non_text" and work.heard is None and self.media.take(
                msg, lambda read, heard: self.incoming.put(dataclasses.replace(work, msg=read, heard=heard))):
            return
        if not decision.answer:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, decision.reason)
            logger.debug("msg {} not answered: {}", msg.msg_id, decision.reason)
            return
        if not self._reachable(work.user_name):
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "unknown_sender")
            logger.info("msg {} is from a sender WeChat does not know: not answered", msg.msg_id)
            return
        draft = decision.mode is ReplyMode.DRAFT or (
            work.heard is not None and bool(work.heard.text) and needs_owner(work.heard, self.settings))
        if self.handoffs.waiting(msg.contact_id):  # the owner is on it: drafts for them, nothing sent
            if decision.reason == "ok":
                self.replies.queue(dataclasses.replace(msg, text=decision.text), draft=True)
            else:
                self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "waiting_for_owner")
            return
        if decision.reason == "ok" and (reason := self.handoffs.reason_for(decision.text)) is not None:
            self._hand_off(msg, reason, draft)
        elif not self.hours.is_open(self.clock()):
            self._outside_hours(msg, draft)
        elif decision.reason == "non_text":
            self.replies.queue(msg, fixed=(self.settings.non_text_reply, ReplySource.NON_TEXT), draft=draft)
        else:
            self.replies.queue(dataclasses.replace(msg, text=decision.text), draft=draft)

    def _reachable(self, user_name: str) -> bool:
        """A sender in no contact list is answered only once WeChat tells us who it is (asked until it does)."""
        if self.directory.listed(user_name):
            return True
        if not self.delivery.sender.who_is(user_name):
            return False
        self.directory.known(user_name)
        return True

    def _hand_off(self, msg: Message, reason: HandoffReason, draft: bool) -> None:
        """No model is asked: what waited for this contact is dropped, the owner is alerted, and the customer
        gets the owner's holding line once (a draft-mode contact, whose owner chose silence, gets nothing)."""
        self.replies.cancel("waiting_for_owner", msg.contact_id)
        self.delivery.drop("waiting_for_owner", msg.contact_id)
        self.handoffs.begin(msg.contact_id, reason, [msg.text])
        line = self.settings.handoff_line
        if line and not draft:
            self.replies.queue(msg, fixed=(line, ReplySource.HANDOFF))
        else:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "waiting_for_owner")

    def _outside_hours(self, msg: Message, draft: bool) -> None:
        away = self.settings.away_message
        if away and self.hours.should_send_away(msg.contact_id, self.clock()):
            self.replies.queue(msg, fixed=(away, ReplySource.AWAY), draft=draft)
        else:
            self.inbox.set_state(msg.msg_id, InboxState.SKIPPED, "outside_hours")

    # ------------------------------------------------------------------ the owner's own messages
    def _command(self, cmd: Command) -> None:
        if cmd.verb in SLOW_VERBS:  # knowledge-base or settings work, which waits for an import: not on this thread
            self._slow.submit(self._answer_slow, cmd)
            return
        if cmd.verb is Verb.DONE:  # #done NAME: the owner handled a handed-over customer; auto-reply resumes
            self.delivery.send_parts(FILEHELPER, [self.handoffs.done_by_name(cmd.target, self.directory.find)])
            self.on_event(ContactsChanged())
            return
        if cmd.verb in DRAFT_VERBS:
            self.delivery.send_parts(FILEHELPER, [self.drafts.command(cmd)])
            return
        answer = run_command(cmd, self.control, self.rules, self.directory.find, self.clock)
        self.delivery.send_parts(FILEHELPER, [answer])
        if cmd.target:  # a contact's mode or pause may have changed: the window shows it
            self.on_event(ContactsChanged())

    def _answer_slow(self, cmd: Command) -> None:
        """On the slow-command thread: carry out the command, then answer the phone."""
        try:
            answer = self.drafts.command(cmd)
        except Exception:  # this thread must outlive one bad command
            logger.exception("owner command {} failed", cmd.verb)
            answer = "命令没有完成，详情见日志 (the command failed; see the log)"
        self.delivery.send_parts(FILEHELPER, [answer])

    def close(self) -> None:
        """Let a slow command under way finish (its answer goes out when it ends); take no more."""
        self._slow.shutdown(wait=False, cancel_futures=False)

    def _take_over(self, work: Work) -> None:
        """The owner wrote by hand (committed by intake): a takeover of that contact, unless it is their backlog
        from while wxbot was off (history only)."""
        msg = work.msg
        if self._stale(msg, work.arrived):
            logger.info("owner's message {} was {:.0f}s old on arrival: no takeover", msg.msg_id,
                        work.arrived - msg.time)
            return
        if work.user_name != FILEHELPER:
            self.take_over(msg.contact_id)

    def take_over(self, contact_id: str) -> None:
        """The owner wrote to this contact by hand (phone or window): pause it for takeover_minutes and drop
        the reply being prepared, queued or drafted for it."""
        self.policy.take_over(contact_id)
        self.replies.cancel("takeover", contact_id)
        self.delivery.drop("takeover", contact_id)
        self.drafts.discard_for(contact_id)
        self.handoffs.resolve(contact_id)  # the owner wrote: the handoff is theirs, done
        self.on_event(ContactsChanged((contact_id,)))  # the window shows the pause
        logger.info("owner took over contact {} for {} min", contact_id, self.settings.takeover_minutes)
