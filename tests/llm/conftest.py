"""Fixtures for the model layer: small, real settings and one loaded SmolLM2 per module."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from wxbot.llm.local import LocalModel
from wxbot.settings import Settings

# A prompt of ~1,900 tokens: several seconds of prompt evaluation for SmolLM2 on two cores.
LONG_TEXT = " ".join(f"Item {i}: a blue cotton shirt costs {i * 3} yuan." for i in range(110))


def model_settings(**changes) -> Settings:
    # one thread: ggml's threads spin-wait for each other, so on a busy machine two threads on two shared cores run
    # many times slower than one (a step took seconds with other jobs beside the tests)
    values = {"context_size": 2048, "threads": 1, "state_cache_mb": 64, "gpu_layers": "auto"}
    values.update(changes)
    return Settings(**values)


@pytest.fixture(scope="module")
def local_model(test_model_path):
    model = LocalModel(model_settings(), test_model_path)
    yield model
    model.close()


def held(model: LocalModel, key: str | None = None) -> int:
    """Tokens the model's sequences hold (the conversation ``key``'s alone when given)."""
    slots = model._sequences._slots
    return sum(len(s.tokens) for s in slots if key is None or s.owner == key)


def chat(*turns: str, system: str = "You are a helpful shop assistant.") -> list[dict[str, str]]:
    """system, then user/assistant turns alternating, starting with the user."""
    roles = ("user", "assistant")
    return [{"role": "system", "content": system}] + [
        {"role": roles[i % 2], "content": text} for i, text in enumerate(turns)]


def wait_until(condition: Callable[[], object], timeout: float = 240.0) -> None:
    """Wait for ``condition`` (another process's progress, seen through the app's side); the timeout is only a
    backstop for a broken test, far beyond any machine's speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the awaited event never came"
        time.sleep(0.01)


def cancel_after(seconds: float, event: threading.Event | None = None,
                 probe: Callable[[], object] | None = None) -> tuple[threading.Event, list]:
    """Set ``event`` from another thread after ``seconds``; ``when`` receives the moment it was set, or what
    ``probe()`` read at that moment (e.g. how many tokens the model had evaluated)."""
    event, when = event or threading.Event(), []

    def fire():
        when.append(time.monotonic() if probe is None else probe())
        event.set()

    threading.Timer(seconds, fire).start()
    return event, when
