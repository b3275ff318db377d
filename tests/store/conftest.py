"""Store fixtures: an in-memory keyring (the machine's real keychain is never touched), keyring-less
set-ups for the passphrase path, and helpers to hash the database files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from wxbot.store import Store
from wxbot.store.db import db_files


class MemoryKeyring(KeyringBackend):
    """A recommended (priority 1) backend that keeps entries in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    """Every store test runs on a fresh in-memory keyring and without WXBOT_PASSPHRASE."""
    monkeypatch.delenv("WXBOT_PASSPHRASE", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(memory_keyring):
    """Headless Linux without a Secret Service: keyring's fail backend."""
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


def file_hashes(data_dir: Path) -> dict[str, str]:
    """sha256 of every database file present (db, -wal, -shm, journals)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in db_files(data_dir) if p.exists()}
