"""Contacts under our own durable ids, with their per-contact reply modes (off | draft | auto).

itchat's ``UserName`` changes at every login, so the identity matcher maps it to a ``c_<random>`` id
here. Names are encrypted; a keyed hash of each (``*_mac``) lets ``find_contacts`` match exactly
without decrypting every row.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from wxbot.errors import StoreError
from wxbot.messages import ContactKind, ReplyMode
from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB

_COLUMNS = ("id, kind, nick_enc, remark_enc, profile_enc, mode, persona_enc, paused_until, flag, "
            "created_at, updated_at FROM contacts")


@dataclass(frozen=True)
class Contact:
    id: str
    kind: ContactKind
    nick_name: str
    remark_name: str
    profile: dict  # what else identifies the contact across logins (fingerprint, group members)
    mode: ReplyMode
    persona: str | None  # None = the global persona
    paused_until: float | None  # human takeover: no auto-reply before this time
    flag: str  # "" or why the owner should confirm this contact ("renamed", "ambiguous"…)
    created_at: float
    updated_at: float

    @property
    def display_name(self) -> str:
        return self.remark_name or self.nick_name


def new_contact_id() -> str:
    return "c_" + secrets.token_hex(8)


class ContactsMixin:
    _sdb: StoreDB
    cipher: FieldCipher

    def _names(self, contact_id: str, kind: str, nick_name: str, remark_name: str) -> dict:
        enc, mac = self.cipher.encrypt, self.cipher.name_mac
        return {
            "nick_enc": enc("contacts", contact_id, "nick", nick_name),
            "nick_mac": mac(kind, "nick", nick_name),
            "remark_enc": enc("contacts", contact_id, "remark", remark_name) if remark_name else None,
            "remark_mac": mac(kind, "remark", remark_name) if remark_name else None,
        }

    def upsert_contact(self, kind: ContactKind | str, nick_name: str, remark_name: str = "", *,
                       contact_id: str | None = None, mode: ReplyMode = ReplyMode.OFF, profile: dict | None = None,
                       flag: str = "") -> Contact:
        """Create a contact (``contact_id`` None: a new durable id; ``mode`` and ``flag`` are its
        first settings) or update the names (and ``profile``, when given) of an existing one."""
        kind = ContactKind(kind).value
        cid, now = contact_id or new_contact_id(), time.time()
        names = self._names(cid, kind, nick_name, remark_name)
        if profile is not None:
            names["profile_enc"] = self.cipher.encrypt("contacts", cid, "profile", json.dumps(profile, ensure_ascii=False))
        with self._sdb.tx() as db:
            if db.execute("SELECT 1 FROM contacts WHERE id = ?", (cid,)).fetchone():
                db.table("contacts").update(cid, {"kind": kind, "updated_at": now, **names})
            else:
                db.table("contacts").insert({"id": cid, "kind": kind, "mode": ReplyMode(mode).value, "flag": flag,
                                       "created_at": now, "updated_at": now, **names})
            return self._contact(db.execute(f"SELECT {_COLUMNS} WHERE id = ?", (cid,)).fetchone())

    def _contact(self, row: tuple) -> Contact:
        cid, kind, nick, remark, profile, mode, persona, paused_until, flag, created_at, updated_at = row

        def dec(column: str, blob: bytes | None) -> str | None:
            return None if blob is None else self.cipher.decrypt("contacts", cid, column, blob)

        return Contact(cid, ContactKind(kind), dec("nick", nick) or "", dec("remark", remark) or "",
                       json.loads(dec("profile", profile) or "{}"), ReplyMode(mode), dec("persona", persona),
                       paused_until, flag, created_at, updated_at)

    def get_contact(self, contact_id: str) -> Contact | None:
        rows = self._sdb.rows(f"SELECT {_COLUMNS} WHERE id = ?", (contact_id,))
        return self._contact(rows[0]) if rows else None

    def list_contacts(self, kind: ContactKind | str | None = None) -> list[Contact]:
        if kind is None:
            rows = self._sdb.rows(f"SELECT {_COLUMNS} ORDER BY created_at, id")
        else:
            rows = self._sdb.rows(f"SELECT {_COLUMNS} WHERE kind = ? ORDER BY created_at, id",
                                  (ContactKind(kind).value,))
        return [self._contact(r) for r in rows]

    def find_contacts(self, kind: ContactKind | str, remark_name: str | None = None,
                      nick_name: str | None = None) -> list[Contact]:
        """Contacts of ``kind`` whose remark and/or nick name equal the given ones exactly."""
        kind = ContactKind(kind).value
        where: list[str] = ["kind = ?"]
        params: list[str | bytes] = [kind]
        for column, name in (("remark", remark_name), ("nick", nick_name)):
            if name is not None:
                where.append(f"{column}_mac = ?")
                params.append(self.cipher.name_mac(kind, column, name))
        return [self._contact(r) for r in self._sdb.rows(
            f"SELECT {_COLUMNS} WHERE {' AND '.join(where)} ORDER BY created_at, id", params)]

    def _set(self, contact_id: str, values: dict) -> None:
        with self._sdb.tx() as db:
            cur = db.execute(f"UPDATE contacts SET {', '.join(f'{k} = ?' for k in values)}, updated_at = ? "
                             "WHERE id = ?", (*values.values(), time.time(), contact_id))
            if cur.rowcount != 1:
                raise StoreError(f"找不到联系人 {contact_id}", f"no contact {contact_id}")

    def set_mode(self, contact_id: str, mode: ReplyMode) -> None:
        self._set(contact_id, {"mode": ReplyMode(mode).value})

    def set_persona(self, contact_id: str, text: str | None) -> None:
        """A persona for this contact only; None goes back to the global one."""
        self._set(contact_id, {"persona_enc": None if text is None
                               else self.cipher.encrypt("contacts", contact_id, "persona", text)})

    def set_paused_until(self, contact_id: str, ts: float | None) -> None:
        self._set(contact_id, {"paused_until": ts})

    def set_flag(self, contact_id: str, flag: str) -> None:
        self._set(contact_id, {"flag": flag})

    # ------------------------------------------------------------------ the bot's ContactRules protocol
    def mode(self, contact_id: str, kind: ContactKind | None = None) -> ReplyMode:
        """What the bot does for this contact (an unknown contact gets nothing)."""
        rows = self._sdb.rows("SELECT mode FROM contacts WHERE id = ?", (contact_id,))
        return ReplyMode(rows[0][0]) if rows else ReplyMode.OFF

    def paused_until(self, contact_id: str) -> float:
        """End of the human-takeover pause, epoch seconds; 0.0 when not paused."""
        rows = self._sdb.rows("SELECT paused_until FROM contacts WHERE id = ?", (contact_id,))
        return float(rows[0][0] or 0.0) if rows else 0.0

    def waiting_since(self, contact_id: str) -> float:
        """When the contact was handed to the owner (handoff), epoch seconds; 0.0 when not waiting."""
        rows = self._sdb.rows("SELECT waiting_since FROM contacts WHERE id = ?", (contact_id,))
        return float(rows[0][0] or 0.0) if rows else 0.0

    def set_waiting(self, contact_id: str, since: float | None, reason: str = "") -> None:
        self._set(contact_id, {"waiting_since": since, "waiting_reason": reason if since else ""})

    def waiting_contacts(self) -> list[str]:
        """The contacts waiting for the owner, longest waiting first."""
        return [r[0] for r in self._sdb.rows("SELECT id FROM contacts WHERE waiting_since IS NOT NULL "
                                             "ORDER BY waiting_since, id")]

    def waiting_reason(self, contact_id: str) -> str:
        rows = self._sdb.rows("SELECT waiting_reason FROM contacts WHERE id = ?", (contact_id,))
        return rows[0][0] if rows else ""

    def persona(self, contact_id: str) -> str | None:
        rows = self._sdb.rows("SELECT persona_enc FROM contacts WHERE id = ?", (contact_id,))
        if not rows or rows[0][0] is None:
            return None
        return self.cipher.decrypt("contacts", contact_id, "persona", rows[0][0])
