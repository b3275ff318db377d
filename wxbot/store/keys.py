"""Where the data key lives: the OS keychain through ``keyring``, else wrapped under a passphrase (scrypt).

Never a plaintext key file, never a new key over an existing store: a lost or locked keychain is an
error the owner sees, not a silent re-key (Signal Desktop #6962/#6970 show what that costs).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringError, KeyringLocked
from loguru import logger

from wxbot.envsecrets import secret
from wxbot.errors import PassphraseNeeded, StoreError, WeakPassphrase, WrongKeyError
from wxbot.messages import StrState
from wxbot.passkey import PASSPHRASE_ENV, SALT_BYTES, SCRYPT_FLOOR, derive, normalized, read_params
from wxbot.store.crypto import KEY_BYTES, open_sealed, seal

SERVICE = "wxbot"
MIN_PASSPHRASE_CHARS = 8
_WRAP_AAD = b"wrapped-key"
_USER_RE = re.compile(r"^data-key-[0-9a-f]{16}$")

PassphraseFn = Callable[[], str]


def keyring_user(data_dir: Path) -> str:
    """One keychain entry per data dir, so two data dirs never share a key."""
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()
    return f"data-key-{digest[:16]}"


def _acceptable(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        return bool(chained) and all(_acceptable(b) for b in chained)
    try:
        recommended = keyring.core.recommended(backend)
    except Exception:  # a backend whose priority check raises is not viable
        return False
    # keyrings.alt stores keys in plain or weakly protected files: that is a key next to the data.
    return recommended and not type(backend).__module__.startswith("keyrings.alt")


def usable_keyring() -> keyring.backend.KeyringBackend | None:
    backend = keyring.get_keyring()
    return backend if _acceptable(backend) else None


def keychain_works() -> bool:
    """Whether the keychain really keeps a key here: a probe entry is written, read back and deleted (a
    keychain that is present but locked, or has no backing service, fails this)."""
    backend = usable_keyring()
    if backend is None:
        return False
    probe, user = b64(os.urandom(KEY_BYTES)), f"probe-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        backend.set_password(SERVICE, user, probe)
        kept = backend.get_password(SERVICE, user) == probe
        backend.delete_password(SERVICE, user)
    except Exception as exc:  # noqa: BLE001 - any backend failure (KeyringError, D-Bus errors…) means "no keychain"
        logger.info("the system keychain failed the probe ({})", type(exc).__name__)
        return False
    return kept


class Strength(StrState):
    """How hard a passphrase is to guess, as the passphrase fields hint it."""

    TOO_SHORT = "too_short"  # refused
    WEAK = "weak"
    FAIR = "fair"
    STRONG = "strong"


def passphrase_strength(text: str) -> Strength:
    """Length counts most; kinds of characters (letters, digits, others, CJK) add to it."""
    if len(text) < MIN_PASSPHRASE_CHARS:
        return Strength.TOO_SHORT
    kinds = sum((any(c.isascii() and c.isalpha() for c in text), any(c.isdigit() for c in text),
                 any(not c.isalnum() for c in text), any(not c.isascii() and c.isalpha() for c in text)))
    distinct = len(set(text))
    if len(text) >= 16 and distinct >= 8 or len(text) >= 12 and kinds >= 3:
        return Strength.STRONG
    if distinct >= 5 and (kinds >= 2 or len(text) >= 12):
        return Strength.FAIR
    return Strength.WEAK


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def _ask(passphrase: PassphraseFn | None) -> str:
    text = secret(PASSPHRASE_ENV) or (passphrase() if passphrase is not None else None)
    if not text:
        raise PassphraseNeeded("系统钥匙串不可用，需要输入口令才能打开加密数据库（或设置环境变量 WXBOT_PASSPHRASE）",
                         "no system keychain is available: a passphrase is needed to open the encrypted store "
                         "(or set WXBOT_PASSPHRASE)")
    return normalized(text)


def _kek(passphrase: str, params: dict) -> AESGCM:
    return AESGCM(derive(passphrase, params))


def _from_keyring(backend: keyring.backend.KeyringBackend, user: str) -> bytes | None:
    text = backend.get_password(SERVICE, user)
    key = unb64(text) if text else None
    return key if key is not None and len(key) == KEY_BYTES else None


def provision(data_dir: Path, passphrase: PassphraseFn | None, *,
              keychain: bool = True) -> tuple[bytes, dict[str, str]]:
    """A data key for a new store, and the meta rows that say how to find it again (``keychain`` False: the
    owner chose a passphrase even where a keychain is usable)."""
    backend = usable_keyring() if keychain else None
    user = keyring_user(data_dir)
    if backend is not None:
        try:
            key = _from_keyring(backend, user)  # left by a run that died before its database was in place
            if key is None:
                key = os.urandom(KEY_BYTES)
                backend.set_password(SERVICE, user, b64(key))
                if _from_keyring(backend, user) != key:
                    raise KeyringError("the keychain did not keep the key")
            return key, {"key_source": "keyring", "keyring_user": user}
        except KeyringError as exc:
            logger.warning("system keychain not usable ({}); falling back to a passphrase", type(exc).__name__)
    text = _ask(passphrase)
    if len(text) < MIN_PASSPHRASE_CHARS:
        raise WeakPassphrase(f"口令太短，至少需要 {MIN_PASSPHRASE_CHARS} 个字符",
                         f"the passphrase is too short: use at least {MIN_PASSPHRASE_CHARS} characters")
    params = {"name": "scrypt", **SCRYPT_FLOOR, "salt": b64(os.urandom(SALT_BYTES))}
    key = os.urandom(KEY_BYTES)
    wrapped = seal(_kek(text, params), key, _WRAP_AAD)
    return key, {"key_source": "passphrase", "kdf": json.dumps(params), "wrapped_key": b64(wrapped)}


def unlock(meta: dict[str, str], passphrase: PassphraseFn | None) -> bytes:
    """The data key of an existing store; raises WrongKeyError or StoreError and never creates a key."""
    source = meta.get("key_source")
    if source == "keyring":
        return _unlock_keyring(meta.get("keyring_user", ""))
    if source == "passphrase":
        params = read_params(meta.get("kdf", ""))
        wrapped = unb64(meta.get("wrapped_key", "")) or b""
        try:
            key = open_sealed(_kek(_ask(passphrase), params), wrapped, _WRAP_AAD)
        except InvalidTag:
            raise wrong_key() from None
        return key
    raise StoreError("数据库缺少密钥信息，可能已损坏", "the store's key information is missing; the file may be damaged")


def _unlock_keyring(user: str) -> bytes:
    if not _USER_RE.match(user):
        raise StoreError("数据库缺少密钥信息，可能已损坏", "the store's key information is missing; the file may be damaged")
    backend = usable_keyring()
    if backend is None:
        raise StoreError("此数据库的密钥保存在系统钥匙串中，但现在没有可用的系统钥匙串",
                         "this store's key is kept in the system keychain, but no usable keychain is available now")
    try:
        text = backend.get_password(SERVICE, user)
    except KeyringLocked:
        raise StoreError("系统钥匙串已锁定，请解锁后重试", "the system keychain is locked; unlock it and try again") from None
    except KeyringError as exc:
        raise StoreError("无法读取系统钥匙串", f"the system keychain could not be read ({type(exc).__name__})") from None
    if text is None:
        raise StoreError("系统钥匙串中找不到此数据库的密钥；没有它无法读取历史记录。请恢复钥匙串，或清除数据重新开始",
                         "this store's key is missing from the system keychain; without it the history cannot be "
                         "read. Restore the keychain, or wipe the data and start again")
    key = unb64(text)
    if key is None or len(key) != KEY_BYTES:
        raise wrong_key()
    return key


def delete_keyring_entry(user: str) -> bool:
    """Remove the key from the keychain; False when there was none (or no keychain)."""
    backend = usable_keyring()
    if backend is None or not _USER_RE.match(user):
        return False
    try:
        if backend.get_password(SERVICE, user) is None:
            return False
        backend.delete_password(SERVICE, user)
    except KeyringError as exc:
        raise StoreError("无法从系统钥匙串删除密钥", f"the key could not be removed from the keychain "
                         f"({type(exc).__name__})") from None
    return True


def wrong_key() -> WrongKeyError:
    return WrongKeyError("口令或密钥不正确，无法打开加密数据库（数据库文件未做任何改动）",
                         "wrong passphrase or key: the encrypted store cannot be opened (its files were not changed)")
