"""Secrets handed over in the environment (the store passphrase, an API key) are taken out of it at start-up,
so no child process — the model worker is spawned by multiprocessing and inherits the environment — ever
holds them; the app reads them from here instead."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import MutableMapping

from wxbot.errors import WxbotError

SECRET_VARS = ("WXBOT_PASSPHRASE", "WXBOT_OPENAI_API_KEY")
_taken: dict[str, str] = {}  # process-private, like the environment it replaces: never passed on


def take_from_environment(environ: MutableMapping[str, str] = os.environ) -> None:
    """Move the secret variables out of ``environ`` (call once, before any child process starts)."""
    for name in SECRET_VARS:
        value = environ.pop(name, None)
        if value:
            _taken[name] = value


def secret(name: str) -> str | None:
    """A secret variable taken at start-up, else still in the environment (library use without the CLI)."""
    return _taken.get(name) or os.environ.get(name) or None


def taken() -> dict[str, str]:
    """The secret variables taken at start-up (settings read theirs from here)."""
    return dict(_taken)


def ask_passphrase() -> str:
    """The store passphrase: WXBOT_PASSPHRASE, else asked on the terminal (an error without one)."""
    if given := secret("WXBOT_PASSPHRASE"):
        return given
    if not sys.stdin.isatty():
        raise WxbotError("没有可用的系统钥匙串：请设置环境变量 WXBOT_PASSPHRASE",
                         "no OS keychain available: set WXBOT_PASSPHRASE")
    return getpass.getpass("数据库口令 store passphrase: ")
