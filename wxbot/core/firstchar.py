"""How long customers waited for the first character of the local model's recent replies, for the dashboard: the
Prometheus histogram (metrics.py) keeps only buckets, and only while metrics are served. The wait counts the
prompt, the other contacts' replies ahead in the model and the model's thinking (``reasoning``), which a
customer sees as silence."""

from __future__ import annotations

import statistics
import threading
from collections import deque

from wxbot.llm.sequences import GenerationStats
from wxbot.messages import FirstVisible

# Replies the dashboard's figure covers: enough for a steady median, few enough that a change of the reasoning
# setting shows within a morning's customers.
RECENT_REPLIES = 50


class FirstCharTimes:
    """The last RECENT_REPLIES samples in memory (nothing about a contact: only durations), fed from the reply
    threads as each generation ends, read by the window's worker thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: deque[float] = deque(maxlen=RECENT_REPLIES)

    def add(self, stats: GenerationStats) -> None:
        """One reply the local model generated; one that showed nothing (all thinking, or empty) is not counted."""
        if stats.first_visible_seconds is not None:
            with self._lock:
                self._seconds.append(stats.first_visible_seconds)

    def figures(self) -> FirstVisible | None:
        """Median and 90th percentile of the recent samples; None before the first."""
        with self._lock:
            samples = list(self._seconds)
        if not samples:
            return None
        p90 = statistics.quantiles(samples, n=10, method="inclusive")[-1] if len(samples) > 1 else samples[0]
        return FirstVisible(len(samples), statistics.median(samples), p90)
