"""Where the key lives: keychain first, passphrase without one; wrong keys are refused before any
byte of the database files changes; a lost keychain entry is an error, never a new key."""

from __future__ import annotations

import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys

import keyring
import pytest
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked

from tests.store.child import REPO
from tests.store.conftest import file_hashes
from wxbot import passkey
from wxbot.errors import StoreError, WrongKeyError
from wxbot.store import Store
from wxbot.store.db import db_path
from wxbot.store.keys import SERVICE, keyring_user, usable_keyring
from wxbot.store.memkeyring import MemoryKeyring

PASS = "correct horse battery 马"


def test_keyring_holds_a_random_key_per_data_dir(tmp_path, memory_keyring):
    a, b = Store.open(tmp_path / "a"), Store.open(tmp_path / "b")
    assert a.key_source == b.key_source == "keyring"
    a.close(), b.close()
    key_a = memory_keyring.entries[(SERVICE, keyring_user(tmp_path / "a"))]
    key_b = memory_keyring.entries[(SERVICE, keyring_user(tmp_path / "b"))]
    assert key_a != key_b and len(base64.b64decode(key_a)) == 32
    Store.open(tmp_path / "a").close()  # reopens with the same key
    assert memory_keyring.entries[(SERVICE, keyring_user(tmp_path / "a"))] == key_a


def test_no_keyring_uses_the_passphrase(data_dir, no_keyring, monkeypatch):
    asked = []
    store = Store.open(data_dir, passphrase=lambda: asked.append(1) or PASS)
    assert store.key_source == "passphrase" and asked == [1]
    contact = store.upsert_contact("friend", "老王")
    store.close()
    monkeypatch.setenv("WXBOT_PASSPHRASE", PASS)  # the headless way, no prompt
    with Store.open(data_dir) as again:
        assert again.get_contact(contact.id).nick_name == "老王"
    kdf = json.loads(dict(sqlite3.connect(db_path(data_dir)).execute("SELECT key, value FROM meta"))["kdf"])
    assert (kdf["name"], kdf["n"], kdf["r"], kdf["p"]) == ("scrypt", 2**17, 8, 1)


def test_passphrase_required_and_long_enough(data_dir, no_keyring):
    with pytest.raises(StoreError, match="WXBOT_PASSPHRASE"):
        Store.open(data_dir)
    with pytest.raises(StoreError, match="too short"):
        Store.open(data_dir, passphrase=lambda: "short")
    assert not db_path(data_dir).exists()


class LowPriority(MemoryKeyring):
    priority = 0.5  # like keyrings.alt's PlaintextKeyring


class FakeAlt(MemoryKeyring):
    priority = 5


FakeAlt.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize("backend", [LowPriority(), FakeAlt(), null.Keyring(), fail.Keyring()])
def test_insecure_backends_are_refused(backend):
    keyring.set_keyring(backend)
    assert usable_keyring() is None


def test_chainer_only_with_all_backends_acceptable(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    keyring.set_keyring(chainer.ChainerBackend())
    assert usable_keyring() is None
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring(), LowPriority()])
    assert usable_keyring() is None
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    assert usable_keyring() is not None


def test_wrong_keyring_key_changes_no_byte(data_dir, memory_keyring):
    with Store.open(data_dir) as store:
        store.upsert_contact("friend", "老王")
    before = file_hashes(data_dir)
    memory_keyring.entries[(SERVICE, keyring_user(data_dir))] = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(WrongKeyError) as err:
        Store.open(data_dir)
    assert "密钥不正确" in str(err.value) and "wrong passphrase or key" in str(err.value)
    assert file_hashes(data_dir) == before


def test_lost_keyring_entry_is_an_error_not_a_new_key(data_dir, memory_keyring):
    Store.open(data_dir).close()
    before = file_hashes(data_dir)
    memory_keyring.entries.clear()
    with pytest.raises(StoreError, match="missing from the system keychain") as err:
        Store.open(data_dir)
    assert not isinstance(err.value, WrongKeyError)
    assert memory_keyring.entries == {} and file_hashes(data_dir) == before


def test_locked_or_absent_keychain_for_a_keyring_store(data_dir, memory_keyring, monkeypatch):
    Store.open(data_dir).close()
    before = file_hashes(data_dir)

    def locked(*_):
        raise KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    with pytest.raises(StoreError, match="locked"):
        Store.open(data_dir)
    keyring.set_keyring(null.Keyring())
    with pytest.raises(StoreError, match="no usable keychain"):
        Store.open(data_dir, passphrase=lambda: PASS)
    assert file_hashes(data_dir) == before


def test_locked_keychain_at_creation_falls_back_to_passphrase(data_dir, memory_keyring, monkeypatch):
    def locked(*_):
        raise KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    with Store.open(data_dir, passphrase=lambda: PASS) as store:
        assert store.key_source == "passphrase"


