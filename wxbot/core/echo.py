"""Recognise web WeChat echoing the bot's own sends back in the sync stream (ItChat #618).

Such an echo looks exactly like the owner typing on the phone; without this it would trigger a takeover.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class SentEchoes:
    def __init__(self, ttl: float = 600.0, size: int = 500) -> None:
        self.ttl = ttl
        self._sent: deque[tuple[float, str, str]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def remember(self, user_name: str, text: str) -> None:
        with self._lock:
            self._sent.append((time.monotonic(), user_name, text))

    def is_echo(self, user_name: str, text: str) -> bool:
        """True once for each remembered send: the echo is consumed."""
        now = time.monotonic()
        with self._lock:
            for i, (at, who, sent) in enumerate(self._sent):
                if now - at <= self.ttl and who == user_name and sent == text:
                    del self._sent[i]
                    return True
        return False
