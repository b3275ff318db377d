"""Plain text in whatever encoding a Chinese Windows PC wrote it (UTF-8 with or without BOM, UTF-16, GBK/GB18030),
.txt and .md files cut into passages of whole paragraphs, and the cutter the other prose readers share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from wxbot.kb.pieces import Budget, Piece, ReadResult, unreadable

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_LEADS = ("？", "?", "：", ":")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def decode_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None or b"\x00" in data[:4096]:
        raise unreadable(path.name, "不是文本文件，或编码无法识别", "not a text file, or its encoding is unknown")
    return str(best)


def _split_long(text: str, max_chars: int) -> Iterator[str]:
    """A paragraph longer than ``max_chars`` split at sentence ends (hard cuts only inside one huge sentence)."""
    part = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > max_chars:
            if part:
                yield part
                part = ""
            yield sentence[:max_chars]
            sentence = sentence[max_chars:]
        if len(part) + len(sentence) > max_chars:
            yield part
            part = ""
        part += sentence
    if part.strip():
        yield part


def chunk(paragraphs: Iterable[tuple[int, str]], max_chars: int) -> Iterator[tuple[int, int, str]]:
    """One passage per paragraph (numbered), a long one cut at sentence ends; a question or a lead-in line
    ("Q: 多久发货？", "运费如下：") stays with the paragraph that answers it: (first, last, text)."""
    first = last = 0
    held = ""
    for n, para in paragraphs:
        para = para.strip()
        if not para:
            continue
        if held and held.endswith(_LEADS) and len(held) + len(para) + 1 <= max_chars:
            held, last = f"{held}\n{para}", n
            continue
        if held:
            yield first, last, held
            held = ""
        if len(para) > max_chars:
            for piece in _split_long(para, max_chars):
                yield n, n, piece.strip()
            continue
        first = last = n
        held = para
    if held:
        yield first, last, held


def _paragraphs(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Blank-line separated paragraphs, numbered by their first line."""
    start, block = 0, list[str]()
    for n, line in lines:
        if line.strip():
            if not block:
                start = n
            block.append(line.strip())
        elif block:
            yield start, "\n".join(block)
            block = []
    if block:
        yield start, "\n".join(block)


def _line_locator(first: int, last: int) -> str:
    return f"第{first}行" if first == last else f"第{first}-{last}行"


def read_txt(path: Path, budget: Budget, max_chars: int) -> ReadResult:
    lines = list(enumerate(decode_text(path).splitlines(), 1))
    result = ReadResult("txt")
    for first, last, text in chunk(_paragraphs(lines), max_chars):
        budget.take()
        result.pieces.append(Piece(text, _line_locator(first, last)))
    return result


def read_md(path: Path, budget: Budget, max_chars: int) -> ReadResult:
    """Sections under their heading path ("退换货 > 运费"); each section cut into paragraphs."""
    result = ReadResult("md")
    trail: list[tuple[int, str]] = []
    section: list[tuple[int, str]] = []

    def flush() -> None:
        heading = " > ".join(t for _, t in trail)
        for first, last, text in chunk(_paragraphs(section), max_chars):
            budget.take()
            result.pieces.append(Piece(text, heading or _line_locator(first, last), heading))
        section.clear()

    for n, line in enumerate(decode_text(path).splitlines(), 1):
        m = _HEADING.match(line)
        if m:
            flush()
            level = len(m.group(1))
            trail[:] = [t for t in trail if t[0] < level] + [(level, m.group(2))]
        else:
            section.append((n, line))
    flush()
    return result
