"""The one child process that holds the model, as the app sees it: spawning it, awaiting its load (retrying with
fewer GPU layers when it dies loading, a CUDA abort), counting tokens over its second pipe, stopping, restarting,
and telling its crash to the owner once. Which reply a message belongs to is worker.py's business, not this one's.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from loguru import logger

from wxbot.errors import ModelError
from wxbot.llm.api import ChatMessages, LoadProgress, ModelInfo
from wxbot.llm.child import start_child
from wxbot.llm.pipe import Attempt, Close, Count, Counted, Failure, LoadFailed, Progress, Ready
from wxbot.llm.progress import ProgressSink
from wxbot.llm.serve import child_main
from wxbot.llm.tuning import CLOSE_WAIT_S, MAX_CALLS
from wxbot.settings import Settings


class ModelProcess:
    """The current child and its two pipes (``conn`` for replies, the other for token counts). ``cancels`` and
    ``cancel_count`` are shared with every child it starts, which reads them before each step. ``on_ready`` hears
    of each child that finished loading (with its reply pipe, under the start lock)."""

    def __init__(self, settings: Settings, model_path: str | Path, on_ready: Callable[[Connection], None],
                 on_progress: ProgressSink | None = None, on_error: Callable[[ModelError], None] | None = None,
                 on_restarted: Callable[[], None] | None = None, console_log: bool = True) -> None:
        self._settings = settings
        self._model_path = str(model_path)
        self._on_ready = on_ready
        self._on_progress = on_progress
        self._on_error = on_error
        self._on_restarted = on_restarted
        self._console_log = console_log
        self._mp = multiprocessing.get_context("spawn")
        self.cancels: Any = self._mp.Array(ctypes.c_bool, MAX_CALLS, lock=False)
        self.cancel_count: Any = self._mp.Value(ctypes.c_long, 0, lock=False)
        self._lock = threading.Lock()  # starting, restarting and stopping the child
        self._aux_lock = threading.Lock()
        self._crash_seen = False  # a crash was reported; the next ready child is a restart
        self._crash: tuple[Connection | None, ModelError] = (None, ModelError("", ""))  # the last child that died
        self._proc: Any = None
        self.conn: Connection | None = None  # the current child's reply pipe (None: no child)
        self._aux: Connection | None = None
        self.ready = False
        self.info: ModelInfo | None = None
        self.load_note = ""
        self._max_gpu_layers: int | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> Connection:
        """A loaded child's reply pipe, starting one if needed; blocks until it is ready, raises ModelError."""
        with self._lock:
            self._ensure_ready()
            assert self.conn is not None
            return self.conn

    def count(self, messages: ChatMessages) -> int:
        for _attempt in range(3):
            if not self.ready:
                self.start()
            conn, aux = self.conn, self._aux
            if aux is None or conn is None:
                continue
            try:
                with self._aux_lock:
                    aux.send(Count(messages))
                    reply = aux.recv()
            except (EOFError, OSError):
                self.crashed(conn)  # the next attempt starts a new child
                continue
            if isinstance(reply, Counted):
                return reply.tokens
            assert isinstance(reply, Failure), reply
            raise reply.error()
        raise ModelError("模型进程无响应", "the model process does not answer")

    def close(self) -> None:
        """Ask the child to exit, give it CLOSE_WAIT_S, then kill it."""
        with self._lock:
            if self._proc is not None and self.ready and self.conn is not None:
                try:
                    self.conn.send(Close())
                except OSError:
                    pass
                self._proc.join(CLOSE_WAIT_S)
            self._stop_process()

    def restart(self, conn: Connection) -> None:
        """Kill the child that ``conn`` reaches (if it still runs) and start a fresh one at once; its load is
        awaited by the next request. Other replies in that child end with a ModelError."""
        with self._lock:
            if self.conn is conn:
                self._stop_process()
                self._spawn()

    def crashed(self, conn: Connection) -> ModelError:
        """The error of the child that ``conn`` reached, which is gone; the first to see it (the pipe's reader, or
        a caller) stops it and tells the owner, the others get the same error."""
        with self._lock:
            if self.conn is not conn:
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

    def _ensure_ready(self) -> None:
        while not self.ready:
            if self._proc is None:
                self._spawn()
            attempt = self._await_ready()
            if self.ready:
                assert self.conn is not None
                self._on_ready(self.conn)
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
        assert self.conn is not None
        attempt: int | None = None
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):
                return attempt
            if isinstance(msg, Progress):
                if self._on_progress is not None:
                    self._on_progress(LoadProgress(msg.fraction))
            elif isinstance(msg, Attempt):
                attempt = msg.gpu_layers
            elif isinstance(msg, Ready):
                self.info, self.load_note = msg.info, msg.load_note
                self.ready = True
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
            args=(child_conn, child_aux, self.cancels, self.cancel_count, self._settings, self._model_path,
                  self._max_gpu_layers, self._console_log))
        start_child(self._proc)
        child_conn.close()  # so the child's death reads as EOF here
        child_aux.close()
        self.conn, self._aux, self.ready = conn, aux, False

    def _stop_process(self) -> int | None:
        proc, self._proc = self._proc, None
        self.ready = False
        for conn in (self.conn, self._aux):
            if conn is not None:
                conn.close()
        self.conn = self._aux = None
        if proc is None:
            return None
        if proc.is_alive():
            proc.kill()
        proc.join()
        return proc.exitcode
