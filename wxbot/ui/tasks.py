"""Run blocking core calls (open the store, load the model, log in) off the GUI thread.

The callbacks run on the GUI thread: the worker thread only hands its result to a queued signal, as
Anki's taskman does with run_on_main.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from loguru import logger
from PySide6.QtCore import QObject, Qt, Signal

from wxbot.errors import WxbotError

Callback = Callable[[Any], None]


class Tasks(QObject):
    _finished = Signal(object, object, object)  # callback, value, error callback

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._threads: list[threading.Thread] = []

    def run(self, name: str, fn: Callable[[], Any], on_done: Callback | None = None,
            on_error: Callback | None = None) -> threading.Thread:
        """Call ``fn()`` in a daemon thread; then ``on_done(result)`` or ``on_error(exc)`` on the GUI thread."""

        def work() -> None:
            try:
                value = fn()
            except Exception as exc:  # handed to the GUI thread, which shows it in words
                if isinstance(exc, WxbotError):
                    logger.info("task {} failed: {}", name, type(exc).__name__)
                else:  # a bug: keep the traceback in the log
                    logger.exception("task {} failed", name)
                self._hand_over(None, exc, on_error or _reraise)
                return
            self._hand_over(on_done, value, None)

        thread = threading.Thread(target=work, name=f"ui-{name}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    def _hand_over(self, on_done: Callback | None, value: Any, on_error: Callback | None) -> None:
        try:
            self._finished.emit(on_done, value, on_error)
        except RuntimeError:  # the app quit while the task ran: its window is gone, nobody to tell
            logger.info("a task finished after the window closed")

    def busy(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def _deliver(self, on_done: Callback | None, value: Any, on_error: Callback | None) -> None:
        if on_error is not None:
            on_error(value)
        elif on_done is not None:
            on_done(value)


def _reraise(exc: BaseException) -> None:
    raise exc  # reaches sys.excepthook, which shows a dialog
