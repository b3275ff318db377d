"""The model server's API key, kept like the data key: in the OS keychain, or in WXBOT_OPENAI_API_KEY for services.

Never in settings.json, never logged; one keychain entry per data dir, so two bots on one PC keep their own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from keyring.errors import KeyringError

from wxbot.envsecrets import secret
from wxbot.errors import StoreError
from wxbot.store.keys import SERVICE, usable_keyring

API_KEY_ENV = "WXBOT_OPENAI_API_KEY"


def api_key_user(data_dir: Path) -> str:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()
    return f"openai-api-key-{digest[:16]}"


def load_api_key(data_dir: Path) -> str:
    """The environment's key (taken out of it at start-up), else the keychain's, else "" (servers started
    without a key take any)."""
    if key := secret(API_KEY_ENV):
        return key
    backend = usable_keyring()
    if backend is None:
        return ""
    try:
        return backend.get_password(SERVICE, api_key_user(data_dir)) or ""
    except KeyringError:
        return ""


def save_api_key(data_dir: Path, key: str) -> None:
    """Keep ``key`` in the keychain ("" removes it); StoreError in words when there is no keychain."""
    backend = usable_keyring()
    if backend is None:
        raise StoreError(f"没有可用的系统钥匙串，无法保存 API 密钥；请改用环境变量 {API_KEY_ENV}",
                         f"no system keychain is available to keep the API key; set {API_KEY_ENV} instead")
    user = api_key_user(data_dir)
    try:
        if key:
            backend.set_password(SERVICE, user, key)
        elif backend.get_password(SERVICE, user) is not None:
            backend.delete_password(SERVICE, user)
    except KeyringError as exc:
        raise StoreError("无法把 API 密钥写入系统钥匙串",
                         f"the API key could not be written to the keychain ({type(exc).__name__})") from None


def delete_api_key(data_dir: Path) -> bool:
    """Remove this data dir's key from the keychain (``wxbot wipe``); False when there was none or no keychain."""
    backend = usable_keyring()
    if backend is None:
        return False
    user = api_key_user(data_dir)
    try:
        if backend.get_password(SERVICE, user) is None:
            return False
        backend.delete_password(SERVICE, user)
    except KeyringError as exc:
        raise StoreError("无法从系统钥匙串删除 API 密钥",
                         f"the API key could not be removed from the keychain ({type(exc).__name__})") from None
    return True
