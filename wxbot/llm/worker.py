"""The app's side of the model process: llama.cpp aborts the whole process on a CUDA error and one Llama must not
be shared between threads, so a child process (serve.py) owns the LocalModel and the app talks to it over pipes
(the messages are in pipe.py).

Several threads may stream at once; the child generates their replies together. A cancel is judged by events: the
child reports the steps it finished, and a cancelled reply that is still not ended after a step that began with
its cancel in hand means a broken child (killed and restarted). A long step is never taken for a hung child; only
one that finishes no step for ``model_hang_seconds`` while a reply waits is. A child that dies, busy or idle, is
noticed at once (its pipe closes), told to the owner once, and restarted by the next request.
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

from wxbot.errors import GenerationCancelled, ModelError
from wxbot.llm.api import ChatMessages, LoadProgress, ModelInfo
from wxbot.llm.child import start_child
from wxbot.llm.pipe import (
    Attempt,
    Close,
    Count,
    Counted,
    Ended,
    Failure,
    Heartbeat,
    LoadFailed,
    Pieces,
    Progress,
    Ready,
    Request,
)
from wxbot.llm.progress import ProgressSink
from wxbot.llm.sequences import GenerationStats, Outcome
from wxbot.llm.serve import child_main
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
        self._model_path = str(model_path)
        self._on_progress = on_progress
        self._on_error = on_error
        self._on_restarted = on_restarted
        self._on_generated = on_generated
        self._crash_seen = False  # a crash was reported; the next ready child is a restart
        self._crash: tuple[Connection | None, ModelError] = (None, ModelError("", ""))  # the last child that died
        self._console_log = console_log
        self._mp = multiprocessing.get_context("spawn")
        self._cancels: Any = self._mp.Array(ctypes.c_bool, MAX_CALLS, lock=False)  # read by the child each step
        self._cancel_count: Any = self._mp.Value(ctypes.c_long, 0, lock=False)  # raised under _calls_cond
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
        self._heard = time.monotonic()  # when the child last sent anything (a step's text or its Heartbeat)
        self._info: ModelInfo | None = None
        self._max_gpu_layers: int | None = None
        self.load_note = ""
        self.last_stats = GenerationStats()  # of the reply that ended last
        self.steps = 0  # the last step the child reported (tests wait on it)

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
                self._mark_cancelled(call)
            self._calls_cond.wait_for(lambda: not self._calls, CLOSE_WAIT_S)
        with self._lock:
            if self._proc is not None and self._ready and self._conn is not None:
                try:
                    self._conn.send(Close())
                except OSError:
                    pass
                self._proc.join(CLOSE_WAIT_S)
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
                    aux.send(Count(messages))
                    reply = aux.recv()
            except (EOFError, OSError):
                self._crashed(conn)  # the next attempt starts a new child
                continue
            if isinstance(reply, Counted):
                return reply.tokens
            assert isinstance(reply, Failure), reply
            raise reply.error()
        raise ModelError("模型进程无响应", "the model process does not answer")

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
                raise self._crashed(call.conn) from None
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
        with self._lock:
            self._ensure_ready()
            conn = self._conn
        assert conn is not None
        with self._calls_cond:
            while len(self._calls) >= MAX_CALLS:  # all tickets taken: wait for one, but not past a cancel
                if cancel is not None and cancel.is_set():
                    raise GenerationCancelled()
                self._calls_cond.wait(CANCEL_POLL_S)
            ticket = min(set(range(MAX_CALLS)) - {c.ticket for c in self._calls.values()})
            self._cancels[ticket] = False
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
            self._cancels[call.ticket] = True
            self._cancel_count.value += 1
            call.cancel_mark = self._cancel_count.value

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
            self._crashed(conn)

    def _next(self, call: _Call, cancel: threading.Event | None) -> Any:
        """The call's next text or Ended; raises GenerationCancelled or ModelError when its child had to go."""
        while True:
            if cancel is not None and cancel.is_set() and call.cancel_mark is None:
                with self._calls_cond:
                    self._mark_cancelled(call)
            try:
                msg = call.inbox.get(timeout=CANCEL_POLL_S)
            except queue.Empty:
                if call.conn is not self._conn:  # its child was stopped or replaced: nothing more will come
                    raise self._crashed(call.conn) from None
                silent = time.monotonic() - max(self._heard, call.opened)
                if silent > self._settings.model_hang_seconds and call.conn is self._conn:
                    logger.warning("model process finished no step in {:.0f} s; killing it", silent)
                    self._restart(call.conn)
                    raise self._hung(call) from None
                continue
            if msg is _CRASHED:
                raise self._crashed(call.conn)
            if msg is _UNSTOPPED:
                logger.warning("model process went on past a cancelled reply; killing it")
                self._restart(call.conn)
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

    # ------------------------------------------------------------------ the child
    def _ensure_ready(self) -> None:
        while not self._ready:
            if self._proc is None:
                self._spawn()
            attempt = self._await_ready()
            if self._ready:
                assert self._conn is not None
                self._heard = time.monotonic()
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
            if isinstance(msg, Progress):
                if self._on_progress is not None:
                    self._on_progress(LoadProgress(msg.fraction))
            elif isinstance(msg, Attempt):
                attempt = msg.gpu_layers
            elif isinstance(msg, Ready):
                self._info, self.load_note = msg.info, msg.load_note
                self._ready = True
                return attempt
            else:
                assert isinstance(msg, LoadFailed), msg
                self._stop_process()
                raise msg.failure.error()

    def _spawn(self) -> None:
        conn, child_conn = self._mp.Pipe()
        aux, child_aux = self._mp.Pipe()
        self._proc = self._mp.Process(
            target=child_main, name="wxbot-model", daemon=True,
            args=(child_conn, child_aux, self._cancels, self._cancel_count, self._settings, self._model_path,
                  self._max_gpu_layers, self._console_log))
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
        """The error of the child that ``conn`` reached, which is gone; the first to see it (the pipe's reader, or
        a caller) stops it and tells the owner, the others get the same error."""
        with self._lock:
            if self._conn is not conn:
                seen, err = self._crash
                return err if seen is conn else ModelError(
                    "模型进程已重启，这次回复未完成", "the model process was restarted; this reply did not finish")
            code = self._stop_process()
            err = ModelError(f"模型进程意外退出（退出码 {code}），下次请求时将自动重启",
                             f"the model process stopped unexpectedly (exit code {code}); it restarts on the next "
                             "request")
            self._crash = (conn, err)
            self._crash_seen = True
        logger.error("model process exited with code {}", code)
        if self._on_error is not None:
            self._on_error(err)
        return err
