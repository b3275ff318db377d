"""The contacts of this login, under durable ids kept in the store.

At each login the channel's contacts are matched to stored ones (wxbot.core.identity); afterwards the
roster maps UserName <-> durable id both ways and answers the per-contact rules from the store.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable

from loguru import logger

from wxbot.core.contacts import ContactEntry
from wxbot.core.identity import Match, Profile, match_contacts
from wxbot.core.ports import ChannelContact, ContactStore, StoredContact
from wxbot.messages import ContactKind, Message, ReplyMode
from wxbot.settings import Settings


class Roster:
    def __init__(self, store: ContactStore, settings: Settings, on_new_contact: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.on_new_contact = on_new_contact  # someone not in the login's contact list wrote: the UI refreshes
        self.own_nick = ""
        self._to_id: dict[str, str] = {}
        self._unlisted: set[str] = set()  # private senders in no contact list WeChat gave, not looked up yet
        self._to_user: dict[str, str] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ login
    def sync(self, contacts: Iterable[ChannelContact], own_nick: str) -> list[Match]:
        """Match this login's contacts to stored ones; create the new ones. Returns the flagged matches."""
        contacts = list(contacts)
        self.own_nick = own_nick
        known = [self._profile_of_stored(c) for c in self.store.list_contacts()]
        seen = [_profile_of_channel(c) for c in contacts]
        by_user = {c.user_name: c for c in contacts}
        flagged: list[Match] = []
        mapping: dict[str, str] = {}
        for match in match_contacts(seen, known):
            c = by_user[match.user_name]
            special = c.kind is ContactKind.SPECIAL
            stored = self.store.upsert_contact(
                c.kind, c.nick_name, c.remark_name, profile=_profile_fields(c),
                contact_id=match.contact_id or (c.user_name if special else None),
                mode=ReplyMode.OFF if match.flagged else self._new_mode(c.kind))
            cid = stored.id
            if match.flagged:
                self.store.set_mode(cid, ReplyMode.OFF)  # never on by a guess
                self.store.set_flag(cid, match.status)
                flagged.append(match)
            mapping[c.user_name] = cid
        with self._lock:
            self._to_id = mapping
            self._unlisted = set()
            self._to_user = {cid: user for user, cid in mapping.items()}
        logger.info("roster: {} contacts, {} flagged", len(mapping), len(flagged))
        return flagged

    def _new_mode(self, kind: ContactKind) -> ReplyMode:
        return ReplyMode(self.settings.new_contact_mode) if kind is ContactKind.FRIEND else ReplyMode.OFF

    @staticmethod
    def _profile_of_stored(c: StoredContact) -> Profile:
        return Profile(c.id, c.kind, c.nick_name, c.remark_name, c.profile.get("fingerprint", ""),
                       frozenset(c.profile.get("members", [])))

    def confirm(self, contact_id: str, merge_into: str | None = None) -> None:
        """The owner settled a flagged contact: it is who it says, or it is ``merge_into`` (an older id)."""
        if merge_into and merge_into != contact_id:
            self.store.merge_contacts(contact_id, merge_into)
            with self._lock:
                user = self._to_user.pop(contact_id, None)
                if user:
                    self._to_id[user] = merge_into
                    self._to_user[merge_into] = user
            contact_id = merge_into
        self.store.set_flag(contact_id, "")

    # ------------------------------------------------------------------ Directory
    def resolve(self, msg: Message) -> Message:
        with self._lock:
            cid = self._to_id.get(msg.contact_id)
        if cid is None:  # someone not in the contact list (a stranger, a new friend, a new group)
            kind = ContactKind.GROUP if msg.is_group else msg.contact_kind
            special = kind is ContactKind.SPECIAL
            name = msg.display_name or f"陌生人 stranger {msg.contact_id.lstrip('@')[:6]}"
            stored = self.store.upsert_contact(kind, name, "",
                                               mode=self._new_mode(kind),
                                               contact_id=msg.contact_id if special else None)
            cid = stored.id
            with self._lock:
                self._to_id[msg.contact_id] = cid
                self._to_user[cid] = msg.contact_id
                if kind is ContactKind.FRIEND:
                    self._unlisted.add(msg.contact_id)
            if self.on_new_contact is not None:
                self.on_new_contact(cid)
        return dataclasses.replace(msg, contact_id=cid)

    def listed(self, user_name: str) -> bool:
        with self._lock:
            return user_name not in self._unlisted

    def known(self, user_name: str) -> None:
        with self._lock:
            self._unlisted.discard(user_name)

    def user_name(self, contact_id: str) -> str:
        with self._lock:
            return self._to_user.get(contact_id, contact_id)

    def find(self, name: str) -> list[ContactEntry]:
        """Contacts whose remark or nick name is exactly ``name``: looked up by the names' keyed hashes, so
        nothing is decrypted but the matches."""
        found = {c.id: c for kind in ContactKind for field in ("remark_name", "nick_name")
                 for c in self.store.find_contacts(kind, **{field: name})}
        return [ContactEntry(c.id, c.kind, c.display_name) for c in found.values()]

    def name_of(self, contact_id: str) -> str:
        contact = self.store.get_contact(contact_id)
        return contact.display_name if contact else contact_id

    def own_names(self, user_name: str) -> tuple[str, ...]:
        return (self.own_nick,) if self.own_nick else ()

    # ------------------------------------------------------------------ ContactRules
    def mode(self, contact_id: str, kind: ContactKind) -> ReplyMode:
        return self.store.mode(contact_id, kind)

    def set_mode(self, contact_id: str, mode: ReplyMode) -> None:
        self.store.set_mode(contact_id, mode)

    def paused_until(self, contact_id: str) -> float:
        return self.store.paused_until(contact_id)

    def set_paused_until(self, contact_id: str, until: float | None) -> None:
        self.store.set_paused_until(contact_id, until)

    def waiting_since(self, contact_id: str) -> float:
        return self.store.waiting_since(contact_id)

    def set_waiting(self, contact_id: str, since: float | None, reason: str = "") -> None:
        self.store.set_waiting(contact_id, since, reason)

    def waiting_contacts(self) -> list[str]:
        return self.store.waiting_contacts()

    def persona(self, contact_id: str) -> str | None:
        return self.store.persona(contact_id)


def _profile_fields(c: ChannelContact) -> dict:
    return {"fingerprint": getattr(c, "fingerprint", ""), "members": sorted(c.member_names)}


def _profile_of_channel(c: ChannelContact) -> Profile:
    return Profile(c.user_name, c.kind, c.nick_name, c.remark_name, getattr(c, "fingerprint", ""),
                   frozenset(c.member_names))
