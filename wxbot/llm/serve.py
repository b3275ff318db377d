"""The model process's side of the pipes: load the model, then serve replies (several at once, each named on
the pipe) and token counts (on a pipe of their own, so a count never waits behind a generation)."""

from __future__ import annotations

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
from wxbot.llm.sequences import Outcome
from wxbot.settings import Settings

# Pieces go to the app at most this often (the first at once): one wake-up of the app per token costs a few
# per cent of decode speed on a small CPU, and a WeChat reply is sent whole anyway.
PIECE_INTERVAL_S = 0.02
# After a request finds the model idle, others arriving this soon join its first step: a burst of contacts has its
# prompts evaluated together instead of one after another while the first already generates.
GATHER_S = 0.01
PIECES = "pieces"  # a pipe message of [(rid, text), ...]; the others are (rid, "done" | "cancelled" | "error", ...)


def _error_message(exc: WxbotError) -> tuple[str, str, str, str]:
    return ("error", type(exc).__name__, exc.zh, exc.en)


def _internal_error(exc: Exception) -> ModelError:
    logger.exception("model process error")
    return ModelError(f"模型进程出错：{type(exc).__name__}", f"the model process failed: {type(exc).__name__}: {exc}")


def child_main(conn: Connection, aux: Connection, cancels: Any, settings: Settings, model_path: str,
               max_gpu_layers: int | None, console_log: bool) -> None:
    """The model process's entry point (spawned by ModelWorker)."""
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
        _serve_chats(model, conn, cancels)
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
            self._conn.send((PIECES, due))
            for rid, _ in due:
                self._pending[rid] = ("", now)

    def end(self, rid: int, *message: Any) -> None:
        pending, _ = self._pending.pop(rid, ("", 0.0))
        if pending:
            self._conn.send((PIECES, [(rid, pending)]))
        self._conn.send((rid, *message))


def _flag(cancels: Any, ticket: int) -> Callable[[], bool]:
    """Whether the app has cancelled the reply holding ``ticket`` (a shared flag, read between model steps)."""
    return lambda: bool(cancels[ticket])


def _serve_chats(model: LocalModel, conn: Connection, cancels: Any) -> None:
    """Take requests between model steps (waiting for one only when nothing is generating, then GATHER_S for
    more) and send each reply's text and end to the app; every reply in progress advances with each step."""
    outbox = _Outbox(conn)
    while True:
        idle = not model.busy
        while not model.busy or conn.poll(GATHER_S if idle else 0):
            request = conn.recv()
            if request[0] != "chat":
                return
            _, rid, ticket, kwargs = request
            outbox.open(rid)
            try:
                model.submit(rid, cancelled=_flag(cancels, ticket), **kwargs)
            except WxbotError as exc:
                outbox.end(rid, *_error_message(exc))
        try:
            events = model.step()
        except Exception as exc:  # the context may be broken: every reply fails and this process ends
            error = _error_message(_internal_error(exc))
            for rid in outbox.rids:
                outbox.end(rid, *error)
            return
        for event in events:
            if isinstance(event, Piece):
                outbox.text(event.rid, event.text)
            elif event.outcome is Outcome.DONE:
                outbox.end(event.rid, "done", event.stats)
            elif event.outcome is Outcome.CANCELLED:
                outbox.end(event.rid, "cancelled", event.stats)
            else:
                outbox.end(event.rid, *_error_message(event.error or ModelError("模型计算失败", "generation failed")))
        outbox.flush()


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
