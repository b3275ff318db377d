"""The model process's side of the pipes: load the model, then serve replies (several at once, each named on
the pipe) and token counts (on a pipe of their own, so a count never waits behind a generation)."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from loguru import logger

from wxbot.errors import ModelError, WxbotError
from wxbot.llm.child import ignore_interrupts
from wxbot.llm.local import LocalModel, Piece
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
from wxbot.llm.sequences import GenerationStats, Outcome
from wxbot.llm.tuning import GATHER_S, HEARTBEAT_S, PIECE_INTERVAL_S
from wxbot.settings import Settings


def _internal_error(exc: Exception) -> ModelError:
    logger.exception("model process error")
    return ModelError(f"模型进程出错：{type(exc).__name__}", f"the model process failed: {type(exc).__name__}: {exc}")


def child_main(conn: Connection, aux: Connection, cancels: Any, cancel_count: Any, settings: Settings,
               model_path: str, max_gpu_layers: int | None, console_log: bool) -> None:
    """The model process's entry point (spawned by ModelWorker). ``cancels``: a flag per ticket; ``cancel_count``:
    how many cancels the app has made (read before each step and told back in its Heartbeat)."""
    ignore_interrupts()
    logger.remove()  # this process's own console sink, at the owner's level (no file: the app owns it)
    if console_log and sys.stderr is not None:
        logger.add(sys.stderr, level=settings.log_level, backtrace=False, diagnose=False)
    try:
        model = LocalModel(settings, model_path, max_gpu_layers=max_gpu_layers,
                           on_progress=lambda p: conn.send(Progress(p.fraction)),
                           on_attempt=lambda n: conn.send(Attempt(n)))
    except (BrokenPipeError, EOFError):
        return  # the app went away (quit) while the model loaded
    except WxbotError as exc:
        conn.send(LoadFailed(Failure.of(exc)))
        return
    except Exception as exc:  # a bug or an unexpected library error: words for the owner, details in the log
        conn.send(LoadFailed(Failure.of(_internal_error(exc))))
        return
    conn.send(Ready(model.info, model.load_note))
    threading.Thread(target=_serve_counts, args=(model, aux), name="wxbot-model-count", daemon=True).start()
    try:
        _serve_chats(model, conn, cancels, cancel_count)
    except (EOFError, BrokenPipeError):
        pass  # the app went away
    model.close()


class _Outbox:
    """The replies in progress as the app sees them: each reply's new text goes out at most every PIECE_INTERVAL_S,
    and all the text of one model step in one pipe message (a wake-up of the app per reply and token costs decode
    speed when several replies stream)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: dict[int, tuple[str, float]] = {}  # rid -> (text not yet sent, when text was last sent)

    @property
    def rids(self) -> list[int]:
        return list(self._pending)

    def open(self, rid: int) -> None:
        self._pending[rid] = ("", 0.0)

    def text(self, rid: int, text: str) -> None:
        pending, sent_at = self._pending[rid]
        self._pending[rid] = (pending + text, sent_at)

    def flush(self) -> None:
        now = time.perf_counter()
        due = [(rid, text) for rid, (text, sent_at) in self._pending.items() if text and now - sent_at >= PIECE_INTERVAL_S]
        if due:
            self._conn.send(Pieces(due))
            for rid, _ in due:
                self._pending[rid] = ("", now)

    def end(self, ended: Ended) -> None:
        pending, _ = self._pending.pop(ended.rid, ("", 0.0))
        if pending:
            self._conn.send(Pieces([(ended.rid, pending)]))
        self._conn.send(ended)


def _flag(cancels: Any, ticket: int) -> Callable[[], bool]:
    """Whether the app has cancelled the reply holding ``ticket`` (a shared flag, read between model steps)."""
    return lambda: bool(cancels[ticket])


def _serve_chats(model: LocalModel, conn: Connection, cancels: Any, cancel_count: Any) -> None:
    """Take requests between model steps (waiting for one only when nothing is generating, then GATHER_S for
    more) and send each reply's text and end to the app, then a Heartbeat per step; every reply in progress
    advances with each step (a Heartbeat per step would wake the app per token, so one goes out at once after a
step that began with a new cancel, else at most every HEARTBEAT_S). Returns on Close, or after a step failed (the context may be broken: every reply
    fails, and the app sees this process end)."""
    outbox = _Outbox(conn)
    told, told_at = 0, float("-inf")  # the cancel count and the time of the last Heartbeat sent
    for step in itertools.count(1):
        seen = cancel_count.value  # before the requests are read: any reply cancelled by then is in hand below
        idle = not model.busy
        while not model.busy or conn.poll(GATHER_S if idle else 0):
            request = conn.recv()
            if not isinstance(request, Request):
                assert isinstance(request, Close), request
                return
            outbox.open(request.rid)
            try:
                model.submit(request.rid, request.messages, max_tokens=request.max_tokens,
                             temperature=request.temperature, top_p=request.top_p,
                             repeat_penalty=request.repeat_penalty, cache_key=request.cache_key,
                             grammar=request.grammar, think_budget=request.think_budget,
                             cancelled=_flag(cancels, request.ticket))
            except WxbotError as exc:
                outbox.end(Ended(request.rid, Outcome.FAILED, GenerationStats(), Failure.of(exc)))
        try:
            events = model.step()
        except Exception as exc:
            broken = Failure.of(_internal_error(exc))
            for rid in outbox.rids:
                outbox.end(Ended(rid, Outcome.FAILED, GenerationStats(), broken))
            return
        for event in events:
            if isinstance(event, Piece):
                outbox.text(event.rid, event.text)
            else:
                failure: Failure | None = None
                if event.outcome is Outcome.FAILED:
                    failure = Failure.of(event.error or ModelError("模型计算失败", "generation failed"))
                outbox.end(Ended(event.rid, event.outcome, event.stats, failure))
        outbox.flush()
        if seen != told or time.perf_counter() - told_at >= HEARTBEAT_S:
            conn.send(Heartbeat(step, seen))
            told, told_at = seen, time.perf_counter()


def _serve_counts(model: LocalModel, aux: Connection) -> None:
    # Tokenizing reads the vocabulary only, so it may run beside a generation (llama-server does too).
    try:
        while True:
            request = aux.recv()
            assert isinstance(request, Count), request
            try:
                aux.send(Counted(model.count_tokens(request.messages)))
            except Exception as exc:
                aux.send(Failure.of(_internal_error(exc)))
    except (EOFError, BrokenPipeError, OSError):
        pass
