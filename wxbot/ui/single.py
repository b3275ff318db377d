"""One window per data dir: a second start asks the running app (over a QLocalSocket) to come to the front."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

RAISE = b"raise\n"
CONNECT_MS = 1000


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"wxbot-{digest}"


class InstanceServer(QObject):
    """Listens while this app runs; emits ``raise_requested`` when a second start knocks."""

    raise_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        name = server_name(data_dir)
        QLocalServer.removeServer(name)  # a stale socket left by a crash; we hold the instance lock
        self.server.listen(name)
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.readyRead.connect(self._read)

    def _read(self) -> None:
        conn = self.sender()
        if isinstance(conn, QLocalSocket) and bytes(conn.readAll().data()).startswith(RAISE):
            self.raise_requested.emit()


def ask_running_instance_to_raise(data_dir: Path) -> bool:
    """True when a running wxbot got the message (blocking for at most about a second)."""
    sock = QLocalSocket()
    sock.connectToServer(server_name(data_dir))
    if not sock.waitForConnected(CONNECT_MS):
        return False
    sock.write(RAISE)
    ok = sock.waitForBytesWritten(CONNECT_MS)
    sock.disconnectFromServer()
    return ok
