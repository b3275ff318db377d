"""Paragraphs and headings of a PDF page's extracted text, which has neither: pypdf gives lines as they were
wrapped. A paragraph starts at an indented line or after a line that ends a sentence short of the page's
width; a short line with no sentence punctuation after a finished paragraph is a heading (一、… or 1. … a
top-level one). Page headers and footers (「第3页」) are left out. Headings are carried across pages, so each
paragraph keeps its heading path as context."""

from __future__ import annotations

import re

_FOOTER = re.compile(r"第\s*\d+\s*页|^\s*-?\s*\d+\s*-?\s*$|^\s*page\s+\d+", re.IGNORECASE)
_SENTENCE_END = ("。", "！", "？", "!", "?", "；", ";", "…", "”", "」", ".")
_NO_HEADING_END = (*_SENTENCE_END, "，", ",", "、", "：", ":")
_TOP = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+[章节部分篇]|\d+[、.．](?!\d))")
MAX_HEADING = 24  # characters
SHORT = 0.85  # a line shorter than this share of the page's longest line may end a paragraph


class PdfLayout:
    """Reads pages in order; the heading path runs on from one page to the next."""

    def __init__(self) -> None:
        self.trail: list[tuple[int, str]] = []

    def heading(self) -> str:
        return " > ".join(t for _, t in self.trail)

    def page(self, text: str) -> list[tuple[str, str]]:
        """(heading path, paragraph) of one page, in order."""
        lines = [line.rstrip() for line in text.splitlines() if line.strip() and not _FOOTER.search(line)]
        width = max((len(line.strip()) for line in lines), default=0)
        out: list[tuple[str, str]] = []
        para: list[str] = []
        finished = True  # the line before ended a paragraph (or there was none)

        def flush() -> None:
            if para:
                out.append((self.heading(), _join(para)))
                para.clear()

        for n, line in enumerate(lines):
            body = line.strip()
            last = n == len(lines) - 1  # a short line ending a page heads nothing: it is text (an address line)
            if finished and not last and len(body) <= MAX_HEADING and not body.endswith(_NO_HEADING_END):
                flush()
                level = 1 if _TOP.match(body) else 2
                self.trail[:] = [t for t in self.trail if t[0] < level] + [(level, body)]
                continue
            if line[:1].isspace() or finished:
                flush()
            para.append(body)
            finished = body.endswith(_SENTENCE_END) and len(body) < width * SHORT
        flush()
        return out


def _join(lines: list[str]) -> str:
    """Wrapped lines as one paragraph: Chinese joins without a space, two Latin words with one."""
    text = lines[0]
    for line in lines[1:]:
        text += " " + line if text[-1:].isascii() and text[-1:].isalnum() and line[:1].isascii() else line
    return text
