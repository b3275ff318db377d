"""The hot-reload session on disk: JSON we write ourselves (never itchat's pickle), mode 0600, and
encrypted when the store hands us its cipher. A file that doesn't read back is discarded, never run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from loguru import logger

from wxbot.files import private_dir, replace_private

FORMAT = "wxbot-wechat-session/1"
_AAD = FORMAT.encode()


class Cipher(Protocol):
    def encrypt_blob(self, data: bytes, aad: bytes) -> bytes: ...

    def decrypt_blob(self, blob: bytes, aad: bytes) -> bytes: ...


class SessionFile:
    def __init__(self, path: Path | str, cipher: Cipher | None = None) -> None:
        self.path = Path(path)
        self._cipher = cipher

    def load(self) -> dict[str, Any] | None:
        """The saved session, or None (no file, or one that doesn't decrypt/parse: then it is deleted)."""
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("WeChat session file unreadable ({}); ignoring it", type(exc).__name__)
            return None
        try:
            raw = self._cipher.decrypt_blob(blob, _AAD) if self._cipher else blob
            data = json.loads(raw.decode("utf-8"))
            _check(data)
        except Exception as exc:  # noqa: BLE001 - any cipher's failure means the same: unusable file
            logger.warning("discarding unusable WeChat session file ({})", type(exc).__name__)
            self.clear()
            return None
        return data["session"]

    def save(self, session: dict[str, Any]) -> None:
        raw = json.dumps({"format": FORMAT, "session": session}, ensure_ascii=False).encode("utf-8")
        blob = self._cipher.encrypt_blob(raw, _AAD) if self._cipher else raw
        replace_private(private_dir(self.path.parent) / self.path.name, blob)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _check(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a wxbot session file")
    session = data.get("session")
    if not isinstance(session, dict):
        raise ValueError("no session")
    info, cookies, user = session.get("login_info"), session.get("cookies"), session.get("user")
    if not isinstance(info, dict) or not isinstance(cookies, list) or not isinstance(user, dict):
        raise ValueError("session lacks login_info, cookies or user")
    for key in ("url", "wxsid", "wxuin", "deviceid", "SyncKey", "synckey", "BaseRequest"):
        if key not in info:
            raise ValueError(f"login_info lacks {key}")
    if not all(isinstance(c, dict) and {"name", "value", "domain", "path"} <= set(c) for c in cookies):
        raise ValueError("bad cookie entry")
    if not isinstance(session.get("base_url"), str):
        raise ValueError("no base_url")
