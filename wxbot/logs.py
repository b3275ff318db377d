"""Logging set-up: a rotating file in the per-user log dir plus the console, never chat text in files.

Code logs ids, contact ids and lengths (``describe(text)``), never message text. The file sink is
INFO or above whatever the console level, so a DEBUG line can't put chat text on disk.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from loguru import logger

from wxbot.files import open_private, private_dir

LOG_FILE = "wxbot.log"
ROTATE_BYTES = 5 * 2**20
KEEP = 5  # rotated files kept beside the current one
_sink_ids: list[int] = []


def describe(text: str) -> str:
    """What may be logged about a piece of chat text: its length, never its content."""
    return f"len={len(text)}"


def _to_stderr(message: str) -> None:
    stream = sys.stderr
    if stream is not None and not stream.closed:
        stream.write(message)


class PrivateLogFile:
    """The log file as a loguru sink: created 0600, rotated at ROTATE_BYTES keeping KEEP old files. A write
    that fails (disk full, read-only) drops the line and says so ONCE on the console instead of a "Logging
    error" block per line; writing resumes by itself when the disk takes it again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: TextIO | None = None
        self.failing = False

    def write(self, message: str) -> None:
        try:
            if self._fh is None:
                self._fh = open(self.path, "a", encoding="utf-8", opener=open_private)  # noqa: SIM115
            if self._fh.tell() + len(message) > ROTATE_BYTES:
                self._rotate()
            self._fh.write(message)
            self._fh.flush()
        except OSError as exc:
            self.stop()
            if not self.failing:
                self.failing = True
                _to_stderr(f"wxbot: 日志文件无法写入，暂不记录日志 (the log file can't be written: "
                           f"{exc.strerror or type(exc).__name__}; logging to the file paused)\n")
            return
        self.failing = False

    def _rotate(self) -> None:
        self.stop()
        for i in range(KEEP, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if i == KEEP:
                older.unlink(missing_ok=True)
            else:
                newer = self.path.with_name(f"{self.path.name}.{i + 1}")
                if older.exists():
                    os.replace(older, newer)
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        self._fh = open(self.path, "a", encoding="utf-8", opener=open_private)  # noqa: SIM115

    def stop(self) -> None:
        """Close the file (loguru calls this when the sink is removed)."""
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.close()
            except OSError:  # the last buffered line could not be flushed: dropped, like the others
                pass


def log_files(log_dir: Path) -> list[Path]:
    """The log file and its rotated copies."""
    return sorted(Path(log_dir).glob(f"{LOG_FILE}*"))


def setup_logging(log_dir: Path, level: str = "INFO", console: bool = True) -> Path:
    """(Re)configure loguru; returns the log file path. Safe to call more than once. The log dir is made
    owner-only (raises PathError when it can't be)."""
    for sink_id in [*_sink_ids, 0]:  # ours from an earlier call, and loguru's default stderr sink
        try:
            logger.remove(sink_id)
        except ValueError:  # already removed (someone called logger.remove())
            pass
    _sink_ids.clear()
    path = private_dir(log_dir) / LOG_FILE
    file_level = level if level in ("WARNING", "ERROR") else "INFO"
    _sink_ids.append(logger.add(PrivateLogFile(path), level=file_level, enqueue=True, backtrace=False,
                                diagnose=False))
    if console and sys.stderr is not None:
        # resolve sys.stderr at each write: a stream swapped or closed since set-up (tests, a frozen windowed
        # app) must not break logging from threads that outlive it
        _sink_ids.append(logger.add(_to_stderr, level=level, backtrace=False, diagnose=False))
    return path
