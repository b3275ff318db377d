"""The app's side of the model process: llama.cpp aborts the whole process on a CUDA error and one Llama must not
be shared between threads, so a child process (serve.py) owns the LocalModel and the app talks to it over pipes.

Several threads may stream at once; the child generates their replies together. A crashed child becomes a
ModelError and is restarted by the next request; a child that ignores a cancel for a second is killed.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from loguru import logger

from wxbot import errors
from wxbot.errors import GenerationCancelled, ModelError, WxbotError
from wxbot.llm.api import ChatMessages, LoadProgress, ModelInfo
from wxbot.llm.child import start_child
from wxbot.llm.progress import ProgressSink
from wxbot.llm.sequences import GenerationStats
from wxbot.llm.serve import PIECES, child_main
from wxbot.settings import Settings

CANCEL_GRACE_S = 1.0  # a child still busy this long after a cancel is killed
MAX_CALLS = 32  # replies in flight at once (the child generates info.parallel of them, the rest wait there)
_WAIT_S = 0.05  # how often a caller waiting for the next piece looks at its cancel flag
_CLOSE_WAIT_S = 5.0


def _rebuild_error(kind: str, zh: str, en: str) -> WxbotError:
    if kind == "GenerationCancelled":
        return GenerationCancelled()
    cls = getattr(errors, kind, ModelError)
    return cls(zh, en) if isinstance(cls, type) and issubclass(cls, ModelError) else ModelError(zh, en)


_CRASHED = ("crashed",)  # put in a call's queue when the child's pipe closes under it


@dataclass
class _Call:
    """One ``stream_chat`` in flight: the child it went to, its cancel flag, the messages the child sent back."""

    rid: int
    ticket: int  # its index in the shared cancel flags
    conn: Connection
    inbox: queue.Queue[Any] = field(default_factory=queue.Queue)


class ModelWorker:
    """A ChatModel whose LocalModel lives in a child process (spawned, so no state is inherited). Several threads
    may stream at once: the child generates their replies together, up to ``info.parallel`` at a time."""

    def __init__(self, settings: Settings, model_path: str | Path, on_progress: ProgressSink | None = None,
                 on_error: Callable[[ModelError], None] | None = None,
                 on_restarted: Callable[[], None] | None = None,
                 on_generated: Callable[[GenerationStats], None] | None = None, console_log: bool = True) -> None:
        """``console_log``: whether the child logs to the terminal too (``wxbot chat`` keeps it for the chat).
        ``on_error`` hears of a child that died after loading, ``on_restarted`` of its replacement being ready,
        ``on_generated`` of each reply that ended (on the caller's thread: with several at once, each its own)."""
        self._settings = settings
        self._model_path = str(model_path)
        self._on_progress = on_progress
        self._on_error = on_error
        self._on_restarted = on_restarted
        self._on_generated = on_generated
        self._crash_seen = False  # a crash was reported; the next ready child is a restart
        self._console_log = console_log
        self._mp = multiprocessing.get_context("spawn")
        self._cancels: Any = self._mp.Array(ctypes.c_bool, MAX_CALLS, lock=False)  # read by the child each step
        self._lock = threading.Lock()  # starting, restarting and stopping the child
        self._send_lock = threading.Lock()
        self._aux_lock = threading.Lock()
        self._calls_cond = threading.Condition()
        self._calls: dict[int, _Call] = {}
        self._rids = itertools.count(1)
        self._proc: Any = None
        self._conn: Connection | None = None
        self._aux: Connection | None = None
        self._ready = False
        self._info: ModelInfo | None = None
        self._max_gpu_layers: int | None = None
        self.load_note = ""
        self.last_stats = GenerationStats()  # of the reply that ended last

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> ModelWorker:
        """Start the process and load the model; blocks until ready, raises ModelError."""
        with self._lock:
            self._ensure_ready()
        return self

    @property
    def info(self) -> ModelInfo:
        if self._info is None:
            self.start()
        assert self._info is not None
        return self._info

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def close(self) -> None:
        with self._calls_cond:  # running generations stop and end their calls
            for call in self._calls.values():
                self._cancels[call.ticket] = True
            self._calls_cond.wait_for(lambda: not self._calls, CANCEL_GRACE_S + _CLOSE_WAIT_S)
        with self._lock:
            if self._proc is not None and self._ready and self._conn is not None:
                try:
                    self._conn.send(("close",))
                except OSError:
                    pass
                self._proc.join(_CLOSE_WAIT_S)
            self._stop_process()

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        for _attempt in range(3):
            if not self._ready:
                self.start()
            conn, aux = self._conn, self._aux
            if aux is None or conn is None:
                continue
            try:
                with self._aux_lock:
                    aux.send(messages)
                    reply = aux.recv()
            except (EOFError, OSError):
                self._crashed(conn)  # the next attempt starts a new child
                continue
            if reply[0] == "count":
                return int(reply[1])
            raise _rebuild_error(*reply[1:])
        raise ModelError("模型进程无响应", "the model process does not answer")

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: threading.Event | None = None, cache_key: str | None = None,
                    grammar: str | None = None) -> Generator[str, None, None]:
        """Pieces as the child generates them. Cancel: the child stops this reply between steps or prompt chunks."""
        call = self._open_call()
        request = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "top_p": top_p,
                   "repeat_penalty": repeat_penalty, "cache_key": cache_key, "grammar": grammar}
        finished = False
        try:
            try:
                with self._send_lock:
                    call.conn.send(("chat", call.rid, call.ticket, request))
            except OSError:
                raise self._crashed(call.conn) from None
            deadline: list[float] = []
            while True:
                msg = self._next(call, cancel, deadline)
                if isinstance(msg, str):
                    if not self._cancels[call.ticket]:
                        yield msg
                    continue
                finished = True
                if msg[0] == "done":
                    self.last_stats = msg[1]
                    if self._on_generated is not None:
                        self._on_generated(msg[1])
                    return
                if msg[0] == "cancelled":
                    self.last_stats = msg[1]
                    raise GenerationCancelled()
                raise _rebuild_error(*msg[1:])
        finally:
            if not finished:  # the caller stopped reading, or the child failed: stop this reply in the child
                self._drain_after_cancel(call)
            self._close_call(call)

    # ------------------------------------------------------------------ calls
    def _open_call(self) -> _Call:
        with self._lock:
            self._ensure_ready()
            conn = self._conn
        assert conn is not None
        with self._calls_cond:
            self._calls_cond.wait_for(lambda: len(self._calls) < MAX_CALLS)
            ticket = min(set(range(MAX_CALLS)) - {c.ticket for c in self._calls.values()})
            self._cancels[ticket] = False
            call = _Call(next(self._rids), ticket, conn)
            self._calls[call.rid] = call
        return call

    def _close_call(self, call: _Call) -> None:
        with self._calls_cond:
            del self._calls[call.rid]
            self._calls_cond.notify_all()

    def _read(self, conn: Connection) -> None:
        """The child's messages to the calls they belong to, until its pipe closes."""
        try:
            while True:
                head, *rest = conn.recv()
                with self._calls_cond:
                    if head == PIECES:
                        routed = [(self._calls.get(rid), text) for rid, text in rest[0]]
                    else:
                        routed = [(self._calls.get(head), rest)]
                for call, message in routed:
                    if call is not None:
                        call.inbox.put(message)
        except (EOFError, OSError):
            with self._calls_cond:
                for call in self._calls.values():
                    if call.conn is conn:
                        call.inbox.put(_CRASHED)

    def _next(self, call: _Call, cancel: threading.Event | None, deadline: list[float]) -> Any:
        while True:
            if cancel is not None and cancel.is_set():
                self._cancels[call.ticket] = True
            if self._cancels[call.ticket] and not deadline:
                deadline.append(time.monotonic() + CANCEL_GRACE_S)
            if deadline and time.monotonic() > deadline[0]:
                logger.warning("model process ignored a cancel for {} s; killing it", CANCEL_GRACE_S)
                self._restart(call.conn)
                raise GenerationCancelled()
            try:
                msg = call.inbox.get(timeout=_WAIT_S)
            except queue.Empty:
                continue
            if msg is _CRASHED:
                raise self._crashed(call.conn)
            return msg

    def _drain_after_cancel(self, call: _Call) -> None:
        self._cancels[call.ticket] = True
        deadline: list[float] = []
        try:
            while not isinstance(msg := self._next(call, None, deadline), list):
                pass
        except (GenerationCancelled, ModelError):
            return
        if msg[0] not in ("done", "cancelled", "error"):
            self._restart(call.conn)

    # ------------------------------------------------------------------ the child
    def _ensure_ready(self) -> None:
        while not self._ready:
            if self._proc is None:
                self._spawn()
            attempt = self._await_ready()
            if self._ready:
                assert self._conn is not None
                threading.Thread(target=self._read, args=(self._conn,), name="wxbot-model-read", daemon=True).start()
                if self._crash_seen and self._on_restarted is not None:
                    self._on_restarted()
                self._crash_seen = False
                return
            # The child died while loading: a CUDA abort or OOM kill; retry with fewer GPU layers.
            if not attempt:
                raise ModelError("模型进程在加载模型时退出，请检查模型文件或内存",
                                 f"the model process exited while loading (exit code {self._stop_process()})")
            self._max_gpu_layers = attempt // 2
            logger.warning("model process died loading {} GPU layers; retrying with at most {}",
                           attempt, self._max_gpu_layers)
            self._stop_process()

    def _await_ready(self) -> int | None:
        """Read load messages until ready; returns the GPU layer count being tried if the child died."""
        assert self._conn is not None
        attempt: int | None = None
        while True:
            try:
                msg = self._conn.recv()
            except (EOFError, OSError):
                return attempt
            if msg[0] == "progress":
                if self._on_progress is not None:
                    self._on_progress(LoadProgress(msg[1]))
            elif msg[0] == "attempt":
                attempt = msg[1]
            elif msg[0] == "ready":
                self._info, self.load_note = msg[1], msg[2]
                self._ready = True
                return attempt
            else:
                self._stop_process()
                raise _rebuild_error(*msg[1:])

    def _spawn(self) -> None:
        conn, child_conn = self._mp.Pipe()
        aux, child_aux = self._mp.Pipe()
        self._proc = self._mp.Process(
            target=child_main, name="wxbot-model", daemon=True,
            args=(child_conn, child_aux, self._cancels, self._settings, self._model_path, self._max_gpu_layers,
                  self._console_log))
        start_child(self._proc)
        child_conn.close()  # so the child's death reads as EOF here
        child_aux.close()
        self._conn, self._aux, self._ready = conn, aux, False

    def _stop_process(self) -> int | None:
        proc, self._proc = self._proc, None
        self._ready = False
        for conn in (self._conn, self._aux):
            if conn is not None:
                conn.close()
        self._conn = self._aux = None
        if proc is None:
            return None
        if proc.is_alive():
            proc.kill()
        proc.join()
        return proc.exitcode

    def _restart(self, conn: Connection) -> None:
        """Kill the child that ``conn`` reaches (if it still runs) and start a fresh one at once; its load is
        awaited by the next request. Other replies in that child end with a ModelError."""
        with self._lock:
            if self._conn is conn:
                self._stop_process()
                self._spawn()

    def _crashed(self, conn: Connection) -> ModelError:
        with self._lock:
            current = self._conn is conn
            code = self._stop_process() if current else None
        err = ModelError(f"模型进程意外退出（退出码 {code}），下次请求时将自动重启",
                         f"the model process stopped unexpectedly (exit code {code}); it restarts on the next request")
        if current:  # the first to see it tells the owner; replies that were in the same child just fail
            logger.error("model process exited with code {}", code)
            self._crash_seen = True
            if self._on_error is not None:
                self._on_error(err)
        return err
