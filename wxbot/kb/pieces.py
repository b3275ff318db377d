"""What a reader makes of a file (passages with their place in it, notes for the owner), the bound on how
much one file may hold, and the bilingual errors every reader raises for a file it can't read."""

from __future__ import annotations

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


class Budget:
    """Counts passages while a file is read and stops the read, with a clear error, past the limit."""

    def __init__(self, name: str, limit: int, progress: Progress | None = None, total: int = 0) -> None:
        self.name, self.limit, self.progress, self.total = name, limit, progress, total
        self.count = 0

    def take(self) -> None:
        self.count += 1
        if self.count > self.limit:
            raise KnowledgeError(
                f"{self.name} 的内容超过 {self.limit} 条，未导入；请拆分文件，或调高设置 kb_max_passages",
                f"{self.name} holds more than {self.limit} passages and was not imported; split the file "
                "or raise the kb_max_passages setting")
        if self.progress is not None and self.count % 500 == 0:
            self.progress(self.count, self.total)


def unreadable(name: str, why_zh: str, why_en: str) -> KnowledgeError:
    return KnowledgeError(f"无法读取 {name}：{why_zh}", f"cannot read {name}: {why_en}")


def damaged(name: str, exc: BaseException) -> KnowledgeError:
    return unreadable(name, "文件已损坏或格式不对", f"the file is damaged or not what its name says ({type(exc).__name__})")


def password_protected(name: str) -> KnowledgeError:
    return unreadable(name, "文件设置了打开密码，请另存为无密码的文件后再导入",
                      "the file is password-protected; save a copy without a password and import that")


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx/.docx is an OLE container, not a zip
