"""Service hours: when the bot answers (ranges may cross midnight), and the away message once per closed spell."""

from __future__ import annotations

import threading
import time

from wxbot.settings import Settings, parse_service_hours


class ServiceHours:
    def __init__(self, settings: Settings) -> None:
        self.range = parse_service_hours(settings.service_hours) if settings.service_hours else None
        self._away_sent: dict[str, float] = {}
        self._lock = threading.Lock()

    def is_open(self, now: float) -> bool:
        if self.range is None:
            return True
        start, end = self.range
        t = time.localtime(now)
        minute = t.tm_hour * 60 + t.tm_min
        if start == end:
            return True
        if start < end:
            return start <= minute < end
        return minute >= start or minute < end  # across midnight, e.g. 22:00-06:00

    def should_send_away(self, contact_id: str, now: float) -> bool:
        """One away message per contact per 12 hours outside service hours, not one per message."""
        with self._lock:
            last = self._away_sent.get(contact_id, 0.0)
            if now - last < 12 * 3600:
                return False
            self._away_sent[contact_id] = now
            return True
