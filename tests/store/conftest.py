"""Store fixtures: an in-memory keyring (the machine's real keychain is never touched), keyring-less
set-ups for the passphrase path, and helpers to hash the database files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from wxbot.store import Store
from wxbot.store.db import db_files


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
