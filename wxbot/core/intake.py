"""Intake: the first stage of a message's life, and the only writer of a message before dispatch.

itchat's receive thread hands each message here. An incoming one is committed to the inbox at once (before
the channel saves the sync position that delivered it) under its durable contact id, stamped with the time it
arrived, and handed to the dispatcher. Ages count from that stamp, so a message that waits in a busy
dispatcher's queue is not mistaken for a backlog. The owner's own messages are committed here too (a takeover
survives a crash), once told from the bot's echoes and from commands. A message the store refuses (disk full)
is handed on uncommitted, and so is every later one until it is stored: WeChat's sync position covers all
before it, so none may be saved past a message that is only in memory. The dispatcher replays them in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from loguru import logger

from wxbot.core.commands import Command, parse_command
from wxbot.core.directory import Directory
from wxbot.core.echo import SentEchoes
from wxbot.core.outage import GuardedInbox, StoreOutage
from wxbot.core.policy import FILEHELPER
from wxbot.crashpoint import crash_point
from wxbot.errors import StoreError
from wxbot.events import MessageLogged
from wxbot.messages import Direction, Heard, Message


@dataclass(frozen=True)
class Work:
    """An incoming message for the dispatcher, already in the inbox under its durable contact id."""

    msg: Message
    user_name: str  # this login's name for the conversation
    arrived: float  # when it reached the bot (the bot's clock, on the receive thread): its age counts from here
    resumed: bool = False  # interrupted by a crash: inbox_expire_minutes judged its age, not staleness
    heard: Heard | None = None  # a voice message or picture back from the media stage (read, or not readable)


@dataclass(frozen=True)
class Arrival:
    """A message not committed yet (the store refused it, or earlier ones are not stored yet)."""

    msg: Message  # as WeChat gave it (this login's contact id)
    arrived: float


@dataclass(frozen=True)
class Order:
    """The owner's command from File Transfer Helper: carried out, not stored."""

    command: Command


# What the dispatcher takes. A Work whose message is the owner's own is a takeover to carry out.
Item = Work | Arrival | Order


class Intake:
    """``forward(item)`` hands work to the dispatcher (its queue)."""

    def __init__(self, inbox: GuardedInbox, outage: StoreOutage, directory: Directory, echoes: SentEchoes,
                 on_event: Callable[[object], None], forward: Callable[[Item], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.inbox = inbox
        self.outage = outage
        self.echoes = echoes
        self.directory = directory
        self.on_event = on_event
        self.forward = forward
        self.clock = clock

    def on_message(self, raw: Message) -> bool:
        """Called on the channel's receive thread: commit a message to the inbox, then hand it on. The commit
        comes first because the channel saves WeChat's sync position once this returns True; False: it is held
        in memory uncommitted (the store refused it, or an earlier one waits), so that position must not be
        saved."""
        arrived = self.clock()
        if not self.outage.holding:
            try:
                item = self.take(raw, arrived)
            except StoreError:
                pass
            else:
                if item is not None:
                    self.forward(item)
                return True
        self.outage.handed_uncommitted()
        self.forward(Arrival(raw, arrived))  # held by the dispatcher, committed in order when writing works
        return False

    def take(self, raw: Message, arrived: float) -> Item | None:
        """Commit one message and say what the dispatcher must do with it; None: nothing (a copy WeChat sent
        again, or the echo of the bot's own send). Raises StoreError when the store refuses it."""
        if not raw.from_self:
            return self.commit(raw, arrived)
        if self.echoes.is_echo(raw.contact_id, raw.text):
            return None  # web WeChat echoing what the bot itself just sent
        if raw.contact_id == FILEHELPER and (cmd := parse_command(raw.text)):
            return Order(cmd)
        msg = self.commit_owner(raw)
        return Work(msg, raw.contact_id, arrived) if msg is not None else None

    def commit(self, raw: Message, arrived: float) -> Work | None:
        """Store an incoming message under its durable contact id; None when its WeChat id is known already.
        Raises StoreError when the store refuses it."""
        msg = self.directory.resolve(raw)
        if not self.inbox.add(msg):
            logger.debug("duplicate msg {} ignored", msg.msg_id)
            return None
        crash_point("inbox.committed")
        self.on_event(MessageLogged(msg.contact_id, Direction.IN))
        return Work(msg, raw.contact_id, arrived)

    def commit_owner(self, raw: Message) -> Message | None:
        """Store a message the owner wrote by hand (not an echo, not a command); None when it is a re-delivered
        copy (after a hot reload), stored and acted on already."""
        msg = self.directory.resolve(raw)
        if not self.inbox.add(msg):
            return None
        self.on_event(MessageLogged(msg.contact_id, Direction.OUT, by_bot=False))
        return msg

    def commit_written(self, msg: Message) -> None:
        """Store what the owner wrote in the window (already under its durable contact id), after it was sent."""
        if self.inbox.add(msg):
            self.on_event(MessageLogged(msg.contact_id, Direction.OUT, by_bot=False))

    def resume(self, messages: list[Message]) -> None:
        """Work a crash interrupted (already in the inbox, under durable ids): hand it on again. Called before
        receiving starts, so a re-delivered copy of the same message always finds it and is dropped."""
        now = self.clock()
        for msg in messages:
            self.forward(Work(msg, self.directory.user_name(msg.contact_id), now, resumed=True))
