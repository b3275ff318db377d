"""Knowledge-base fixtures: a real encrypted store in a temp data dir and a KnowledgeBase on it."""

from __future__ import annotations

import pytest

from wxbot.kb.base import KnowledgeBase
from wxbot.llm.embedder import EmbeddingWorker
from wxbot.settings import load_settings
from wxbot.store import Store


@pytest.fixture
def settings(data_dir):
    return load_settings()


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


@pytest.fixture
def kb(store, settings):
    return KnowledgeBase.open(store, settings)


@pytest.fixture(scope="session")
def embedder(test_model_path):
    """The real SmolLM2 test model in llama.cpp's embedding mode, in its own process (vector quality is
    irrelevant here: the tests check the path, the storage and the fusion, not the ranking)."""
    worker = EmbeddingWorker(test_model_path).start()
    yield worker
    worker.close()