def test_weak_kdf_parameters_on_disk_are_refused(data_dir, no_keyring):
    Store.open(data_dir, passphrase=lambda: PASS).close()
    conn = sqlite3.connect(db_path(data_dir))
    kdf = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()[0])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'kdf'", (json.dumps({**kdf, "n": 2**10}),))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="below the safe floor"):
        Store.open(data_dir, passphrase=lambda: PASS)


def _hold_open_and_kill(data_dir, tmp_path) -> None:
    """A child writes and is killed with the store open: -wal and -shm stay behind."""
    env = {**os.environ, "WXBOT_PASSPHRASE": PASS, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = subprocess.Popen([sys.executable, "-m", "tests.store.child", str(data_dir), str(tmp_path / "side"),
                              "0", "hold"], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        assert child.stdout.readline().strip() == "held"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_wrong_passphrase_changes_no_byte_even_after_a_crash(data_dir, tmp_path, no_keyring):
    _hold_open_and_kill(data_dir, tmp_path)
    before = file_hashes(data_dir)
    assert {"wxbot.db", "wxbot.db-wal", "wxbot.db-shm"} <= set(before)
    with pytest.raises(WrongKeyError, match="口令或密钥不正确"):
        Store.open(data_dir, passphrase=lambda: PASS + "!")
    assert file_hashes(data_dir) == before
    with Store.open(data_dir, passphrase=lambda: PASS) as store:  # the right one still opens, data intact
        assert store.get_message("r0-4") is not None


def test_damaged_or_foreign_file_is_not_a_wrong_key(data_dir):
    db_path(data_dir).write_bytes(b"not a database " * 300)
    with pytest.raises(StoreError, match="damaged") as err:
        Store.open(data_dir)
    assert not isinstance(err.value, WrongKeyError)
    db_path(data_dir).unlink()
    sqlite3.connect(db_path(data_dir)).execute("CREATE TABLE other (x)").connection.close()
    with pytest.raises(StoreError, match="not a wxbot store"):
        Store.open(data_dir)


def test_leftovers_of_an_interrupted_creation_are_cleared(data_dir):
    (data_dir / "wxbot.db.creating").write_bytes(b"half")
    (data_dir / "wxbot.db-wal").write_bytes(b"orphan wal of a deleted database")
    with Store.open(data_dir) as store:
        store.upsert_contact("friend", "x")
    assert sorted(p.name for p in data_dir.iterdir()) == ["wxbot.db"]


@pytest.mark.parametrize("tampered", [{"n": 2**30}, {"r": 2**12}, {"n": 2**17 + 1}], ids=["n", "r", "n-not-pow2"])
def test_huge_kdf_parameters_on_disk_are_refused_before_any_work(data_dir, no_keyring, tampered):
    """n=2**30 would make scrypt ask for 128 GiB: refused in words, at once, before deriving anything."""
    Store.open(data_dir, passphrase=lambda: PASS).close()
    conn = sqlite3.connect(db_path(data_dir))
    kdf = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()[0])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'kdf'", (json.dumps({**kdf, **tampered}),))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="exceed the safe ceiling"):
        Store.open(data_dir, passphrase=lambda: PASS)


def test_a_head_start_opens_the_store_only_for_its_own_passphrase(data_dir, no_keyring, monkeypatch):
    """``wxbot kb search`` starts scrypt before its imports (passkey.derive_meanwhile): the unlock takes that key
    only when it was derived from the same passphrase and parameters; a wrong one is still refused."""
    with Store.open(data_dir, passphrase=lambda: PASS) as store:
        contact = store.upsert_contact("friend", "老王")
    derived = []
    real = passkey._scrypt
    monkeypatch.setattr(passkey, "_scrypt", lambda inputs: derived.append(inputs[0]) or real(inputs))
    passkey.derive_meanwhile(PASS, db_path(data_dir))
    with Store.open(data_dir, passphrase=lambda: PASS) as again:  # takes the head start's key: no second scrypt
        assert again.get_contact(contact.id).nick_name == "老王"
    assert derived == [PASS]
    passkey.derive_meanwhile("a wrong passphrase", db_path(data_dir))
    with pytest.raises(WrongKeyError):  # the head start's key was for other words: derived again, and refused
        Store.open(data_dir, passphrase=lambda: PASS + " typo")
    assert sorted(derived) == sorted([PASS, "a wrong passphrase", PASS + " typo"])


def test_no_head_start_without_a_store_or_with_tampered_parameters(data_dir, no_keyring, monkeypatch):
    started = []
    monkeypatch.setattr(passkey, "_HeadStart", lambda inputs: started.append(inputs))
    passkey.derive_meanwhile(PASS, db_path(data_dir))  # no store yet
    Store.open(data_dir, passphrase=lambda: PASS).close()
    conn = sqlite3.connect(db_path(data_dir))
    kdf = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()[0])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'kdf'", (json.dumps({**kdf, "n": 2**30}),))
    conn.commit()
    conn.close()
    passkey.derive_meanwhile(PASS, db_path(data_dir))  # 128 GiB of scrypt: never started, not even on a thread
    assert started == []
