"""SIGTERM and Ctrl-C end the window the way Quit does (the service closes, the model worker stops). Python runs
signal handlers only between bytecodes, which a waiting Qt event loop never executes, so the signal wakes Qt
through a socket (``signal.set_wakeup_fd``) and the handler runs on the GUI thread."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals(QObject):
    """While alive, SIGINT/SIGTERM call ``on_stop`` on the GUI thread (once per signal)."""

    def __init__(self, on_stop: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_stop = on_stop
        self._wake, self._tap = socket.socketpair()
        for sock in (self._wake, self._tap):
            sock.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._tap.fileno())
        self._previous = {sig: signal.signal(sig, self._note) for sig in STOP_SIGNALS}
        self._notifier = QSocketNotifier(self._wake.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _note(self, signum: int, _frame: object) -> None:
        """The Python-level handler: runs when Qt hands control back to Python (in ``_woken``)."""

    def _woken(self) -> None:
        try:
            got = self._wake.recv(64)
        except BlockingIOError:
            return
        if any(b in {int(s) for s in STOP_SIGNALS} for b in got):
            self._on_stop()

    def close(self) -> None:
        """Give the signals back (the app is ending)."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._wake.close()
        self._tap.close()
