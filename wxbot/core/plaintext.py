"""Turn model Markdown into plain text that reads well in WeChat, which shows `**` and `#` literally.

A real CommonMark parser (markdown-it-py) reads the structure; numbers, sizes, prices, codes and URLs come
out exactly as the model wrote them: a `*` touching a digit (10*20cm, 3*5=15) is arithmetic, never emphasis.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Bare URLs are kept whole (their `_` and `*` are not Markdown); trailing sentence punctuation is not part of one.
_URL = re.compile(r"(?<![<(])(?:https?://|www\.)[^\s<>\"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+"
                  r"(?<![.,;:!?)\]])")
_STARS = re.compile(r"\*+")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_PUA, _PUA_END = 0xE000, 0xF8FF  # private-use code points stand in for protected text while the parser runs


class _AsWritten(MarkdownIt):
    """Links are shown as written, not percent-encoded, and none is refused."""

    def normalizeLink(self, url: str) -> str:  # noqa: N802 (markdown-it's name)
        return url

    def normalizeLinkText(self, link: str) -> str:  # noqa: N802
        return link

    def validateLink(self, url: str) -> bool:  # noqa: N802
        return True


_MD = _AsWritten("commonmark").enable(["table", "strikethrough"])


def _arithmetic(text: str, m: re.Match[str]) -> bool:
    """A `*` run that is not emphasis: one `*` touching a digit, or any run between two digits."""
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end()] if m.end() < len(text) else ""
    digits = before.isdigit() + after.isdigit()
    return digits == 2 or (digits == 1 and len(m[0]) == 1)


class _Shield:
    """Swaps protected spans for private-use characters before parsing and back afterwards."""

    def __init__(self, text: str) -> None:
        self.saved: list[str] = []
        taken = [ord(ch) for ch in text if _PUA <= ord(ch) <= _PUA_END]
        self.base = max(taken) + 1 if taken else _PUA  # never one the text itself holds
        text = _URL.sub(lambda m: self._keep(m[0]), text)
        self.text = _STARS.sub(lambda m: self._keep(m[0]) if _arithmetic(text, m) else m[0], text)

    def _keep(self, span: str) -> str:
        self.saved.append(span)
        return chr(self.base + len(self.saved) - 1)

    def restore(self, text: str) -> str:
        if not self.saved:
            return text
        last = self.base + len(self.saved)
        return "".join(self.saved[ord(c) - self.base] if self.base <= ord(c) < last else c for c in text)


def _inline(children: Sequence[Token], shield: _Shield) -> str:
    out: list[str] = []
    link: list[tuple[str, int]] = []  # (href, where its text starts in out)
    for t in children:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t.type == "html_inline":
            out.append("\n" if _BR.fullmatch(t.content.strip()) else "")
        elif t.type == "image":
            out.append(f"{t.content} {t.attrGet('src') or ''}".strip())
        elif t.type == "link_open":
            link.append((str(t.attrGet("href") or ""), len(out)))
        elif t.type == "link_close" and link:
            href, start = link.pop()
            label = "".join(out[start:])
            if href and shield.restore(href) != shield.restore(label):
                out.append(f" ({href})" if label else href)
    return "".join(out)


def _blocks(tokens: Sequence[Token], shield: _Shield) -> list[tuple[int, int, str]]:
    """(first line, end line, text) of each leaf block in source order, list markers included."""
    blocks: list[tuple[int, int, str]] = []
    lists: list[str] = []  # open lists: "" for bullets, else the ordered delimiter
    marker = ""  # the marker the next leaf block of a list item starts with
    row: list[str] | None = None
    for t in tokens:
        where = t.map or ((blocks[-1][1],) * 2 if blocks else (0, 0))
        if t.type == "bullet_list_open":
            lists.append("")
        elif t.type == "ordered_list_open":
            lists.append(t.markup)
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t.type == "list_item_open":
            indent = "  " * (len(lists) - 1)
            marker = indent + (f"{t.info}{t.markup} " if lists[-1] else "• ")
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close" and row is not None:
            blocks.append((where[0], where[1], "，".join(c for c in row if c)))
            row = None
        elif t.type == "inline":
            text = _inline(t.children or [], shield).strip()
            if row is not None:
                row.append(text)
                continue
            blocks.append((where[0], where[1], marker + text))
            marker = ""
        elif t.type in ("fence", "code_block"):
            blocks.append((where[0], where[1], marker + t.content.rstrip("\n")))
            marker = ""
        elif t.type == "html_block":
            text = _TAG.sub("", _BR.sub("\n", t.content)).strip()
            if text:
                blocks.append((where[0], where[1], marker + text))
                marker = ""
    return blocks


def markdown_to_plain(text: str) -> str:
    shield = _Shield(text)
    blocks = _blocks(_MD.parse(shield.text), shield)
    out: list[str] = []
    end = None
    for start, stop, block in blocks:
        if out:
            out.append("\n\n" if end is not None and start > end else "\n")
        out.append(block)
        end = stop
    return "\n".join(line.rstrip() for line in shield.restore("".join(out)).strip().splitlines())
