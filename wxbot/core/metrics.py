"""Prometheus metrics for those who run wxbot as a service (opt-in, ``metrics_port``): counters and a latency
histogram fed by the bot's events, served on 127.0.0.1 only. Labels name sources and reasons, never a contact
or any text."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from wxbot.events import BotPhase, BotState, MessageLogged, Notice, NoticeLevel
from wxbot.llm.sequences import GenerationStats
from wxbot.messages import Direction

LOOPBACK = "127.0.0.1"
LATENCY_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600)
DECODE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500)
FIRST_VISIBLE_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)


class Metrics:
    """Its own registry (no process-wide state: two services in one test each have theirs)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter("wxbot_messages_received", "Messages from contacts stored by the bot", registry=r)
        self.replies = Counter("wxbot_replies", "Automatic replies sent, by source", ["source"], registry=r)
        self.owner = Counter("wxbot_owner_messages", "Messages the owner sent by hand (takeovers)", registry=r)
        self.errors = Counter("wxbot_errors", "Errors reported to the owner", registry=r)
        self.latency = Histogram("wxbot_reply_latency_seconds", "From a contact's first unanswered message "
                                 "reaching wxbot to the reply being sent", buckets=LATENCY_BUCKETS, registry=r)
        self.running = Gauge("wxbot_auto_reply_running", "1 while auto-reply runs", registry=r)
        self.decode = Histogram("wxbot_model_decode_tokens_per_second", "The model's decode speed, one sample per "
                                "reply the local model generated", buckets=DECODE_BUCKETS, registry=r)
        self.first_visible = Histogram("wxbot_model_first_visible_seconds", "From a request reaching the local "
                                       "model to the first character a contact reads (reasoning excluded), one "
                                       "sample per reply that showed any", buckets=FIRST_VISIBLE_BUCKETS, registry=r)
        self._waiting: dict[str, float] = {}  # contact -> when its first unanswered message arrived (never exported)
        self._lock = threading.Lock()
        self._server: WSGIServer | None = None
        self.address: tuple[str, int] | None = None

    def observe(self, event: object) -> None:
        if isinstance(event, MessageLogged):
            self._message(event)
        elif isinstance(event, Notice) and event.level == NoticeLevel.ERROR:
            self.errors.inc()
        elif isinstance(event, BotState):
            self.running.set(1 if event.state == BotPhase.RUNNING else 0)

    def generation(self, stats: GenerationStats) -> None:
        """One local model reply: its decode speed (the tokens after the first), and how long the contact's
        reply stayed invisible (prompt, queue and thinking)."""
        if stats.generated_tokens > 1 and stats.decode_seconds > 0:
            self.decode.observe((stats.generated_tokens - 1) / stats.decode_seconds)
        if stats.first_visible_seconds is not None:
            self.first_visible.observe(stats.first_visible_seconds)

    def _message(self, event: MessageLogged) -> None:
        now = self.clock()
        with self._lock:
            if event.direction == Direction.IN:
                self.received.inc()
                self._waiting.setdefault(event.contact_id, now)
            elif event.by_bot:
                self.replies.labels(source=(event.source or "unknown")).inc()
                if (since := self._waiting.pop(event.contact_id, None)) is not None:
                    self.latency.observe(max(0.0, now - since))
            else:
                self.owner.inc()
                self._waiting.pop(event.contact_id, None)  # the owner answered

    def serve(self, port: int) -> tuple[str, int]:
        """Listen on 127.0.0.1:``port`` (0 picks a free one); returns the address."""
        server, _thread = start_http_server(port, addr=LOOPBACK, registry=self.registry)
        self._server = server
        self.address = (LOOPBACK, server.server_address[1])
        return self.address

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
