"""Pacing that protects the owner's account: per-contact spacing, global caps per minute and per day,
human-like delays growing with reply length, and a loop guard against two bots talking to each other."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from wxbot.settings import Settings


@dataclass(frozen=True)
class PaceVerdict:
    allowed: bool
    # the human-like typing delay before sending; spacing and the per-minute cap are the send queue's, read each
    # time it picks (gate_wait), so a spacing the owner shortens applies to the replies already waiting
    wait: float = 0.0
    reason: str = ""  # why not allowed: "daily_cap" | "loop_guard"


class Pacer:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.rng = rng or random.Random()
        self._lock = threading.Lock()
        self._last_sent: dict[str, float] = {}
        self._minute: deque[float] = deque()
        self._day: deque[float] = deque()
        self._exchanges: dict[str, deque[float]] = defaultdict(deque)
        self._last_text: dict[str, tuple[str, int]] = {}

    def typing_delay(self, chars: int) -> float:
        """Grows with the reply's length, jittered, never above ``typing_delay_max``."""
        s = self.settings
        base = s.typing_delay_base + s.typing_delay_per_char * chars
        return min(base * self.rng.uniform(0.7, 1.3), s.typing_delay_max) if base else 0.0

    def check(self, contact_id: str, chars: int, incoming_text: str = "") -> PaceVerdict:
        """May we answer this contact (caps, loop guard), and after what typing delay? Records nothing."""
        s = self.settings
        now = self.clock()
        with self._lock:
            self._expire(now)
            if s.max_replies_per_day and len(self._day) >= s.max_replies_per_day:
                return PaceVerdict(False, reason="daily_cap")
            if s.loop_guard_exchanges and self._looping(contact_id, now, incoming_text):
                return PaceVerdict(False, reason="loop_guard")
            return PaceVerdict(True, self.typing_delay(chars))

    def gate_wait(self, contact_id: str) -> float:
        """Seconds until per-contact spacing and the per-minute cap let a reply to this contact go."""
        now = self.clock()
        with self._lock:
            self._expire(now)
            return self._gate(contact_id, now)

    def _gate(self, contact_id: str, now: float) -> float:
        s = self.settings
        wait = 0.0
        last = self._last_sent.get(contact_id)
        if last is not None:
            wait = max(wait, last + s.min_seconds_between_replies - now)
        if s.max_replies_per_minute and len(self._minute) >= s.max_replies_per_minute:
            wait = max(wait, self._minute[0] + 60 - now)
        return wait

    def record_sent(self, contact_id: str, incoming_text: str = "") -> None:
        now = self.clock()
        with self._lock:
            self._last_sent[contact_id] = now
            self._minute.append(now)
            self._day.append(now)
            self._exchanges[contact_id].append(now)
            text, count = self._last_text.get(contact_id, ("", 0))
            self._last_text[contact_id] = (incoming_text, count + 1 if incoming_text == text else 1)

    def replies_today(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._day)

    def _expire(self, now: float) -> None:
        while self._minute and self._minute[0] <= now - 60:
            self._minute.popleft()
        while self._day and self._day[0] <= now - 86400:
            self._day.popleft()

    def _looping(self, contact_id: str, now: float, incoming_text: str) -> bool:
        """N replies to one contact inside the window, or the same text again and again, look like a bot loop."""
        s = self.settings
        window = self._exchanges[contact_id]
        while window and window[0] <= now - s.loop_guard_window_seconds:
            window.popleft()
        if len(window) >= s.loop_guard_exchanges:
            return True
        text, count = self._last_text.get(contact_id, ("", 0))
        return bool(incoming_text) and incoming_text == text and count >= 3
