"""ModelWorker: the model in its own process — streaming, cancel, crashes, restarts, clean close."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests.llm.conftest import LONG_TEXT, cancel_after, chat, model_settings
from wxbot.errors import GenerationCancelled, ModelError
from wxbot.llm.worker import ModelWorker

pytestmark = [pytest.mark.model, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def worker(test_model_path):
    errors: list[ModelError] = []
    progress: list[float] = []
    w = ModelWorker(model_settings(), test_model_path, on_progress=lambda p: progress.append(p.fraction),
                    on_error=errors.append)
    w.start()
    w.errors, w.progress = errors, progress  # what the callbacks saw, for the tests
    yield w
    w.close()


def generate(worker: ModelWorker, text: str = "What do you sell?", **kwargs) -> str:
    kwargs.setdefault("max_tokens", 8)
    kwargs.setdefault("temperature", 0)
    return "".join(worker.stream_chat(chat(text), **kwargs))


def test_start_loads_in_a_child_and_reports_progress(worker, local_model):
    assert worker.pid and worker.pid != os.getpid()
    placed = (worker.info.local.device, worker.info.local.gpu_layers, worker.info.local.n_layers)
    assert placed == (local_model.info.local.device, local_model.info.local.gpu_layers,
                      local_model.info.local.n_layers)
    assert worker.progress[0] == 0.0 and worker.progress[-1] == 1.0


def test_stream_and_count_match_the_model(worker, local_model):
    messages = chat("Hello", "Hi!", "Prices?")
    assert worker.count_tokens(messages) == local_model.count_tokens(messages)
    wanted = "你好，世界 😀 hello"  # a grammar makes the output exact, so the pipe's copy can be compared
    assert generate(worker, "Greet me", max_tokens=32, grammar=f'root ::= "{wanted}"') == wanted
    generate(worker, "Tell me a long story.", max_tokens=12)
    assert worker.last_stats.generated_tokens == 12


def test_count_tokens_does_not_wait_for_a_generation(worker):
    stream = worker.stream_chat(chat("Write a long story."), max_tokens=400, temperature=0.8)
    next(stream)  # a generation is running in the child
    assert worker.count_tokens(chat("Hello")) > 0
    stream.close()


def test_cancel_during_generation(worker):
    cancel = threading.Event()
    pid = worker.pid
    stream = worker.stream_chat(chat("Write a very long essay about shirts."), max_tokens=2000, temperature=0.8,
                                cancel=cancel)
    next(stream)  # generating now
    _, when = cancel_after(0.2, cancel)
    with pytest.raises(GenerationCancelled):
        for _ in stream:
            pass
    assert worker.pid == pid  # stopped by the flag before the worker's kill deadline, not by killing the child
    assert 0 < worker.last_stats.generated_tokens < 2000


def test_cancel_during_long_prompt(worker):
    cancel, when = cancel_after(0.5)
    pid = worker.pid
    with pytest.raises(GenerationCancelled):
        generate(worker, LONG_TEXT, max_tokens=4, cancel=cancel)
    assert worker.pid == pid  # stopped by the flag before the worker's kill deadline
    assert worker.last_stats.generated_tokens == 0


def test_abandoned_stream_leaves_the_worker_usable(worker):
    stream = worker.stream_chat(chat("Write a long story."), max_tokens=500, temperature=0.8)
    next(stream)
    stream.close()
    assert generate(worker)


def test_killed_child_becomes_model_error_then_restarts(worker):
    stream = worker.stream_chat(chat("Write a long story."), max_tokens=2000, temperature=0.8)
    next(stream)
    old_pid = worker.pid
    os.kill(old_pid, signal.SIGKILL)
    with pytest.raises(ModelError) as caught:
        for _ in stream:
            pass
    assert "exit code -9" in caught.value.en
    assert worker.errors and worker.errors[-1] is caught.value
    assert generate(worker)  # the next request starts a fresh child
    assert worker.pid != old_pid


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_child_that_ignores_cancel_is_killed_and_replaced(worker):
    cancel = threading.Event()
    stream = worker.stream_chat(chat("Write a long story."), max_tokens=2000, temperature=0.8, cancel=cancel)
    next(stream)
    frozen = worker.pid
    os.kill(frozen, signal.SIGSTOP)  # looks like a child stuck inside one long GPU batch
    cancel.set()
    started = time.monotonic()
    with pytest.raises(GenerationCancelled):
        for _ in stream:
            pass
    assert 1.0 <= time.monotonic() - started < 3.0  # the grace second, then the kill
    assert worker.pid != frozen
    assert generate(worker)


def test_bad_model_file_fails_start_readably(tmp_path):
    path = tmp_path / "broken.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 10)
    with pytest.raises(ModelError) as caught:
        ModelWorker(model_settings(), path).start()
    assert caught.value.zh and "Traceback" not in str(caught.value)


def test_child_dying_while_loading_on_cpu_is_a_model_error(test_model_path):
    w = ModelWorker(model_settings(), test_model_path,
                    on_progress=lambda p: os.kill(w.pid, signal.SIGKILL) if p.fraction == 0.0 else None)
    with pytest.raises(ModelError) as caught:
        w.start()  # on CPU there is nothing smaller to retry with
    assert "exited while loading" in caught.value.en
    w.close()


def test_close_ends_the_child(test_model_path):
    w = ModelWorker(model_settings(), test_model_path).start()
    proc = w._proc
    w.close()
    assert not proc.is_alive() and proc.exitcode == 0
