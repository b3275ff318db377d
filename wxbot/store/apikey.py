"""The model server's API key, kept like the data key: in the OS keychain, or in WXBOT_OPENAI_API_KEY for services.

Never in settings.json, never logged; one keychain entry per data dir, so two bots on one PC keep their own. A key
from the window is kept with the server it was given for (scheme, host, port) and sent only there: an address
entered later gets no key until the owner types one for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from keyring.errors import KeyringError

from wxbot.envsecrets import secret
from wxbot.errors import StoreError
from wxbot.store.keys import SERVICE, usable_keyring

API_KEY_ENV = "WXBOT_OPENAI_API_KEY"
_FOR = "wxbot-key-for "  # the first line of a bound entry; an entry without it was kept by an older wxbot


def key_origin(base_url: str) -> str:
    """The server a key belongs to: ``http://192.168.1.20:8080/v1`` -> ``http://192.168.1.20:8080``."""
    try:
        parts = urlsplit(base_url.strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    except ValueError:
        return ""
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}" if parts.hostname else ""


def _entry(stored: str) -> tuple[str | None, str]:
    """(origin, key) of a keychain entry; origin None for one kept by an older wxbot."""
    if stored.startswith(_FOR) and "\n" in stored:
        origin, key = stored[len(_FOR):].split("\n", 1)
        return origin, key
    return None, stored


def api_key_user(data_dir: Path) -> str:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()
    return f"openai-api-key-{digest[:16]}"


def load_api_key(data_dir: Path, base_url: str) -> str:
    """The key to send to ``base_url``: the environment's (taken out of it at start-up, set for this service),
    else the keychain's when it was kept for that server, else "" (servers started without a key take any). A
    key an older wxbot kept unbound is bound to the address it is first loaded for (the one it was used with)."""
    if key := secret(API_KEY_ENV):
        return key
    origin, key = saved_api_key(data_dir)
    if origin is None and key and key_origin(base_url):
        try:
            save_api_key(data_dir, key, base_url)
        except StoreError:  # the keychain went away meanwhile: it is still this address's key this time
            pass
        return key
    return key if origin and origin == key_origin(base_url) else ""


def saved_api_key(data_dir: Path) -> tuple[str | None, str]:
    """(the server it is kept for, the key) from the keychain; ("", "") when there is none."""
    backend = usable_keyring()
    if backend is None:
        return "", ""
    try:
        stored = backend.get_password(SERVICE, api_key_user(data_dir)) or ""
    except KeyringError:
        return "", ""
    return _entry(stored) if stored else ("", "")


def save_api_key(data_dir: Path, key: str, base_url: str) -> None:
    """Keep ``key`` in the keychain for the server at ``base_url`` ("" removes it); StoreError in words when there
    is no keychain."""
    backend = usable_keyring()
    if backend is None:
        raise StoreError(f"没有可用的系统钥匙串，无法保存 API 密钥；请改用环境变量 {API_KEY_ENV}",
                         f"no system keychain is available to keep the API key; set {API_KEY_ENV} instead")
    user = api_key_user(data_dir)
    try:
        if key:
            backend.set_password(SERVICE, user, f"{_FOR}{key_origin(base_url)}\n{key}")
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
