"""Turn model Markdown into plain text that reads well in WeChat, which shows `**` and `#` literally."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^(\s*)(\d+)[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)")
_ITALIC_UNDER = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`([^`\n]+)`")


def _inline(line: str) -> str:
    line = _IMAGE.sub(lambda m: f"{m[1]} {m[2]}".strip(), line)
    line = _LINK.sub(lambda m: m[1] if m[1] == m[2] else f"{m[1]} ({m[2]})", line)
    line = _CODE.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    line = _STRIKE.sub(r"\1", line)
    line = _ITALIC_STAR.sub(r"\1", line)
    return _ITALIC_UNDER.sub(r"\1", line)


def _table_row(line: str) -> str:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    return "，".join(_inline(c) for c in cells if c)


def markdown_to_plain(text: str) -> str:
    out: list[str] = []
    in_code = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        if _RULE.match(line) or _TABLE_SEP.match(line):
            continue
        line = _QUOTE.sub("", line)
        if m := _HEADING.match(line):
            out.append(_inline(m[1]))
        elif line.strip().startswith("|") and line.strip().endswith("|"):
            out.append(_table_row(line))
        elif m := _BULLET.match(line):
            out.append(f"{m[1]}• {_inline(m[2])}")
        elif m := _ORDERED.match(line):
            out.append(f"{m[1]}{m[2]}. {_inline(m[3])}")
        else:
            out.append(_inline(line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
