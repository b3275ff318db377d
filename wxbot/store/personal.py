"""The owner's personal settings (persona, FAQ rules, away message…): JSON values, encrypted, keyed by
name. ``settings.json`` holds everything else in plain text; these never go there."""

from __future__ import annotations

import json
import time
from typing import Any

from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB


class PersonalMixin:
    _sdb: StoreDB
    cipher: FieldCipher

    def get_personal(self, name: str, default: Any = None) -> Any:
        rows = self._sdb.rows("SELECT value_enc FROM settings WHERE name = ?", (name,))
        if not rows:
            return default
        return json.loads(self.cipher.decrypt("settings", name, "value", rows[0][0]))

    def set_personal(self, name: str, value: Any) -> None:
        """Store a JSON-serializable value (raises TypeError for anything else)."""
        blob = self.cipher.encrypt("settings", name, "value", json.dumps(value, ensure_ascii=False))
        with self._sdb.tx() as db:
            db.execute("INSERT INTO settings (name, value_enc, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) "
                       "DO UPDATE SET value_enc = excluded.value_enc, updated_at = excluded.updated_at",
                       (name, blob, time.time()))

