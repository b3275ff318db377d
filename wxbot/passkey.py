"""The key that unwraps a passphrase store's data key: scrypt over the owner's passphrase, on parameters kept in
the store and checked against a floor and a ceiling. Scrypt is slow by design (about 0.4 s: what makes guessing
passphrases slow). This module lives outside ``wxbot.store``, whose package loads the SQLite helpers, so that a
short command can start the derivation on a second core before those imports (``wxbot kb search``, which an
evaluation runs once per question, spends the scrypt time importing instead of waiting for it)."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
import threading
import unicodedata
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from wxbot.errors import StoreError

PASSPHRASE_ENV = "WXBOT_PASSPHRASE"
KEK_BYTES = 32  # AES-256-GCM wraps the data key
# OWASP Password Storage Cheat Sheet floor for scrypt; parameters read from disk below it are refused
# (a downgrade an attacker with write access could otherwise plant, as Bitwarden's pre-login check guards).
SCRYPT_FLOOR = {"n": 2**17, "r": 8, "p": 1}
# and a ceiling: tampered parameters (n=2**30) must not make an unlock eat all memory (scrypt needs 128*n*r bytes)
SCRYPT_CEILING = {"n": 2**20, "r": 16, "p": 16}
SCRYPT_MAX_BYTES = 2**30
SALT_BYTES = 16

_Params = tuple[str, bytes, int, int, int]  # (passphrase, salt, n, r, p): what a derivation depends on


class _HeadStart:
    """One derivation started early on its own thread; taken once, by the unlock it was started for."""

    def __init__(self, params: _Params) -> None:
        self.params = params
        self.key = b""
        self.done = threading.Event()
        threading.Thread(target=self._run, name="scrypt head start", daemon=True).start()

    def _run(self) -> None:
        try:
            self.key = _scrypt(self.params)
        finally:
            self.done.set()


_head_start: _HeadStart | None = None
_lock = threading.Lock()


def normalized(passphrase: str) -> str:
    """The passphrase as derived: NFC, so the same characters typed on another system give the same key."""
    return unicodedata.normalize("NFC", passphrase)


def read_params(text: str) -> dict:
    """The store's scrypt parameters (its ``kdf`` meta row), refused below the floor or above the ceiling."""
    try:
        params = json.loads(text)
    except ValueError:
        params = None
    ok = (isinstance(params, dict) and params.get("name") == "scrypt"
          and all(isinstance(params.get(k), int) and params[k] >= floor for k, floor in SCRYPT_FLOOR.items())
          and isinstance(params.get("salt"), str) and len(_salt(params)) >= SALT_BYTES)
    if not ok:
        raise StoreError("数据库中的口令加密参数低于安全下限，可能被篡改，拒绝使用",
                         "the store's passphrase KDF parameters are below the safe floor (possible tampering); refused")
    n, r = params["n"], params["r"]
    if (any(params[k] > ceiling for k, ceiling in SCRYPT_CEILING.items()) or n & (n - 1)
            or 128 * n * r > SCRYPT_MAX_BYTES):
        raise StoreError("数据库中的口令加密参数超出安全上限，可能被篡改，拒绝使用",
                         "the store's passphrase KDF parameters exceed the safe ceiling (possible tampering); refused")
    return params


def derive(passphrase: str, params: dict) -> bytes:
    """The key-encryption key for ``passphrase`` under checked ``params``: the head start's, when one was made
    for exactly these (waiting for it to finish), else derived now."""
    global _head_start
    wanted = _inputs(passphrase, params)
    with _lock:
        early, _head_start = _head_start, None
    if early is not None and early.params == wanted:
        early.done.wait()
        if early.key:
            return early.key
    return _scrypt(wanted)


def derive_meanwhile(passphrase: str, db_file: Path) -> None:
    """Start deriving the key of the store in ``db_file`` on a thread (scrypt runs without the GIL). Best effort:
    without a readable store or with parameters out of bounds nothing starts, and opening the store then finds
    and reports what is wrong."""
    global _head_start
    try:
        conn = sqlite3.connect(Path(db_file).resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'kdf'").fetchone()
        finally:
            conn.close()
        params = read_params(row[0] if row else "")
    except (sqlite3.Error, OSError, StoreError):
        return
    with _lock:
        _head_start = _HeadStart(_inputs(passphrase, params))


def _salt(params: dict) -> bytes:
    try:
        return base64.b64decode(params["salt"], validate=True)
    except (binascii.Error, ValueError):
        return b""


def _inputs(passphrase: str, params: dict) -> _Params:
    return normalized(passphrase), _salt(params), params["n"], params["r"], params["p"]


def _scrypt(inputs: _Params) -> bytes:
    passphrase, salt, n, r, p = inputs
    return Scrypt(salt=salt, length=KEK_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
