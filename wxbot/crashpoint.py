"""A test-only kill switch: with ``WXBOT_CRASH_AT=<point>`` the process kills itself (as ``kill -9`` would) on
reaching that named point, so a test can prove that no message is lost or answered twice by a crash there."""

from __future__ import annotations

import os
import signal

ENV = "WXBOT_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, without any clean-up, when ``WXBOT_CRASH_AT`` names this point; otherwise do nothing."""
    if os.environ.get(ENV) != name:
        return
    kill = getattr(signal, "SIGKILL", None)
    if kill is None:  # Windows: no SIGKILL; _exit skips every clean-up just the same
        os._exit(137)
    os.kill(os.getpid(), kill)
