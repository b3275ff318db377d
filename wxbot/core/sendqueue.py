"""The send stage: generated replies wait out the typing delay, per-contact spacing and the per-minute cap
here, on their own thread, so the model is already answering the next contact (generation never waits)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from wxbot.core.pacing import Pacer
from wxbot.messages import Draft, Reply


@dataclass
class Outgoing:
    """One generated reply on its way out."""

    contact_id: str
    reply: Reply
    ids: list[str]  # the incoming messages it answers
    incoming: str  # their text, for the loop guard
    cancel: threading.Event  # set by a takeover or a stop
    ready_at: float  # generated + the typing delay: not sent before this
    draft: Draft | None = None  # the owner's approved draft this reply sends (its outcome is recorded there)


class SendQueue:
    """Replies in arrival order; a contact's replies leave in order, the one due first (ready and let through by
    spacing and the per-minute cap) goes next. Shares the bot's condition so both stages wake each other."""

    def __init__(self, pacer: Pacer, clock: Callable[[], float], cond: threading.Condition,
                 deliver: Callable[[Outgoing], None]) -> None:
        self._pacer, self._clock, self._cond, self._deliver = pacer, clock, cond, deliver
        self._waiting: list[Outgoing] = []
        self._sending: set[str] = set()  # contacts whose reply is being sent right now
        self._closed = False

    def put(self, job: Outgoing) -> None:
        with self._cond:
            self._waiting.append(job)
            self._cond.notify_all()

    def busy(self, contact_id: str | None = None) -> bool:
        """A reply to this contact (to anyone, for None) waits or is being sent. Call with the condition held."""
        if contact_id is None:
            return bool(self._waiting or self._sending)
        return contact_id in self._sending or any(j.contact_id == contact_id for j in self._waiting)

    def drop(self, contact_id: str | None = None, approved: bool = True) -> list[Outgoing]:
        """Take the waiting replies of one contact (or all) out; the caller records why. Cancels them.
        ``approved`` False: drafts the owner approved stay."""
        with self._cond:
            dropped = [j for j in self._waiting if (contact_id is None or j.contact_id == contact_id)
                       and (approved or j.draft is None)]
            self._waiting = [j for j in self._waiting if j not in dropped]
            for job in dropped:
                job.cancel.set()
            self._cond.notify_all()
            return dropped

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def run(self) -> None:
        """The send thread's loop: wait for the first due reply, hand it to ``deliver``, repeat."""
        while (job := self._next_due()) is not None:
            try:
                self._deliver(job)
            finally:
                with self._cond:
                    self._sending.discard(job.contact_id)
                    self._cond.notify_all()

    def _next_due(self) -> Outgoing | None:
        with self._cond:
            while not self._closed:
                now = self._clock()
                heads: dict[str, Outgoing] = {}
                for job in self._waiting:
                    heads.setdefault(job.contact_id, job)
                due = [(max(j.ready_at, now + self._pacer.gate_wait(j.contact_id)), i, j)
                       for i, j in enumerate(heads.values())]
                if due:
                    when, _, job = min(due)
                    if when <= now:
                        self._waiting.remove(job)
                        self._sending.add(job.contact_id)
                        return job
                self._cond.wait(timeout=min(due)[0] - now if due else None)
        return None
