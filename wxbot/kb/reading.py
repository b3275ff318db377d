"""Which reader opens which file, and the checks before any reading: the type is supported and the file is
not bigger than the owner allows. A reader's unexpected failure becomes a clear error, never a traceback."""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from wxbot.errors import KnowledgeError
from wxbot.kb.documents import read_docx, read_pdf
from wxbot.kb.pieces import SUFFIXES, Budget, Progress, ReadResult, damaged, unreadable
from wxbot.kb.tables import read_csv, read_xls, read_xlsx
from wxbot.kb.textfile import read_md, read_txt

TABLES = {".xlsx": read_xlsx, ".xlsm": read_xlsx, ".xls": read_xls, ".csv": read_csv}
PROSE = {".docx": read_docx, ".pdf": read_pdf, ".md": read_md, ".markdown": read_md, ".txt": read_txt}


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


def read_document(path: Path, *, max_passages: int, max_chars: int, progress: Progress | None = None) -> ReadResult:
    """The passages of one file (call ``check_file`` first); raises KnowledgeError (bilingual)."""
    name = path.name
    suffix = path.suffix.lower()
    budget = Budget(name, max_passages, progress)
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
    if not result.pieces:
        raise unreadable(name, "文件里没有可导入的文字", "the file has no text to import")
    if progress is not None:
        progress(len(result.pieces), len(result.pieces))
    return result
