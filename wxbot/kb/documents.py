"""Word and PDF files: .docx paragraphs under their heading path and its tables row by row (like a sheet);
.pdf text paragraph by paragraph under its heading path (layout.py), naming each page that has no text (a
scan needs OCR, which wxbot does not do)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import PdfReadError

from wxbot.kb.layout import PdfLayout
from wxbot.kb.pieces import OLE_MAGIC, Budget, Piece, ReadResult, damaged, password_protected, unreadable
from wxbot.kb.tables import table_pieces
from wxbot.kb.textfile import chunk


def _heading_level(paragraph: Paragraph) -> int:
    """1.. for a heading or title paragraph, 0 for body text."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name in ("Title", "标题"):
        return 1
    for prefix in ("Heading ", "标题 "):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            return int(name[len(prefix):])
    return 0


def read_docx(path: Path, budget: Budget, max_chars: int) -> ReadResult:
    with path.open("rb") as fh:
        if fh.read(8) == OLE_MAGIC:
            raise password_protected(path.name)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise damaged(path.name, exc) from None
    result = ReadResult("docx")
    trail: list[tuple[int, str]] = []
    section: list[tuple[int, str]] = []
    tables = 0

    def heading() -> str:
        return " > ".join(t for _, t in trail)

    def flush() -> None:
        for first, last, text in chunk(section, max_chars):
            budget.take(len(text))
            where = f"第{first}段" if first == last else f"第{first}-{last}段"
            result.pieces.append(Piece(text, f"{heading()} {where}".strip(), heading()))
        section.clear()

    for n, block in enumerate(document.iter_inner_content(), 1):
        budget.step()
        if isinstance(block, Table):
            flush()
            tables += 1
            rows = ([cell.text.strip() for cell in row.cells] for row in block.rows)
            where = f"{heading()} 表{tables}".strip()
            result.pieces.extend(table_pieces(rows, where, budget))
            continue
        level = _heading_level(block)
        if level and block.text.strip():
            flush()
            trail[:] = [t for t in trail if t[0] < level] + [(level, block.text.strip())]
        else:
            section.append((n, block.text))
    flush()
    return result


def read_pdf(path: Path, budget: Budget, max_chars: int) -> ReadResult:
    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise password_protected(path.name)
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise damaged(path.name, exc) from None
    result = ReadResult("pdf")
    budget.total = len(pages)
    empty = []
    layout = PdfLayout()
    for number, page in enumerate(pages, 1):
        budget.step()
        try:
            text = page.extract_text() or ""
        except (PdfReadError, ValueError, KeyError, TypeError) as exc:
            raise damaged(path.name, exc) from None
        if not text.strip():
            empty.append(number)
            continue
        for heading, paragraph in layout.page(text):
            for _first, _last, part in chunk([(1, paragraph)], max_chars):
                budget.take(len(part))
                result.pieces.append(Piece(part, f"第{number}页 {heading}".strip(), heading))
    if empty and not result.pieces:
        raise unreadable(path.name, "PDF 里没有可提取的文字（可能是扫描件，需要先做文字识别）",
                         "the PDF has no extractable text (probably a scan; it needs OCR first)")
    if empty:
        pages_text = "、".join(map(str, empty))
        result.notes.append(f"第 {pages_text} 页没有文字，可能是扫描件 (page {', '.join(map(str, empty))} "
                            "has no text, maybe a scan)")
    return result
