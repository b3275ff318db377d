"""The messages between the app (worker.py, process.py) and the model process (serve.py), one dataclass each, so both sides
agree on their shape and a reader routes them by type.

Timing follows events: the model process reports each model step it finished (``Heartbeat``) with the cancel
count it had read before that step began, so the app knows for certain whether a cancel was already seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from wxbot import errors
from wxbot.errors import GenerationCancelled, ModelError, WxbotError
from wxbot.llm.api import ChatMessages, ModelInfo
from wxbot.llm.sequences import GenerationStats, Outcome

# ---------------------------------------------------------------------------- app -> model process (main pipe)


@dataclass(frozen=True)
class Request:
    """Generate one reply. ``ticket``: its index in the shared cancel flags."""

    rid: int
    ticket: int
    messages: ChatMessages
    max_tokens: int
    temperature: float
    top_p: float = 1.0
    repeat_penalty: float = 1.0
    cache_key: str | None = None
    grammar: str | None = None
    think_budget: int | None = None  # None: think freely; 0: no reasoning; N: at most N tokens before the answer


@dataclass(frozen=True)
class Close:
    """Finish and exit."""


# ---------------------------------------------------------------------------- app -> model process (count pipe)


@dataclass(frozen=True)
class Count:
    messages: ChatMessages


@dataclass(frozen=True)
class Counted:
    tokens: int


# ---------------------------------------------------------------------------- model process -> app


@dataclass(frozen=True)
class Failure:
    """A WxbotError in a form that crosses the pipe (its class name and its words)."""

    kind: str
    zh: str
    en: str

    @classmethod
    def of(cls, exc: WxbotError) -> Failure:
        return cls(type(exc).__name__, exc.zh, exc.en)

    def error(self) -> WxbotError:
        if self.kind == "GenerationCancelled":
            return GenerationCancelled()
        kind = getattr(errors, self.kind, ModelError)
        if isinstance(kind, type) and issubclass(kind, ModelError):
            return kind(self.zh, self.en)
        return ModelError(self.zh, self.en)


@dataclass(frozen=True)
class Progress:
    """Loading: 0 … 1."""

    fraction: float


@dataclass(frozen=True)
class Attempt:
    """Loading is trying this many GPU layers (if the process dies now, the app retries with fewer)."""

    gpu_layers: int


@dataclass(frozen=True)
class Ready:
    info: ModelInfo
    load_note: str


@dataclass(frozen=True)
class LoadFailed:
    failure: Failure


@dataclass(frozen=True)
class Pieces:
    """New text of the replies that advanced, one model step's worth (or several, at most every PIECE_INTERVAL_S)."""

    texts: list[tuple[int, str]]  # (rid, text)


@dataclass(frozen=True)
class Ended:
    """A reply is over: done, cancelled, or failed (``failure`` says why). Sent before its step's Heartbeat."""

    rid: int
    outcome: Outcome
    stats: GenerationStats
    failure: Failure | None = None


@dataclass(frozen=True)
class Heartbeat:
    """A model step ended. ``cancels_seen``: the app's cancel count as read before the step began; every reply
    cancelled up to that count and not yet Ended then failed to stop (it cannot happen unless the process is
    broken)."""

    step: int
    cancels_seen: int


FromChild = Progress | Attempt | Ready | LoadFailed | Pieces | Ended | Heartbeat
