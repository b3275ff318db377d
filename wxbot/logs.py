"""Logging set-up: a rotating file in the per-user log dir plus the console, never chat text in files.

Code logs ids, contact ids and lengths (``describe(text)``), never message text. The file sink is
INFO or above whatever the console level, so a DEBUG line can't put chat text on disk.
"""

from __future__ import annotations

import sys
from pathlib import Path

from loguru import logger

_sink_ids: list[int] = []


def describe(text: str) -> str:
    """What may be logged about a piece of chat text: its length, never its content."""
    return f"len={len(text)}"


def _to_stderr(message: str) -> None:
    stream = sys.stderr
    if stream is not None and not stream.closed:
        stream.write(message)


def setup_logging(log_dir: Path, level: str = "INFO", console: bool = True) -> Path:
    """(Re)configure loguru; returns the log file path. Safe to call more than once."""
    for sink_id in [*_sink_ids, 0]:  # ours from an earlier call, and loguru's default stderr sink
        try:
            logger.remove(sink_id)
        except ValueError:  # already removed (someone called logger.remove())
            pass
    _sink_ids.clear()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "wxbot.log"
    file_level = level if level in ("WARNING", "ERROR") else "INFO"
    _sink_ids.append(logger.add(path, level=file_level, rotation="5 MB", retention=5, encoding="utf-8",
                                enqueue=True, backtrace=False, diagnose=False))
    if console and sys.stderr is not None:
        # resolve sys.stderr at each write: a stream swapped or closed since set-up (tests, a frozen windowed
        # app) must not break logging from threads that outlive it
        _sink_ids.append(logger.add(_to_stderr, level=level, backtrace=False, diagnose=False))
    return path
