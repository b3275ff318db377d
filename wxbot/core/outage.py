"""A store that can't be written (disk full, read-only, I/O error) pauses the bot instead of killing it: what
arrives is held in memory, bookkeeping writes wait in order, both are replayed when the store takes writes
again, and the owner is told once when it stops and once when it resumes."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from loguru import logger

from wxbot.core.inbox import Inbox
from wxbot.errors import StoreError
from wxbot.events import Notice, NoticeLevel
from wxbot.messages import InboxState, Message, Reply

Held = TypeVar("Held")

RETRY_S = 3.0  # how often a paused bot tries the store again
PAUSED_TEXT = ("无法写入聊天记录（磁盘已满、只读或读写出错），自动回复已暂停；收到的消息暂存在内存中，恢复后会自动保存并继续 "
               "(the store can't be written — disk full, read-only or an I/O error: auto-reply paused; messages "
               "that arrive are kept in memory and stored when writing works again)")
RESUMED_TEXT = "聊天记录可以写入了，自动回复已恢复 (the store can be written again: auto-reply resumed)"


class StoreOutage(Generic[Held]):
    """Shared by the dispatcher and the reply worker. ``down`` while a store write has failed and not yet
    succeeded again; ``on_change(down)`` lets the bot show its paused/running state."""

    def __init__(self, on_event: Callable[[object], None], on_change: Callable[[bool], None]) -> None:
        self.on_event = on_event
        self.on_change = on_change
        self.down = False
        self._lock = threading.Lock()
        self._held: deque[Held] = deque()  # arrived but not stored yet (the bot's work items), in order
        self._uncommitted = 0  # messages intake handed on uncommitted, not stored yet (held or still queued)
        self._writes: deque[Callable[[], None]] = deque()  # state marks and replies waiting to be written

    @property
    def waiting(self) -> bool:
        """Something is held or waits to be written: the dispatcher retries every RETRY_S."""
        with self._lock:
            return bool(self._held or self._writes or self._uncommitted)

    @property
    def holding(self) -> bool:
        """A message that arrived is not stored yet: WeChat's sync position must not be saved past it (the
        position is cumulative), so every later message waits behind it, uncommitted too."""
        with self._lock:
            return self._uncommitted > 0

    def handed_uncommitted(self) -> None:
        """Intake handed a message on without storing it (the store refused it, or earlier ones wait)."""
        with self._lock:
            self._uncommitted += 1

    def stored_uncommitted(self) -> None:
        """The dispatcher stored (or dropped as a copy, an echo or a command) one such message."""
        with self._lock:
            self._uncommitted -= 1

    def failed(self, err: StoreError) -> None:
        with self._lock:
            first, self.down = not self.down, True
        if first:  # one notice per outage, not one per message
            logger.error("store write failed, auto-reply paused: {}", err.en)
            self.on_change(True)
            self.on_event(Notice(NoticeLevel.ERROR, PAUSED_TEXT))

    def succeeded(self) -> None:
        """A write went through; the outage ends once nothing is held or waiting any more."""
        with self._lock:
            if self._held or self._writes or self._uncommitted:
                return
            was, self.down = self.down, False
        if was:
            logger.info("store writable again, auto-reply resumed")
            self.on_change(False)
            self.on_event(Notice(NoticeLevel.INFO, RESUMED_TEXT))

    def hold(self, item: Held) -> None:
        with self._lock:
            self._held.append(item)

    def take_held(self) -> Held | None:
        with self._lock:
            return self._held.popleft() if self._held else None

    def put_back(self, item: Held) -> None:
        """The store refused a held item again: it stays first in line."""
        with self._lock:
            self._held.appendleft(item)

    def write(self, fn: Callable[[], None]) -> None:
        """Run a write that needs no answer now, or queue it behind earlier ones that failed."""
        with self._lock:
            if self._writes:
                self._writes.append(fn)
                return
        try:
            fn()
        except StoreError as err:
            with self._lock:
                self._writes.append(fn)
            self.failed(err)

    def replay_writes(self) -> bool:
        """Write what waits, in order; False (and the rest kept) when the store still refuses."""
        while True:
            with self._lock:
                if not self._writes:
                    return True
                fn = self._writes[0]
            try:
                fn()
            except StoreError:
                return False
            with self._lock:
                self._writes.popleft()


class GuardedInbox:
    """The bot's Inbox with the outage in front: bookkeeping writes never raise (they wait instead), while
    ``add`` and ``claim`` still raise StoreError, because their callers must hold the work back."""

    def __init__(self, inbox: Inbox, outage: StoreOutage) -> None:
        self._inbox = inbox
        self._outage = outage

    def add(self, msg: Message) -> bool:
        return self._checked(lambda: self._inbox.add(msg))

    def claim(self, msg_id: str) -> bool:
        return self._checked(lambda: self._inbox.claim(msg_id))

    def _checked(self, fn: Callable[[], bool]) -> bool:
        try:
            done = fn()
        except StoreError as err:
            self._outage.failed(err)
            raise
        if self._outage.down:
            self._outage.succeeded()
        return done

    def set_state(self, msg_id: str, state: InboxState, reason: str = "") -> None:
        self._outage.write(lambda: self._inbox.set_state(msg_id, state, reason))

    def set_states(self, ids: list[str], state: InboxState, reason: str = "") -> None:
        for msg_id in ids:
            self.set_state(msg_id, state, reason)

    def set_text(self, msg_id: str, text: str) -> None:
        self._outage.write(lambda: self._inbox.set_text(msg_id, text))

    def record_reply(self, reply: Reply) -> None:
        self._outage.write(lambda: self._inbox.record_reply(reply))
