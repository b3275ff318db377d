"""The app's child processes (model and embedding workers) ignore Ctrl-C: a terminal sends it to the whole
process group, and it is the app that decides how a child stops (it closes the pipe); a child interrupted on
its own prints a traceback and dies mid-request."""

from __future__ import annotations

import signal
import threading
from typing import Any


def start_child(proc: Any) -> None:
    """``proc.start()`` with SIGINT ignored around it: an ignored signal stays ignored in the spawned child
    from its first instruction. Only the main thread may change dispositions; a child started from another
    thread ignores SIGINT as its own first step (``ignore_interrupts``)."""
    if threading.current_thread() is not threading.main_thread():
        proc.start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc.start()
    finally:
        signal.signal(signal.SIGINT, previous)


def ignore_interrupts() -> None:
    """The first step of a child process's main function."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def end_child(conn: Any, proc: Any) -> int | None:
    """Close a child's pipe (its cue to end), give it 2 s, then kill it; its exit code (None: no child)."""
    if conn is not None:
        conn.close()
    if proc is None:
        return None
    proc.join(2.0)
    if proc.is_alive():
        proc.kill()
        proc.join()
    return proc.exitcode
