"""Secrets handed over in the environment (the store passphrase, an API key) are taken out of it at start-up,
so no child process — the model worker is spawned by multiprocessing and inherits the environment — ever
holds them; the app reads them from here instead."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

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
