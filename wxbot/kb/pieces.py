"""What a reader makes of a file (passages with their place in it, notes for the owner), the bounds on how
much work one file may make (passages, cells, characters, empty rows, time, and the owner's cancel), and the
bilingual errors every reader raises for a file it can't read."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from wxbot.errors import KnowledgeError

# The file types an import reads (reading.py maps each to its reader); here, apart from the readers, so the
# window and the CLI can name them without loading openpyxl, python-docx and pypdf.
SUFFIXES = (".csv", ".docx", ".markdown", ".md", ".pdf", ".txt", ".xls", ".xlsm", ".xlsx")
Progress = Callable[[int, int], None]  # (done, total); total 0 = not known yet


@dataclass(frozen=True)
class Piece:
    text: str  # exactly as it goes into the prompt
    locator: str  # where in the file: "价目表 第5行", "第3页", "退换货 > 运费"
    context: str = ""  # searched with the text but not shown: sheet name, title row, heading path


@dataclass
class ReadResult:
    kind: str  # "xlsx", "pdf", …
    pieces: list[Piece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "第 3 页没有文字 (page 3 has no text)"


MAX_EMPTY_ROWS = 100_000  # blank rows one file may make a reader step through (a sheet padded to row 1,048,576)


@dataclass(frozen=True)
class Limits:
    """How much work reading one file may make beyond its passages; 0 = unbounded (settings kb_max_cells,
    kb_max_unpacked_mb, kb_import_seconds; characters are kb_max_passages × kb_passage_chars)."""

    cells: int = 0  # non-empty table cells
    chars: int = 0  # characters in all passages
    unpacked: int = 0  # bytes an Office file (a zip) may unpack to
    seconds: float = 0.0
    cancel: threading.Event | None = None  # set by the owner (or a stop): the read ends at its next step


class Budget:
    """Counts the work while a file is read and stops the read, with a clear error, past a limit, past the time
    allowed, or when the import is cancelled."""

    def __init__(self, name: str, limit: int, progress: Progress | None = None, total: int = 0,
                 limits: Limits | None = None) -> None:
        self.name, self.limit, self.progress, self.total = name, limit, progress, total
        self.limits = limits = limits or Limits()
        self.count = self.cells = self.empty_rows = self.chars = 0
        self.deadline = time.monotonic() + limits.seconds if limits.seconds else 0.0

    def take(self, chars: int = 0) -> None:
        """One passage of ``chars`` characters."""
        self.count += 1
        self.chars += chars
        if self.count > self.limit:
            raise KnowledgeError(
                f"{self.name} 的内容超过 {self.limit} 条，未导入；请拆分文件，或调高设置 kb_max_passages",
                f"{self.name} holds more than {self.limit} passages and was not imported; split the file "
                "or raise the kb_max_passages setting")
        if self.limits.chars and self.chars > self.limits.chars:
            raise self._too_much(f"超过 {self.limits.chars} 个字", f"more than {self.limits.chars} characters",
                                 "kb_max_passages / kb_passage_chars")
        self.step()
        if self.progress is not None and self.count % 500 == 0:
            self.progress(self.count, self.total)

    def row(self, filled: int) -> None:
        """One table row read, with ``filled`` non-empty cells: a blank row costs work too, so it counts."""
        if filled:
            self.cells += filled
            if self.limits.cells and self.cells > self.limits.cells:
                raise self._too_much(f"超过 {self.limits.cells} 个单元格", f"more than {self.limits.cells} cells",
                                     "kb_max_cells")
        else:
            self.empty_rows += 1
            if self.empty_rows > MAX_EMPTY_ROWS:
                raise self._too_much(f"超过 {MAX_EMPTY_ROWS} 个空行", f"more than {MAX_EMPTY_ROWS} empty rows",
                                     "")
        self.step()

    def step(self) -> None:
        """Between two pieces of work: stop when the import was cancelled or ran out of time."""
        if self.limits.cancel is not None and self.limits.cancel.is_set():
            raise KnowledgeError(f"已取消导入 {self.name}", f"the import of {self.name} was cancelled")
        if self.deadline and time.monotonic() > self.deadline:
            seconds = f"{self.limits.seconds:g}"
            raise self._too_much(f"读取超过 {seconds} 秒", f"reading it took more than {seconds} s", "kb_import_seconds")

    def _too_much(self, what_zh: str, what_en: str, setting: str) -> KnowledgeError:
        raise_zh = f"，或调高设置 {setting}" if setting else ""
        raise_en = f", or raise the {setting} setting" if setting else ""
        return KnowledgeError(f"{self.name} {what_zh}，未导入；请拆分或精简文件{raise_zh}",
                              f"{self.name}: {what_en}; it was not imported. Split or trim the file{raise_en}")


def unreadable(name: str, why_zh: str, why_en: str) -> KnowledgeError:
    return KnowledgeError(f"无法读取 {name}：{why_zh}", f"cannot read {name}: {why_en}")


def damaged(name: str, exc: BaseException) -> KnowledgeError:
    return unreadable(name, "文件已损坏或格式不对", f"the file is damaged or not what its name says ({type(exc).__name__})")


def password_protected(name: str) -> KnowledgeError:
    return unreadable(name, "文件设置了打开密码，请另存为无密码的文件后再导入",
                      "the file is password-protected; save a copy without a password and import that")


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx/.docx is an OLE container, not a zip
