"""WeChat's clock as this PC sees it, so a message's age is judged by WeChat's time and a PC clock that is
minutes off neither makes every message look stale (nothing answered) nor a backlog look fresh.

Every answer from WeChat's servers carries an HTTP ``Date``: the offset between it and the PC clock turns a
message's ``CreateTime`` into PC time. Without a Date header, WeChat's time is at least the newest
``CreateTime`` seen (a message can't come from the future), which still catches a PC clock that is slow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from email.utils import parsedate_to_datetime
from typing import Any

from loguru import logger

NOTABLE_OFFSET_S = 30.0  # a PC clock off by more than this is worth a line in the log


class WeChatClock:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._server_offset: float | None = None  # WeChat's time minus the PC's, from the latest Date header
        self._floor_offset = 0.0  # at least this: the newest CreateTime seen minus the PC time it arrived at
        self._told = False

    def observe_response(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """A ``requests`` response hook: learn the offset from the answer's Date header."""
        date = response.headers.get("Date") if response is not None else None
        if not date:
            return
        try:
            server = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return
        offset = server - self._now()
        with self._lock:
            self._server_offset = offset
        if abs(offset) > NOTABLE_OFFSET_S and not self._told:
            self._told = True
            logger.warning("this PC's clock is {:+.0f} s off WeChat's; message ages use WeChat's time", -offset)

    def observe(self, create_times: Iterable[float]) -> None:
        """A batch of messages arrived: none of them can be newer than WeChat's now."""
        now = self._now()
        with self._lock:
            for created in create_times:
                self._floor_offset = max(self._floor_offset, created - now)

    def offset(self) -> float:
        """WeChat's time minus the PC's, as best known."""
        with self._lock:
            if self._server_offset is None:
                return self._floor_offset
            return self._server_offset

    def to_local(self, create_time: float) -> float:
        """A WeChat timestamp in PC time (never later than now)."""
        return min(create_time - self.offset(), self._now())
