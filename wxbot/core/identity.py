"""Durable contact identity: itchat's UserName is new at every login, so each login's contacts are
matched to the ids we keep, from what persists — kind, remark name, nickname, profile fields, group members.

Rules, strongest first (a rule applies only when it picks exactly one candidate on both sides):
1. friends: the same non-empty RemarkName (the owner set it; it survives nickname changes);
2. friends: the same NickName and the same profile fingerprint (sex, province, city, signature),
   and no conflicting remark;
3. groups: the same group name, or (name changed) a member set that overlaps >= 80 %.
Anything else fails safe: a contact matched only loosely (group by members) keeps its history but is
flagged "renamed" with auto-reply off until the owner confirms; two people that can't be told apart are
"ambiguous" (new ids, auto-reply off, flagged; on a first login nothing is known, so nothing is ambiguous); an unmatched contact while some known one went missing is
"maybe_renamed" (flagged, off). Auto-reply is never switched on by a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from wxbot.messages import ContactKind

MEMBER_OVERLAP = 0.8


@dataclass(frozen=True)
class Profile:
    """What one login tells us about a contact (``key`` is that login's UserName or our durable id)."""

    key: str
    kind: ContactKind
    nick_name: str
    remark_name: str = ""
    fingerprint: str = ""  # sex/province/city/signature, joined
    members: frozenset[str] = frozenset()  # group member nicknames


@dataclass(frozen=True)
class Match:
    user_name: str
    contact_id: str | None  # None: a new contact must be created
    status: str  # "matched" | "renamed" | "ambiguous" | "maybe_renamed" | "new"

    @property
    def flagged(self) -> bool:
        """The owner should confirm: auto-reply stays off until then."""
        return self.status in ("renamed", "ambiguous", "maybe_renamed")


def _unique_pairs(seen: Iterable[Profile], known: Iterable[Profile],
                  key: Callable[[Profile], Hashable | None]) -> dict[str, str]:
    """seen.key -> known.key where ``key`` is set and names exactly one profile on each side."""
    seen_by: dict[Hashable, list[Profile]] = {}
    known_by: dict[Hashable, list[Profile]] = {}
    for p in seen:
        if (k := key(p)) is not None:
            seen_by.setdefault(k, []).append(p)
    for p in known:
        if (k := key(p)) is not None:
            known_by.setdefault(k, []).append(p)
    return {s[0].key: known_by[k][0].key for k, s in seen_by.items()
            if len(s) == 1 and len(known_by.get(k, [])) == 1}


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def match_contacts(seen: list[Profile], known: list[Profile]) -> list[Match]:
    matched: dict[str, tuple[str, str]] = {}  # user_name -> (contact_id, status)
    rules: list[tuple[ContactKind, Callable[[Profile], Hashable | None]]] = [
        (ContactKind.FRIEND, lambda p: p.remark_name or None),
        (ContactKind.FRIEND, lambda p: (p.nick_name, p.fingerprint) if p.nick_name else None),
        (ContactKind.GROUP, lambda p: p.nick_name or None),
        (ContactKind.PUBLIC, lambda p: p.nick_name or None),
        (ContactKind.SPECIAL, lambda p: p.key if p.key.isascii() and not p.key.startswith("@") else None),
    ]
    for kind, key in rules:
        free_seen = [p for p in seen if p.kind is kind and p.key not in matched]
        used = {cid for cid, _ in matched.values()}
        free_known = [p for p in known if p.kind is kind and p.key not in used]
        for user_name, contact_id in _unique_pairs(free_seen, free_known, key).items():
            seen_p = next(p for p in free_seen if p.key == user_name)
            known_p = next(p for p in free_known if p.key == contact_id)
            if seen_p.remark_name and known_p.remark_name and seen_p.remark_name != known_p.remark_name:
                continue  # same nickname, different remarks: two different people
            matched[user_name] = (contact_id, "matched")
    _match_groups_by_members(seen, known, matched)

    used = {cid for cid, _ in matched.values()}
    missing = Counter(p.kind for p in known if p.key not in used)
    ambiguous_nicks = Counter((p.kind, p.nick_name) for p in seen if p.key not in matched)
    known_nicks = Counter((p.kind, p.nick_name) for p in known)
    out: list[Match] = []
    for p in seen:
        if p.key in matched:
            out.append(Match(p.key, *matched[p.key]))
        elif known_nicks[(p.kind, p.nick_name)] and (ambiguous_nicks[(p.kind, p.nick_name)] > 1
                                                      or known_nicks[(p.kind, p.nick_name)] > 1):
            out.append(Match(p.key, None, "ambiguous"))  # someone we know by this name, but which one?
        elif missing[p.kind] and p.kind in (ContactKind.FRIEND, ContactKind.GROUP):
            out.append(Match(p.key, None, "maybe_renamed"))
        else:
            out.append(Match(p.key, None, "new"))
    return out


def _match_groups_by_members(seen: list[Profile], known: list[Profile],
                             matched: dict[str, tuple[str, str]]) -> None:
    used = {cid for cid, _ in matched.values()}
    free_known = [p for p in known if p.kind is ContactKind.GROUP and p.key not in used]
    for p in seen:
        if p.kind is not ContactKind.GROUP or p.key in matched:
            continue
        scores = sorted(((_overlap(p.members, k.members), k.key) for k in free_known), reverse=True)
        if scores and scores[0][0] >= MEMBER_OVERLAP and (len(scores) == 1 or scores[1][0] < MEMBER_OVERLAP):
            matched[p.key] = (scores[0][1], "renamed")
            free_known = [k for k in free_known if k.key != scores[0][1]]
