"""Events the core emits to whoever drives it (the GUI bridge, the headless CLI, tests).

Plain dataclasses delivered through a callback; the GUI re-emits them as Qt signals on its own thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wxbot.messages import Actor, Direction, OpKind, Passage, ReplySource, StrState


class LoginPhase(StrState):
    WAITING_SCAN = "waiting_scan"
    SCANNED = "scanned"
    CONNECTING = "connecting"  # the window's own state while a login starts
    LOGGED_IN = "logged_in"
    EXPIRED = "expired"
    LOGGED_OUT = "logged_out"
    FAILED = "failed"


class BotPhase(StrState):
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"  # wanted running, but the store can't be written: nothing is answered until it can


class ModelPhase(StrState):
    NONE = "none"
    LOADING = "loading"
    READY = "ready"
    UNREACHABLE = "unreachable"  # a model server that stopped answering; replies try it again
    ERROR = "error"


class NoticeLevel(StrState):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


def _coerce(obj: object, name: str, kind: type[StrState]) -> None:
    """Frozen events accept the enum or its string value; a wrong string fails where it is made."""
    object.__setattr__(obj, name, kind(getattr(obj, name)))


@dataclass(frozen=True)
class QrCode:
    png: bytes  # the login QR code to show
    uuid: str = ""


@dataclass(frozen=True)
class LoginState:
    state: LoginPhase
    detail: str = ""  # e.g. the account's NickName, or the reason (zh + en)
    risk: bool = False  # logged out by WeChat in a way that may mean risk control (1100/1101/1102, refusal)

    def __post_init__(self) -> None:
        _coerce(self, "state", LoginPhase)


@dataclass(frozen=True)
class BotState:
    state: BotPhase
    detail: str = ""
    risk: bool = False  # stopped by a risk signal (the operation log credits it, not whoever asked last)

    def __post_init__(self) -> None:
        _coerce(self, "state", BotPhase)


@dataclass(frozen=True)
class ModelState:
    state: ModelPhase
    progress: float = 0.0
    detail: str = ""  # device description, e.g. "20/29 layers on GPU (5.1 GB)", or the error in words
    info: Any = None  # wxbot.llm.api.ModelInfo when ready (and of an unreachable server)

    def __post_init__(self) -> None:
        _coerce(self, "state", ModelPhase)


@dataclass(frozen=True)
class MessageLogged:
    """A message was stored (incoming, owner-sent or bot reply): the GUI refreshes that conversation."""

    contact_id: str
    direction: Direction
    by_bot: bool = False
    source: ReplySource | None = None  # a bot reply's origin: FAQ rule, model, fallback text…
    passages: tuple[Passage, ...] = ()  # the knowledge-base passages a bot reply was grounded in

    def __post_init__(self) -> None:
        _coerce(self, "direction", Direction)


@dataclass(frozen=True)
class ContactsChanged:
    contact_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DraftsChanged:
    """Drafts waiting for the owner changed: ``pending`` is how many wait now; ``new`` the id of a new one (0: none)
    and ``contact`` whose it is, for a tray notification."""

    pending: int
    new: int = 0
    contact: str = ""


@dataclass(frozen=True)
class DraftDecided:
    """The owner approved, edited or rejected a draft (for the operation log: who, which draft, whose)."""

    kind: OpKind  # DRAFT_APPROVED, DRAFT_EDITED or DRAFT_REJECTED
    by: Actor
    draft_id: int
    contact: str


@dataclass(frozen=True)
class SettingsChanged:
    """The settings were written (by the Settings page, a rule kept from a draft, the phone…): a form showing
    them takes what it does not show yet (a kept FAQ rule appears at once)."""


@dataclass(frozen=True)
class HandoffChanged:
    """Contacts waiting for the owner changed: ``waiting`` is how many wait now; ``contact`` (its id), ``name`` and
    ``reason`` say who was just handed over ("" when one was resolved), for the badge, tray and a notification."""

    waiting: int
    contact: str = ""
    name: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Notice:
    """Something the owner should read: shown in the window / tray, logged without chat text."""

    level: NoticeLevel
    text: str  # Chinese (English)

    def __post_init__(self) -> None:
        _coerce(self, "level", NoticeLevel)


class EventRecorder:
    """An event sink that keeps everything and lets a caller wait for an event (self-check, tests):
    waits wake on the next event, never on a timer."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self.cond = threading.Condition()

    def __call__(self, event: object) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def mark(self) -> int:
        """A position to wait from: only events after it count."""
        with self.cond:
            return len(self.events)

    def of(self, kind: type) -> list:
        with self.cond:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, pred: Callable[[object], bool], timeout: float = 30.0, start: int = 0,
                 what: str = "matching event") -> object:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = next((e for e in self.events[start:] if pred(e)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {what} within {timeout:.0f} s (last: {self.events[start:][-5:]})")
                self.cond.wait(left)
