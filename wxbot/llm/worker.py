"""The app's side of the model process: llama.cpp aborts the whole process on a CUDA error and one Llama must not
be shared between threads, so a child process (serve.py) owns the LocalModel and the app talks to it over pipes
(the messages are in pipe.py; the child's life, start to crash, is process.py's). This module routes replies.

Several threads may stream at once; the child generates their replies together. A cancel is judged by events: the
child reports the steps it finished, and a cancelled reply that is still not ended after a step that began with
its cancel in hand means a broken child (killed and restarted). A long step is never taken for a hung child; only
one that finishes no step for ``model_hang_seconds`` while a reply waits is. A child that dies, busy or idle, is
noticed at once (its pipe closes), told to the owner once, and restarted by the next request.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from loguru import logger

from wxbot.errors import GenerationCancelled, ModelError
from wxbot.llm.api import ChatMessages, ModelInfo
from wxbot.llm.pipe import Ended, Heartbeat, Pieces, Request
from wxbot.llm.process import ModelProcess
from wxbot.llm.progress import ProgressSink
from wxbot.llm.sequences import GenerationStats, Outcome
from wxbot.llm.tuning import CANCEL_POLL_S, CLOSE_WAIT_S, MAX_CALLS
from wxbot.settings import Settings

_CRASHED = object()  # put in a call's inbox when the child's pipe closes under it
_UNSTOPPED = object()  # put in a cancelled call's inbox when a step that began after its cancel ended without it


@dataclass
class _Call:
    """One ``stream_chat`` in flight: the child it went to, its cancel flag, the messages the child sent back."""

    rid: int
    ticket: int  # its index in the shared cancel flags
    conn: Connection
    opened: float = field(default_factory=time.monotonic)
    inbox: queue.Queue[Any] = field(default_factory=queue.Queue)  # text (str), Ended, _CRASHED or _UNSTOPPED
    cancel_mark: int | None = None  # the app's cancel count once this call was cancelled


class ModelWorker:
    """A ChatModel whose LocalModel lives in a child process (spawned, so no state is inherited). Several threads
    may stream at once: the child generates their replies together, up to ``info.parallel`` at a time."""

    def __init__(self, settings: Settings, model_path: str | Path, on_progress: ProgressSink | None = None,
                 on_error: Callable[[ModelError], None] | None = None,
                 on_restarted: Callable[[], None] | None = None,
                 on_generated: Callable[[GenerationStats], None] | None = None, console_log: bool = True) -> None:
        """``console_log``: whether the child logs to the terminal too (``wxbot chat`` keeps it for the chat).
        ``on_error`` hears once of a child that died after loading (busy or idle; from the thread that saw it),
        ``on_restarted`` of its replacement being ready, ``on_generated`` of each reply that ended (on the
        caller's thread: with several at once, each its own)."""
        self._settings = settings
        self._on_generated = on_generated
        self._process = ModelProcess(settings, model_path, self._reading, on_progress=on_progress,
                                     on_error=on_error, on_restarted=on_restarted, console_log=console_log)
        self._send_lock = threading.Lock()
        self._calls_cond = threading.Condition()  # guards _calls and raises the shared cancel count
        self._calls: dict[int, _Call] = {}
        self._rids = itertools.count(1)
        self._heard = time.monotonic()  # when the child last sent anything (a step's text or its Heartbeat)
        self.last_stats = GenerationStats()  # of the reply that ended last
        self.steps = 0  # the last step the child reported (tests wait on it)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> ModelWorker:
        """Start the process and load the model; blocks until ready, raises ModelError."""
        self._process.start()
        return self

    @property
    def info(self) -> ModelInfo:
        if self._process.info is None:
            self.start()
        assert self._process.info is not None
        return self._process.info

    @property
    def load_note(self) -> str:
        """How loading went, when the owner should hear it (fewer GPU layers after out-of-memory)."""
        return self._process.load_note

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def close(self) -> None:
        with self._calls_cond:  # running generations stop and end their calls
            for call in self._calls.values():
                self._mark_cancelled(call)
            self._calls_cond.wait_for(lambda: not self._calls, CLOSE_WAIT_S)
        self._process.close()

    def _reading(self, conn: Connection) -> None:
        """A fresh child is ready: read its reply pipe from now on."""
        self._heard = time.monotonic()
        threading.Thread(target=self._read, args=(conn,), name="wxbot-model-read", daemon=True).start()

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        return self._process.count(messages)

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: threading.Event | None = None, cache_key: str | None = None,
                    grammar: str | None = None, think_budget: int | None = None) -> Generator[str, None, None]:
        """Pieces as the child generates them. Cancel: the child drops this reply from its queue, or stops it
        between steps or (on a CPU) inside one."""
        call = self._open_call(cancel)
        request = Request(call.rid, call.ticket, messages, max_tokens, temperature, top_p, repeat_penalty,
                          cache_key, grammar, think_budget)
        finished = False
        try:
            try:
                with self._send_lock:
                    call.conn.send(request)
            except OSError:
                raise self._process.crashed(call.conn) from None
            while True:
                msg = self._next(call, cancel)
                if isinstance(msg, str):
                    if call.cancel_mark is None:
                        yield msg
                    continue
                finished = True
                self.last_stats = msg.stats
                if msg.outcome is Outcome.DONE:
                    if self._on_generated is not None:
                        self._on_generated(msg.stats)
                    return
                if msg.outcome is Outcome.CANCELLED:
                    raise GenerationCancelled()
                assert msg.failure is not None
                raise msg.failure.error()
        finally:
            if not finished:  # the caller stopped reading, or the child failed: stop this reply in the child
                self._drain_after_cancel(call)
            self._close_call(call)

    # ------------------------------------------------------------------ calls
    def _open_call(self, cancel: threading.Event | None) -> _Call:
        conn = self._process.start()
        with self._calls_cond:
            while len(self._calls) >= MAX_CALLS:  # all tickets taken: wait for one, but not past a cancel
                if cancel is not None and cancel.is_set():
                    raise GenerationCancelled()
                self._calls_cond.wait(CANCEL_POLL_S)
            ticket = min(set(range(MAX_CALLS)) - {c.ticket for c in self._calls.values()})
            self._process.cancels[ticket] = False
            call = _Call(next(self._rids), ticket, conn)
            self._calls[call.rid] = call
        return call

    def _close_call(self, call: _Call) -> None:
        with self._calls_cond:
            del self._calls[call.rid]
            self._calls_cond.notify_all()

    def _mark_cancelled(self, call: _Call) -> None:
        """Raise the call's flag, then the cancel count the child reads before each step (under _calls_cond)."""
        if call.cancel_mark is None:
            self._process.cancels[call.ticket] = True
            self._process.cancel_count.value += 1
            call.cancel_mark = self._process.cancel_count.value

    def _read(self, conn: Connection) -> None:
        """The child's messages to the calls they belong to, until its pipe closes; then, if it was the current
        child (not one the app stopped), the crash is told at once, with or without a reply in flight."""
        try:
            while True:
                msg = conn.recv()
                self._heard = time.monotonic()
                routed: list[tuple[_Call | None, object]]
                with self._calls_cond:
                    if isinstance(msg, Pieces):
                        routed = [(self._calls.get(rid), text) for rid, text in msg.texts]
                    elif isinstance(msg, Ended):
                        routed = [(self._calls.get(msg.rid), msg)]
                    else:
                        assert isinstance(msg, Heartbeat), msg
                        self.steps = msg.step
                        routed = [(call, _UNSTOPPED) for call in self._calls.values() if call.conn is conn
                                  and call.cancel_mark is not None and call.cancel_mark <= msg.cancels_seen]
                for call, message in routed:
                    if call is not None:
                        call.inbox.put(message)
        except (EOFError, OSError):
            with self._calls_cond:
                for call in self._calls.values():
                    if call.conn is conn:
                        call.inbox.put(_CRASHED)
            self._process.crashed(conn)

    def _next(self, call: _Call, cancel: threading.Event | None) -> Any:
        """The call's next text or Ended; raises GenerationCancelled or ModelError when its child had to go."""
        while True:
            if cancel is not None and cancel.is_set() and call.cancel_mark is None:
                with self._calls_cond:
                    self._mark_cancelled(call)
            try:
                msg = call.inbox.get(timeout=CANCEL_POLL_S)
            except queue.Empty:
                if call.conn is not self._process.conn:  # its child was stopped or replaced: nothing more will come
                    raise self._process.crashed(call.conn) from None
                silent = time.monotonic() - max(self._heard, call.opened)
                if silent > self._settings.model_hang_seconds and call.conn is self._process.conn:
                    logger.warning("model process finished no step in {:.0f} s; killing it", silent)
                    self._process.restart(call.conn)
                    raise self._hung(call) from None
                continue
            if msg is _CRASHED:
                raise self._process.crashed(call.conn)
            if msg is _UNSTOPPED:
                logger.warning("model process went on past a cancelled reply; killing it")
                self._process.restart(call.conn)
                raise GenerationCancelled()
            return msg

    def _hung(self, call: _Call) -> GenerationCancelled | ModelError:
        if call.cancel_mark is not None:
            return GenerationCancelled()
        return ModelError(f"模型进程 {self._settings.model_hang_seconds} 秒没有进展，已重启",
                          f"the model process made no progress for {self._settings.model_hang_seconds} s; "
                          "it was restarted")

    def _drain_after_cancel(self, call: _Call) -> None:
        with self._calls_cond:
            self._mark_cancelled(call)
        try:
            while not isinstance(self._next(call, None), Ended):
                pass
        except (GenerationCancelled, ModelError):
            return
