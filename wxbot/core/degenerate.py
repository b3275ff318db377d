"""Notice degenerate model output while it streams: one character or a short phrase repeating (small and
distilled models loop), or the same phrases coming round again; and a reply that recites the persona."""

from __future__ import annotations

import re
from dataclasses import dataclass

LOOP_UNIT_MAX = 40  # longest exactly repeating unit looked for, in characters
LOOP_MIN_CHARS = 24  # an exact repeat this long in all is a loop ("哈哈哈哈" is not; 24 "！" in a row is)
LOOP_MIN_REPEATS = 3
RULE_CHARS = frozenset("-=_*~#.| ")  # Markdown rules and ellipses may run longer before they count
SHINGLE = 8  # phrases coming round again: share of the last RECENT characters' 8-grams seen before
RECENT = 240
RECENT_REPEATED = 0.6
ECHO_WINDOW = 20  # this many consecutive persona characters in a reply is a recital, not a coincidence
OPENING_CHARS = 6  # the persona's opening ("你是店主的微…") this long in a reply is a recital, cut short or not
_SPACE = re.compile(r"\s+")
_ENDS = "。！？!?；;…\n"


@dataclass(frozen=True)
class Loop:
    start: int  # where the repetition begins in the text: what comes before it is worth keeping
    unit: str  # the repeating unit ("" when phrases came round again without repeating exactly)


def exact_loop(text: str) -> Loop | None:
    """The exactly repeated run at the end of ``text``, when it is long enough to be a loop."""
    best: Loop | None = None
    for size in range(1, LOOP_UNIT_MAX + 1):
        unit = text[-size:]
        need = LOOP_MIN_CHARS * (4 if set(unit) <= RULE_CHARS else 1)
        repeats = max(LOOP_MIN_REPEATS, -(-need // size))
        if len(text) < size * repeats:
            break
        if not unit.strip() or text[-size * repeats:] != unit * repeats:
            continue
        start = len(text) - size * repeats
        while start > 0 and text[start - 1] == text[start - 1 + size]:  # back to where the run began
            start -= 1
        if best is None or start < best.start:
            best = Loop(start, text[start:start + size])
    return best


class LoopWatch:
    """Fed the stream piece by piece; says when the text has started to go round in circles."""

    def __init__(self) -> None:
        self.text = ""
        self._seen: set[str] = set()
        self._repeated: list[bool] = []  # per position: the 8-gram ending here was seen before

    def feed(self, piece: str) -> Loop | None:
        for ch in piece:
            self.text += ch
            if len(self.text) >= SHINGLE:
                gram = self.text[-SHINGLE:]
                self._repeated.append(gram in self._seen)
                self._seen.add(gram)
        return exact_loop(self.text) or self._circling()

    def _circling(self) -> Loop | None:
        recent = self._repeated[-RECENT:]
        if len(recent) < RECENT or sum(recent) < RECENT_REPEATED * RECENT:
            return None
        return Loop(len(self.text) - RECENT, "")


def trim_loop(text: str, loop: Loop) -> str:
    """``text`` cut where the repetition begins; an exact loop keeps one copy of its unit, to a sentence end."""
    end = loop.start + len(loop.unit)
    for stop in range(end, min(end + len(loop.unit), len(text) + 1)):
        if text[stop - 1] in _ENDS:
            return text[:stop]
    return text[:end]


def mostly_loop(kept: str, looped: str) -> bool:
    """Whether the repetition (``looped``) outweighs what came before it (``kept``): then too little is left."""
    kept = kept.strip()
    return len(kept) < len(looped.strip()) or len(kept) < 2


def recites(reply: str, persona: str) -> bool:
    """Whether ``reply`` repeats a stretch of the persona word for word (whitespace ignored): its opening at any
    length from OPENING_CHARS (a model that starts reciting is often cut off short), anything else from
    ECHO_WINDOW characters."""
    reply, persona = _SPACE.sub("", reply), _SPACE.sub("", persona)
    if len(persona) >= OPENING_CHARS and persona[:OPENING_CHARS] in reply:
        return True
    window = min(ECHO_WINDOW, len(persona))
    if window < 12:
        return False
    shingles = {persona[i:i + window] for i in range(len(persona) - window + 1)}
    return any(reply[i:i + window] in shingles for i in range(len(reply) - window + 1))
