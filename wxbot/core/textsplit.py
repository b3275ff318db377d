"""Split a long reply into WeChat-sized messages at sentence boundaries, never inside a character or emoji,
nor inside a number, size, price, code or URL when any other cut fits."""

from __future__ import annotations

import re
import unicodedata

# A sentence ends after Chinese punctuation, or Western punctuation before a space (a "?" or "." inside a URL,
# a price or a version is no end); closing quotes and brackets may follow.
_SENTENCE_END = re.compile(r"[。！？；…\n]+[”’」』)）\]]*|[.!?;]+[\"')\]]*(?=\s|$)")
_TOKEN_CHAR = re.compile(r"[!-~]")  # printable ASCII: what numbers, sizes, codes and URLs are made of

_ZWJ = "\u200d"


def _joins_previous(ch: str) -> bool:
    """True for code points that belong to the grapheme before them (combining marks, ZWJ, VS, skin tones)."""
    cp = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or ch == _ZWJ
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences
        or unicodedata.category(ch) in ("Mn", "Me")
    )


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def safe_cut(text: str, limit: int) -> int:
    """The largest cut position <= limit that doesn't break a grapheme cluster (past it for one huge cluster)."""
    if len(text) <= limit:
        return len(text)
    cut = limit
    while cut > 0 and (_joins_previous(text[cut]) or text[cut - 1] == _ZWJ):
        cut -= 1
    if cut > 0 and _is_regional(text[cut]) and _is_regional(text[cut - 1]):
        # count the run of regional indicators before the cut: flags are pairs
        start = cut
        while start > 0 and _is_regional(text[start - 1]):
            start -= 1
        if (cut - start) % 2:
            cut -= 1
    if cut > 0:
        return cut
    cut = limit  # one cluster longer than the limit: keep it whole rather than break it
    while cut < len(text) and (_joins_previous(text[cut]) or text[cut - 1] == _ZWJ):
        cut += 1
    return cut


def _binds(left: str, right: str) -> bool:
    """Two neighbours a cut must not separate: inside an ASCII token, or either side of a `*` (两件*2)."""
    return "*" in (left, right) or bool(_TOKEN_CHAR.match(left) and _TOKEN_CHAR.match(right))


def _token_safe_cut(text: str, limit: int) -> int:
    """A grapheme-safe cut moved back to the start of a token it would split (10*20cm, 两件*2, a URL, a code)."""
    cut = safe_cut(text, limit)
    start = cut
    while 0 < start < len(text) and _binds(text[start - 1], text[start]):
        start -= 1
    return start if start >= max(limit // 3, 1) else cut  # never 0: every cut makes progress


def split_reply(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut after the last sentence end that fits, else at a safe point.
    Always ends: every round cuts at least one character (a limit below 1 counts as 1)."""
    limit = max(limit, 1)
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit]
        cut = ends[-1] if ends and ends[-1] >= limit // 3 else 0
        if not cut:
            space = window.rfind(" ", limit // 3, limit)
            cut = space + 1 if space > 0 else _token_safe_cut(text, limit)
        part = text[:cut].strip()
        if part:
            parts.append(part)
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts
