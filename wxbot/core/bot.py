"""The running bot: the four stages of a message's life, composed, behind the API the service drives.

A message goes channel -> intake -> dispatch -> replies -> delivery -> channel, each stage in its own module
with its own thread(s) and its own state moves (the table in wxbot/lifecycle.py):

- intake (core/intake.py), on itchat's receive thread: commits what arrives, stamped with its arrival time;
- dispatch (core/dispatch.py), one thread: policy, hours, owner commands, takeovers, store-outage holding;
  a voice message or picture goes to the media stage (core/mediastage.py, its own thread) and comes back
  to dispatch read, as text;
- replies (core/replies.py), a scheduler thread and reply workers: grouping, generation, drafts;
- delivery (core/delivery.py), the send thread: pacing, the last checks, sending, recording.

A message the owner sends by hand to a contact cancels that contact's pending, running or waiting reply
(takeover wins). For a contact in draft mode the reply is held on the draft desk instead; a draft the owner
approves joins delivery like any reply.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable

from loguru import logger

from wxbot.core.commands import BotControl
from wxbot.core.contacts import ContactRules
from wxbot.core.delivery import Delivery
from wxbot.core.directory import Directory
from wxbot.core.dispatch import Dispatcher
from wxbot.core.drafts import DraftDesk, DraftStore
from wxbot.core.engine import ReplyEngine
from wxbot.core.handoff import Handoffs
from wxbot.core.inbox import Inbox
from wxbot.core.intake import Intake, Item
from wxbot.core.mediastage import MediaStage
from wxbot.core.outage import PAUSED_TEXT, GuardedInbox, StoreOutage
from wxbot.core.pacing import Pacer
from wxbot.core.policy import FILEHELPER, ReplyPolicy
from wxbot.core.ports import Sender
from wxbot.core.replies import Replies
from wxbot.errors import MessageRefused, WeChatError
from wxbot.events import BotPhase, BotState
from wxbot.messages import ChatKind, Message
from wxbot.settings import OWNER_MESSAGE_MAX_CHARS, Settings

EventSink = Callable[[object], None]


class Bot:
    def __init__(self, settings: Settings, sender: Sender, engine: ReplyEngine, inbox: Inbox,
                 rules: ContactRules, directory: Directory, on_event: EventSink, drafts: DraftStore,
                 clock: Callable[[], float] = time.time, control: BotControl | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.on_event = on_event
        self.directory = directory
        self.clock = clock
        self.outage: StoreOutage[Item] = StoreOutage(on_event, self._store_down)
        self.inbox = GuardedInbox(inbox, self.outage)
        self.policy = ReplyPolicy(settings, rules, clock)
        self.pacer = Pacer(settings, clock)
        self._running = False
        self._threads: list[threading.Thread] = []
        self._incoming: queue.Queue[Item | None] = queue.Queue()
        self._cond = threading.Condition()
        self.delivery = Delivery(self.inbox, sender, engine, self.pacer, self.policy, rules, directory,
                                 lambda: self.drafts, on_event, clock, self._cond, lambda: self._running)
        self.handoffs = Handoffs(settings, rules, notify=lambda text: self.delivery.send_parts(FILEHELPER, [text]),
                                 name_of=directory.name_of, on_event=on_event, clock=clock)
        self.replies = Replies(settings, self.inbox, engine, rules, self.delivery, lambda: self.drafts, self.handoffs,
                               on_event, clock, self._cond, lambda: self._running)
        self.drafts = DraftDesk(settings, drafts, send=self.delivery.queue_approved,
                                regenerate=self.replies.queue_regenerate,
                                notify=lambda text: self.delivery.send_parts(FILEHELPER, [text]),
                                name_of=directory.name_of, on_event=on_event, clock=clock)
        self.media = MediaStage(None, self.inbox, on_event)  # the service plugs in its MediaReader
        self.intake = Intake(self.inbox, self.outage, directory, self.delivery.echoes, on_event, self._incoming.put,
                             clock)
        self.dispatcher = Dispatcher(settings, self._incoming, self.intake, self.inbox, self.outage, self.policy,
                                     rules, directory, self.replies, self.delivery, self.drafts, self.media,
                                     self.handoffs,
                                     control or self,
                                     on_event, lambda: self._running, self.stop, clock)

    # ------------------------------------------------------------------ life cycle
    def start_threads(self) -> None:
        """Start the dispatcher, the reply scheduler and the send stage (once). Auto-reply itself starts with
        ``start()``."""
        if self._threads:
            return
        for name, target in (("wxbot-dispatch", self.dispatcher.run), ("wxbot-schedule", self.replies.run),
                             ("wxbot-send", self.delivery.outbox.run)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def start(self) -> None:
        self.start_threads()
        self._running = True
        self.on_event(BotState(BotPhase.RUNNING))
        logger.info("auto-reply started")

    def stop(self, reason: str = "", risk: bool = False, cut_off: bool = False) -> None:
        """Stop auto-reply: pending replies are dropped, a running generation is cancelled. Drafts the owner
        approved are still sent (their own decision), unless ``cut_off``: logged out, or WeChat's warning
        (``risk``: a risk signal stopped it, which cuts off too)."""
        self._running = False
        dropped = self.replies.cancel("bot_stopped")
        self.delivery.drop("bot_stopped", approved=cut_off or risk)
        self.on_event(BotState(BotPhase.STOPPED, reason, risk=risk))
        logger.info("auto-reply stopped ({} pending dropped)", dropped)

    def close(self) -> None:
        self.stop(cut_off=True)
        self.drafts.close()
        self.media.close()
        self._incoming.put(None)
        self.delivery.outbox.close()
        self.replies.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.dispatcher.close()
        self.replies.close_slots()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def holding(self) -> bool:
        """A message that arrived is only in memory (a store outage): WeChat's sync position must not be saved."""
        return self.outage.holding

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
        self.engine.apply_settings(settings)
        self.drafts.settings = settings
        self.media.apply_settings(settings)
        self.handoffs.settings = settings
        self.replies.settings = settings
        self.dispatcher.apply_settings(settings)
        with self._cond:  # the scheduler and the send stage wait on timers the new settings may shorten
            self._cond.notify_all()

    # ------------------------------------------------------------------ the owner writing from the window
    def send_as_owner(self, contact_id: str, text: str, group: bool = False) -> None:
        """The owner writes from the window as from the phone: a takeover first (the contact paused for
        takeover_minutes, a reply in preparation cancelled, a pending draft discarded), then their words sent
        as written through the channel (no reply prefix, never split) and stored as theirs. The echo web WeChat
        sends back is known as one. Raises MessageRefused (empty, too long) or WeChatError (not sent)."""
        words = text.strip()
        if not words:
            raise MessageRefused("消息是空的，没有发送", "the message is empty: nothing was sent")
        if len(words) > OWNER_MESSAGE_MAX_CHARS:
            raise MessageRefused(f"消息太长（{len(words)} 字，最多 {OWNER_MESSAGE_MAX_CHARS} 字），没有发送",
                                 f"the message is too long ({len(words)} characters, at most "
                                 f"{OWNER_MESSAGE_MAX_CHARS}): nothing was sent")
        self.dispatcher.take_over(contact_id)
        if not self.delivery.send_parts(self.directory.user_name(contact_id), [words]):
            raise WeChatError("消息没有发出去，请检查网络与微信登录", "the message was not sent: check the network "
                                                                "and the WeChat login")
        self.intake.commit_written(Message(f"owner-{uuid.uuid4().hex}", contact_id, "",
                                           ChatKind.GROUP if group else ChatKind.PRIVATE, words, time=self.clock(),
                                           from_self=True))

    # ------------------------------------------------------------------ intake (channel thread)
    def on_message(self, raw: Message) -> bool:
        """Called on the channel's receive thread (see Intake.on_message): False when the store refused it."""
        return self.intake.on_message(raw)

    def resume_interrupted(self, messages: list[Message]) -> None:
        """Work a crash interrupted (already in the inbox, under durable ids): queue it again, before receiving
        starts."""
        self.intake.resume(messages)

    def _store_down(self, down: bool) -> None:
        if self._running:
            self.on_event(BotState(BotPhase.PAUSED, PAUSED_TEXT) if down else BotState(BotPhase.RUNNING))
