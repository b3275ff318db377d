"""ModelWorker: the model in its own process — streaming, cancel, crashes, restarts, clean close."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

import pytest

from tests.llm.conftest import LONG_TEXT, cancel_after, chat, model_settings, wait_until
from wxbot.errors import GenerationCancelled, ModelError
from wxbot.llm.worker import ModelWorker

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]  # a backstop: the tests wait for events


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
    cancel, pid = threading.Event(), worker.pid
    steps = worker.steps
    stream = worker.stream_chat(chat(LONG_TEXT), max_tokens=400, temperature=0, cancel=cancel, cache_key="long")
    ended: list[BaseException] = []
    reader = threading.Thread(target=lambda: _drain(stream, ended))
    reader.start()
    wait_until(lambda: worker.steps > steps)  # the child reported a step: the long prompt is being evaluated
    cancel.set()
    reader.join()
    assert isinstance(ended[0], GenerationCancelled)
    assert worker.pid == pid  # stopped by the flag, not by killing the child
    assert worker.last_stats.generated_tokens < 400


def _drain(stream, ended: list[BaseException]) -> None:
    try:
        for _ in stream:
            pass
        ended.append(StopIteration())
    except Exception as exc:  # what the stream ended with, for the test's thread
        ended.append(exc)


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


def test_a_child_that_dies_while_idle_is_told_once_and_the_next_request_works(test_model_path):
    """N8: no reply in flight, yet the owner hears of the crash at once (the pipe's reader sees it close), once;
    the next request starts a fresh child and its readiness is told too."""
    told, errors, restarted = threading.Event(), [], []

    def on_error(err: ModelError) -> None:
        errors.append(err)
        told.set()

    w = ModelWorker(model_settings(), test_model_path, on_error=on_error, on_restarted=lambda: restarted.append(1),
                    console_log=False).start()
    try:
        old = w.pid
        os.kill(old, signal.SIGKILL)
        assert told.wait(120)  # without any request
        assert "exit code -9" in errors[0].en
        assert generate(w) and w.pid != old
        assert len(errors) == 1 and restarted == [1]
    finally:
        w.close()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_takeover_during_another_contacts_long_prompt_keeps_the_process_and_its_reply(test_model_path):
    """N1 with the real model process: contact A's long prompt is being evaluated when the owner takes over B. The
    child is stopped for two seconds meanwhile: one step that outlasts the old one-second grace, as a 256-token
    chunk of a 7B model on a CPU does (~5 s). The app waits for the step to end instead of killing the child."""
    errors: list[ModelError] = []
    w = ModelWorker(model_settings(parallel_replies=2), test_model_path, on_error=errors.append,
                    console_log=False).start()
    try:
        pid = w.pid
        long_ended: list[BaseException] = []
        long_text: list[str] = []
        long_stream = w.stream_chat(chat(LONG_TEXT), max_tokens=4, temperature=0, cache_key="a")
        long_reader = threading.Thread(target=lambda: _drain(_collect(long_stream, long_text), long_ended))
        long_reader.start()
        wait_until(lambda: w.steps >= 1)  # A's prompt is being evaluated
        cancel, short_ended = threading.Event(), []
        short = w.stream_chat(chat("What do you sell?"), max_tokens=40, temperature=0, cache_key="b", cancel=cancel)
        short_reader = threading.Thread(target=lambda: _drain(short, short_ended))
        short_reader.start()
        os.kill(pid, signal.SIGSTOP)
        assert not long_ended  # A is still in its prompt
        cancel.set()  # the owner answers B by hand
        time.sleep(2.0)  # the step in progress lasts two seconds (not a synchronisation: the scenario)
        with contextlib.suppress(ProcessLookupError):  # gone if the app killed it (what this test guards against)
            os.kill(pid, signal.SIGCONT)
        short_reader.join()
        long_reader.join()
        assert isinstance(short_ended[0], GenerationCancelled)
        assert isinstance(long_ended[0], StopIteration) and "".join(long_text)  # A's reply went on
        assert w.pid == pid and not errors  # no kill, no crash told
    finally:
        w.close()


def _collect(stream, into: list[str]):
    for piece in stream:
        into.append(piece)
        yield piece


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_child_that_finishes_no_step_for_the_hang_limit_is_replaced(test_model_path):
    w = ModelWorker(model_settings(), test_model_path, console_log=False).start()
    try:
        cancel = threading.Event()
        stream = w.stream_chat(chat("Write a long story."), max_tokens=2000, temperature=0.8, cancel=cancel)
        next(stream)
        w._settings = w._settings.replace(model_hang_seconds=1.0)  # short now, not while the prompt was evaluated
        frozen = w.pid
        os.kill(frozen, signal.SIGSTOP)  # a child stuck inside one step for good
        cancel.set()
        with pytest.raises(GenerationCancelled):
            for _ in stream:
                pass
        assert w.pid != frozen
        w._settings = w._settings.replace(model_hang_seconds=120.0)  # the fresh child loads and answers at its pace
        assert generate(w)
    finally:
        w.close()


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
    proc = w._process._proc
    w.close()
    assert not proc.is_alive() and proc.exitcode == 0
