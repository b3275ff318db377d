"""One running wxbot per data dir: two clients on one account would answer everything twice (CoW #2920)."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from wxbot.errors import AlreadyRunningError
from wxbot.files import PRIVATE_FILE, private_dir

LOCK_NAME = "wxbot.lock"


class InstanceLock:
    """An OS file lock in the data dir; the OS releases it if the process dies, so no stale locks."""

    def __init__(self, data_dir: Path) -> None:
        self.path = private_dir(data_dir) / LOCK_NAME  # PathError when the data dir can't be used
        self._lock = FileLock(str(self.path), timeout=0, mode=PRIVATE_FILE)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise AlreadyRunningError("wxbot 已经在运行（同一个数据目录），请使用已打开的窗口或托盘图标",
                                      "wxbot is already running on this data directory") from None

    def release(self) -> None:
        self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.is_locked
