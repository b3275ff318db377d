"""The model's own process: llama.cpp aborts the whole process on a CUDA error and one Llama must not be
shared between threads, so a child process owns the LocalModel and the app talks to it over pipes.

Generations are serialized; token counting has its own pipe so it never waits behind a generation. A
crashed child becomes a ModelError and is restarted by the next request; a child that ignores a cancel
for a second is killed.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from loguru import logger

from wxbot import errors
from wxbot.errors import GenerationCancelled, ModelError, WxbotError
from wxbot.llm.api import ChatMessages, LoadProgress, ModelInfo
from wxbot.llm.child import ignore_interrupts, start_child
from wxbot.llm.local import GenerationStats, LocalModel
from wxbot.llm.progress import ProgressSink
from wxbot.settings import Settings

CANCEL_GRACE_S = 1.0  # a child still busy this long after a cancel is killed
_WAIT_S = 0.05  # how often a caller waiting for the next piece looks at its cancel flag
_CLOSE_WAIT_S = 5.0
# Pieces go to the app at most this often (the first at once): one wake-up of the app per token costs a few
# per cent of decode speed on a small CPU, and a WeChat reply is sent whole anyway.
PIECE_INTERVAL_S = 0.02


def _error_message(exc: WxbotError) -> tuple[str, str, str, str]:
    return ("error", type(exc).__name__, exc.zh, exc.en)


def _rebuild_error(kind: str, zh: str, en: str) -> WxbotError:
    if kind == "GenerationCancelled":
        return GenerationCancelled()
    cls = getattr(errors, kind, ModelError)
    return cls(zh, en) if isinstance(cls, type) and issubclass(cls, ModelError) else ModelError(zh, en)


def _internal_error(exc: Exception) -> ModelError:
    logger.exception("model process error")
    return ModelError(f"模型进程出错：{type(exc).__name__}", f"the model process failed: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------- the child process
def _child_main(conn: Connection, aux: Connection, cancel: Any, settings: Settings, model_path: str,
                max_gpu_layers: int | None, console_log: bool) -> None:
    ignore_interrupts()
    logger.remove()  # this process's own console sink, at the owner's level (no file: the app owns it)
    if console_log and sys.stderr is not None:
        logger.add(sys.stderr, level=settings.log_level, backtrace=False, diagnose=False)
    try:
        model = LocalModel(settings, model_path, max_gpu_layers=max_gpu_layers,
                           on_progress=lambda p: conn.send(("progress", p.fraction)),
                           on_attempt=lambda n: conn.send(("attempt", n)))
    except (BrokenPipeError, EOFError):
        return  # the app went away (quit) while the model loaded
    except WxbotError as exc:
        conn.send(_error_message(exc))
        return
    except Exception as exc:  # a bug or an unexpected library error: words for the owner, details in the log
        conn.send(_error_message(_internal_error(exc)))
        return
    conn.send(("ready", model.info, model.load_note))
    threading.Thread(target=_serve_counts, args=(model, aux), name="wxbot-model-count", daemon=True).start()
    try:
        while (request := conn.recv())[0] == "chat":
            _serve_chat(model, conn, cancel, request[1])
    except (EOFError, BrokenPipeError):
        pass  # the app went away
    model.close()


def _serve_chat(model: LocalModel, conn: Connection, cancel: Any, kwargs: dict[str, Any]) -> None:
    pending, sent_at = "", 0.0
    try:
        for piece in model.stream_chat(cancel=cancel, **kwargs):
            pending += piece
            now = time.perf_counter()
            if now - sent_at >= PIECE_INTERVAL_S:
                conn.send(pending)
                pending, sent_at = "", now
        if pending:
            conn.send(pending)
        conn.send(("done", model.last_stats))
    except GenerationCancelled:
        conn.send(("cancelled", model.last_stats))
    except WxbotError as exc:
        conn.send(_error_message(exc))
    except (EOFError, BrokenPipeError):
        raise
    except Exception as exc:
        conn.send(_error_message(_internal_error(exc)))


def _serve_counts(model: LocalModel, aux: Connection) -> None:
    # Tokenizing reads the vocabulary only, so it may run beside a generation (llama-server does too).
    try:
        while True:
            messages = aux.recv()
            try:
                aux.send(("count", model.count_tokens(messages)))
            except Exception as exc:
                aux.send(_error_message(_internal_error(exc)))
    except (EOFError, BrokenPipeError, OSError):
        pass


# ---------------------------------------------------------------------- the app side
class ModelWorker:
    """A ChatModel whose LocalModel lives in a child process (spawned, so no state is inherited)."""

    def __init__(self, settings: Settings, model_path: str | Path, on_progress: ProgressSink | None = None,
                 on_error: Callable[[ModelError], None] | None = None,
                 on_restarted: Callable[[], None] | None = None, console_log: bool = True) -> None:
        """``console_log``: whether the child logs to the terminal too (``wxbot chat`` keeps it for the chat).
        ``on_error`` hears of a child that died after loading, ``on_restarted`` of its replacement being ready."""
        self._settings = settings
        self._model_path = str(model_path)
        self._on_progress = on_progress
        self._on_error = on_error
        self._on_restarted = on_restarted
        self._crash_seen = False  # a crash was reported; the next ready child is a restart
        self._console_log = console_log
        self._mp = multiprocessing.get_context("spawn")
        self._cancel = self._mp.Event()
        self._lock = threading.Lock()  # one request on the generation pipe at a time
        self._aux_lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._aux: Connection | None = None
        self._ready = False
        self._info: ModelInfo | None = None
        self._max_gpu_layers: int | None = None
        self.load_note = ""
        self.last_stats = GenerationStats()

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
        self._cancel.set()  # a running generation stops and releases the lock
        got_lock = self._lock.acquire(timeout=CANCEL_GRACE_S + _CLOSE_WAIT_S)
        try:
            if self._proc is not None and self._ready and self._conn is not None:
                try:
                    self._conn.send(("close",))
                except OSError:
                    pass
                self._proc.join(_CLOSE_WAIT_S)
            self._stop_process()
        finally:
            if got_lock:
                self._lock.release()

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        for _attempt in range(3):
            if not self._ready:
                self.start()
            aux = self._aux
            if aux is None:
                continue
            try:
                with self._aux_lock:
                    aux.send(messages)
                    reply = aux.recv()
            except (EOFError, OSError):
                if aux is self._aux:  # not restarted under us: the child died; the next attempt starts a new one
                    self._crashed()
                continue
            if reply[0] == "count":
                return int(reply[1])
            raise _rebuild_error(*reply[1:])
        raise ModelError("模型进程无响应", "the model process does not answer")

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: threading.Event | None = None, cache_key: str | None = None,
                    grammar: str | None = None) -> Generator[str, None, None]:
        """Pieces as the child generates them. Cancel: the child stops between tokens or prompt batches."""
        with self._lock:
            self._ensure_ready()
            self._cancel.clear()
            request = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, "top_p": top_p,
                       "repeat_penalty": repeat_penalty,
                       "cache_key": cache_key, "grammar": grammar}
            finished = False
            try:
                self._send(("chat", request))
                deadline: list[float] = []
                while True:
                    msg = self._receive(cancel, deadline)
                    if isinstance(msg, str):
                        if not self._cancel.is_set():
                            yield msg
                        continue
                    finished = True
                    if msg[0] == "done":
                        self.last_stats = msg[1]
                        return
                    if msg[0] == "cancelled":
                        self.last_stats = msg[1]
                        raise GenerationCancelled()
                    raise _rebuild_error(*msg[1:])
            finally:
                if not finished and self._ready:  # the caller stopped reading: stop the child too
                    self._drain_after_cancel()

    # ------------------------------------------------------------------ internals
    def _send(self, msg: Any) -> None:
        try:
            assert self._conn is not None
            self._conn.send(msg)
        except OSError:
            raise self._crashed() from None

    def _receive(self, cancel: threading.Event | None, deadline: list[float]) -> Any:
        conn = self._conn
        assert conn is not None
        while True:
            if cancel is not None and cancel.is_set():
                self._cancel.set()
            if self._cancel.is_set() and not deadline:
                deadline.append(time.monotonic() + CANCEL_GRACE_S)
            if deadline and time.monotonic() > deadline[0]:
                logger.warning("model process ignored a cancel for {} s; killing it", CANCEL_GRACE_S)
                self._restart()
                raise GenerationCancelled()
            if conn.poll(_WAIT_S):
                try:
                    return conn.recv()
                except (EOFError, OSError):
                    raise self._crashed() from None
            if not self._proc.is_alive():
                raise self._crashed()

    def _drain_after_cancel(self) -> None:
        self._cancel.set()
        deadline: list[float] = []
        try:
            while not isinstance(msg := self._receive(None, deadline), tuple):
                pass
        except (GenerationCancelled, ModelError):
            return
        if msg[0] not in ("done", "cancelled", "error"):
            self._restart()

    def _ensure_ready(self) -> None:
        while not self._ready:
            if self._proc is None:
                self._spawn()
            attempt = self._await_ready()
            if self._ready:
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
        self._cancel.clear()
        self._proc = self._mp.Process(
            target=_child_main, name="wxbot-model", daemon=True,
            args=(child_conn, child_aux, self._cancel, self._settings, self._model_path, self._max_gpu_layers,
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

    def _restart(self) -> None:
        """Kill the child and start a fresh one at once; its load is awaited by the next request."""
        self._stop_process()
        self._spawn()

    def _crashed(self) -> ModelError:
        code = self._stop_process()
        err = ModelError(f"模型进程意外退出（退出码 {code}），下次请求时将自动重启",
                         f"the model process stopped unexpectedly (exit code {code}); it restarts on the next request")
        logger.error("model process exited with code {}", code)
        self._crash_seen = True
        if self._on_error is not None:
            self._on_error(err)
        return err
