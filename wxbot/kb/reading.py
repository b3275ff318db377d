"""Which reader opens which file, and the checks before any reading: the type is supported, the file is
not bigger than the owner allows, and an Office file (a zip) does not unpack to more than that (a zip bomb).
A reader's unexpected failure becomes a clear error, never a traceback."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

from loguru import logger

from wxbot.controls import drop_controls
from wxbot.errors import KnowledgeError
from wxbot.kb.documents import read_docx, read_pdf
from wxbot.kb.pieces import SUFFIXES, Budget, Limits, Piece, Progress, ReadResult, damaged, unreadable
from wxbot.kb.tables import read_csv, read_xls, read_xlsx
from wxbot.kb.textfile import read_md, read_txt
from wxbot.settings import Settings

TABLES = {".xlsx": read_xlsx, ".xlsm": read_xlsx, ".xls": read_xls, ".csv": read_csv}
PROSE = {".docx": read_docx, ".pdf": read_pdf, ".md": read_md, ".markdown": read_md, ".txt": read_txt}
ZIPPED = (".xlsx", ".xlsm", ".docx")
MAX_ZIP_RATIO = 100  # an Office part this much bigger unpacked than packed is a bomb (real sheets: under 20)
RATIO_FROM_BYTES = 1 << 20  # small parts may compress better than that; they can't do harm


def import_limits(settings: Settings, cancel: threading.Event | None = None) -> Limits:
    """The work one import may make, from the owner's settings."""
    return Limits(cells=settings.kb_max_cells, chars=settings.kb_max_passages * settings.kb_passage_chars,
                  unpacked=settings.kb_max_unpacked_mb << 20, seconds=settings.kb_import_seconds, cancel=cancel)


def check_file(path: Path, max_mb: int) -> None:
    """Before any reading: a supported type, a regular file, not over the size limit (KnowledgeError)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in TABLES and suffix not in PROSE:
        raise unreadable(name, f"不支持这种文件类型，可导入：{'、'.join(SUFFIXES)}",
                         f"this file type is not supported; supported: {', '.join(SUFFIXES)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise unreadable(name, f"文件打不开（{exc.strerror}）", f"the file can't be opened ({exc.strerror})") from None
    if not path.is_file():
        raise unreadable(name, "这不是一个文件", "this is not a file")
    if size > max_mb * 2**20:
        raise unreadable(name, f"文件有 {size / 2**20:.0f} MB，超过上限 {max_mb} MB（设置 kb_max_file_mb）",
                         f"the file is {size / 2**20:.0f} MB, over the {max_mb} MB limit (setting kb_max_file_mb)")


def check_zip(path: Path, unpacked: int) -> None:
    """Before an Office file is opened: what it unpacks to, from the zip's own directory (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise damaged(path.name, exc) from None
    total = sum(p.file_size for p in parts)
    if unpacked and total > unpacked:
        raise unreadable(path.name, f"解压后有 {total / 2**20:.0f} MB，超过上限 {unpacked >> 20} MB（设置 kb_max_unpacked_mb）",
                         f"it unpacks to {total / 2**20:.0f} MB, over the {unpacked >> 20} MB limit "
                         "(setting kb_max_unpacked_mb)")
    for part in parts:
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_ZIP_RATIO * max(part.compress_size, 1):
            raise unreadable(path.name, f"文件内部压缩比异常（{part.file_size // max(part.compress_size, 1)} 倍），"
                                        "可能是压缩炸弹，未导入",
                             f"a part of it unpacks {part.file_size // max(part.compress_size, 1)} times bigger "
                             "than it is packed: a zip bomb, not imported")


def read_document(path: Path, *, max_passages: int, max_chars: int, progress: Progress | None = None,
                  limits: Limits | None = None) -> ReadResult:
    """The passages of one file (call ``check_file`` first) within ``limits``; raises KnowledgeError (bilingual)."""
    name = path.name
    suffix = path.suffix.lower()
    limits = limits or Limits()
    budget = Budget(name, max_passages, progress, limits=limits)
    if suffix in ZIPPED and zipfile.is_zipfile(path):  # else its reader says what it is (damaged, password)
        check_zip(path, limits.unpacked)
    try:
        if suffix in TABLES:
            result = TABLES[suffix](path, budget)
        else:
            result = PROSE[suffix](path, budget, max_chars)
    except KnowledgeError:
        raise
    except MemoryError:
        raise unreadable(name, "文件太大，内存不足", "the file is too big for the memory available") from None
    except Exception as exc:  # a parsing library's own error on a broken file: words for the owner
        logger.warning("reading a {} file failed: {}", suffix, type(exc).__name__)
        raise damaged(name, exc) from None
    # a NUL or an escape in a cell would reach the prompt and the window: only text and whitespace go in
    cleaned = (Piece(drop_controls(p.text), drop_controls(p.locator), drop_controls(p.context)) for p in result.pieces)
    result.pieces = [p for p in cleaned if p.text.strip()]
    if not result.pieces:
        raise unreadable(name, "文件里没有可导入的文字", "the file has no text to import")
    if progress is not None:
        progress(len(result.pieces), len(result.pieces))
    return result
