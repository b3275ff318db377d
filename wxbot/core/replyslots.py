"""Generation slots: the bot generates as many replies at once as the model decodes together (its ``parallel``),
each on a thread of its own, and never two for one contact (a contact's replies follow each other in order)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from wxbot.settings import MAX_PARALLEL_REPLIES

CLOSE_WAIT_S = 5.0  # at close, how long the (already cancelled) generations get to end


class ReplySlots:
    """Contacts being generated for right now. Shares the bot's condition: a freed slot wakes the scheduler.
    ``limit()`` is read at every pick (the model, and how many replies it takes at once, may change)."""

    def __init__(self, cond: threading.Condition, limit: Callable[[], int]) -> None:
        self._cond, self._limit = cond, limit
        self._running: dict[str, threading.Thread] = {}  # contact -> the thread generating its reply

    def free(self, contact_id: str) -> bool:
        """A generation for this contact may start now. Call with the condition held."""
        room = max(1, min(self._limit(), MAX_PARALLEL_REPLIES))
        return contact_id not in self._running and len(self._running) < room

    def start(self, contact_id: str, work: Callable[[], None]) -> None:
        """Run ``work`` (one generation and what follows it) on a thread of its own (a daemon, like the bot's
        other threads: a hung model call never holds up quitting). Call with the condition held."""
        thread = threading.Thread(target=self._run, args=(contact_id, work), name="wxbot-reply", daemon=True)
        self._running[contact_id] = thread
        thread.start()

    def _run(self, contact_id: str, work: Callable[[], None]) -> None:
        try:
            work()
        finally:
            with self._cond:
                del self._running[contact_id]
                self._cond.notify_all()

    def close(self) -> None:
        """Give the running generations (cancelled by the bot's stop) a moment to end."""
        with self._cond:
            running = list(self._running.values())
        deadline = time.monotonic() + CLOSE_WAIT_S
        for thread in running:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
