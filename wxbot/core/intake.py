"""Intake: the first stage of a message's life, and the only writer of a message before dispatch.

itchat's receive thread hands each message here. An incoming one is committed to the inbox at once (before
the channel saves the sync position that delivered it) under its durable contact id, stamped with the time it
arrived, and handed to the dispatcher. Ages count from that stamp, so a message that waits in a busy
dispatcher's queue is not mistaken for a backlog. A message the store refuses (disk full) is handed on
uncommitted, to be held through the outage and committed by this stage when writing works again. The owner's
own messages are committed here too, once the dispatcher has told them from echoes and commands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from loguru import logger

from wxbot.core.directory import Directory
from wxbot.core.outage import GuardedInbox
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
    """A message not committed yet: the owner's own (or an echo), or an incoming one the store refused."""

    msg: Message  # as WeChat gave it (this login's contact id)
    arrived: float


# What the dispatcher takes
Item = Work | Arrival


class Intake:
    """``forward(item)`` hands work to the dispatcher (its queue)."""

    def __init__(self, inbox: GuardedInbox, directory: Directory, on_event: Callable[[object], None],
                 forward: Callable[[Item], None], clock: Callable[[], float] = time.time) -> None:
        self.inbox = inbox
        self.directory = directory
        self.on_event = on_event
        self.forward = forward
        self.clock = clock

    def on_message(self, raw: Message) -> bool:
        """Called on the channel's receive thread: commit an incoming message to the inbox, then hand it on.
        The commit comes first because the channel saves WeChat's sync position once this returns True;
        False: the store refused it (held in memory meanwhile), so that position must not be saved."""
        arrived = self.clock()
        if raw.from_self:  # the owner's own (or an echo): history and takeover, not work to answer
            self.forward(Arrival(raw, arrived))
            return True
        try:
            work = self.commit(raw, arrived)
        except StoreError:
            self.forward(Arrival(raw, arrived))  # held by the dispatcher, committed when writing works again
            return False
        if work is not None:
            self.forward(work)
        return True

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

    def resume(self, messages: list[Message]) -> None:
        """Work a crash interrupted (already in the inbox, under durable ids): hand it on again. Called before
        receiving starts, so a re-delivered copy of the same message always finds it and is dropped."""
        now = self.clock()
        for msg in messages:
            self.forward(Work(msg, self.directory.user_name(msg.contact_id), now, resumed=True))
