"""The knowledge base as the app drives it: opened with the configured embedding model, reopened when its
settings change, and where each file came from (sealed in the store) so the window can re-import it.
It is also the engine's Retriever, so a reopened knowledge base needs no rewiring."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

from wxbot.errors import KnowledgeError, WxbotError
from wxbot.kb.base import ImportReport, ImportStatus, KnowledgeBase
from wxbot.kb.pieces import Progress
from wxbot.kb.reading import check_file
from wxbot.kb.shelf import DocumentInfo, Opened, open_configured
from wxbot.messages import Actor, OpKind, Passage
from wxbot.settings import Settings
from wxbot.store import Store

SOURCES = "kb_sources"  # a personal (sealed) value: document name -> the file it was imported from
ENGINE_FIELDS = ("kb_fallback_text", "kb_top_k", "kb_token_budget", "kb_quote_passages")  # read by the reply engine, not the kb
KB_FIELDS = tuple(f.name for f in fields(Settings) if f.name.startswith("kb_") and f.name not in ENGINE_FIELDS)
SAME_ROWS = 0.9  # two documents sharing this share of their passages hold the same rows (one list, two formats)
FileProgress = Callable[[str, int, int], None]  # (file name, done, total); total 0 = not known yet


class SameNameError(KnowledgeError):
    """A file named like a document already in the knowledge base, with other content: replacing it loses the
    old one, so the owner is asked first (the window) or says so (``wxbot kb add --replace``)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"知识库里已有「{path.name}」，内容不同；替换它请确认（命令行加 --replace），或先改文件名",
                         f"the knowledge base already holds a different {path.name}: confirm to replace it "
                         "(--replace on the command line), or rename the file")
        self.path = path


def _twin_note(other: str) -> str:
    return f"与「{other}」的内容相同，同样的行导入了两次 (the same rows as {other}: imported twice)"


class KnowledgeDesk:
    """Thread-safe: the window's tasks, the CLI and the reply worker may use it at once."""

    def __init__(self, store: Store, settings: Settings, actor: Actor = Actor.WINDOW) -> None:
        self._store = store
        self.actor = actor  # who the operation log names for the imports and removals
        self._settings = settings
        self._lock = threading.Lock()  # one open/import/remove at a time; searches read the current kb
        self._cancel = threading.Event()  # the running import's: set, and it stops at its next row or page
        self._opened: Opened[KnowledgeBase] = open_configured(KnowledgeBase, store, settings)

    @property
    def kb(self) -> KnowledgeBase:
        return self._opened.kb

    @property
    def embedding_error(self) -> str:
        """Why the configured embedding model is not used (bilingual), "" if it is."""
        return self._opened.embedding_error

    def apply_settings(self, settings: Settings) -> None:
        """Reopen (rebuild the indexes, load another embedding model) only when a knowledge-base setting changed."""
        with self._lock:
            changed = any(getattr(settings, f) != getattr(self._settings, f) for f in KB_FIELDS)
            self._settings = settings
            if changed:
                old, self._opened = self._opened, open_configured(KnowledgeBase, self._store, settings)
                old.close()

    @property
    def settings(self) -> Settings:
        return self._settings

    # ------------------------------------------------------------------ the engine's Retriever
    def __len__(self) -> int:
        return len(self.kb)

    def search(self, query: str, k: int = 5) -> list[Passage]:
        return self.kb.search(query, k)

    # ------------------------------------------------------------------ what the window shows and does
    def documents(self) -> list[DocumentInfo]:
        return self.kb.documents()

    def semantic_note(self) -> str:
        return self._opened.semantic_note()

    def add_file(self, path: str | Path, progress: Progress | None = None,
                 cancel: threading.Event | None = None, *, replace: bool = False) -> ImportReport:
        """Import (or re-import) one file and remember where it is; ``cancel_import`` stops it. A different
        file under a name the knowledge base already holds raises SameNameError unless ``replace`` (nothing is
        changed); a file holding the same rows as another document (the price list as .xlsx and as .csv) is
        imported and said in its notes."""
        path = Path(path).expanduser().resolve()
        cancel = cancel or self._new_cancel()
        with self._lock:
            if not replace:
                self._refuse_other_file(path)
            report = self.kb.add_file(path, progress, cancel)
            if report.status != ImportStatus.UNCHANGED and (twin := self._same_rows(report.name)):
                report = dataclasses.replace(report, notes=(*report.notes, _twin_note(twin)))
            sources = self._sources()
            if sources.get(report.name) != str(path):
                self._store.set_personal(SOURCES, {**sources, report.name: str(path)})
            if report.status != ImportStatus.UNCHANGED:
                self._store.log_operation(OpKind.KB, self.actor, f"{report.status}: {report.name}")
        return report

    def add_files(self, paths: Sequence[str | Path], progress: FileProgress | None = None, *,
                  replace: bool = False) -> list[tuple[str, ImportReport | WxbotError]]:
        """Import several files; one that can't be read (or would replace another file: SameNameError) is
        reported and the others still go in."""
        results: list[tuple[str, ImportReport | WxbotError]] = []
        cancel = self._new_cancel()  # one cancel stops the rest of the batch too
        for path in paths:
            name = Path(path).name
            step = (lambda done, total, name=name: progress(name, done, total)) if progress else None
            try:
                results.append((name, self.add_file(path, step, cancel, replace=replace)))
            except WxbotError as err:
                results.append((name, err))
        return results

    def cancel_import(self) -> None:
        """Stop the import that runs now (it ends in words, nothing of it kept); no wait for the lock."""
        self._cancel.set()

    def _new_cancel(self) -> threading.Event:
        self._cancel = threading.Event()
        return self._cancel

    def reimport(self, name: str) -> ImportReport:
        """Read a document's file again from where it was added (a changed file replaces its passages)."""
        path = self._sources().get(name)
        if not path:
            raise KnowledgeError(f"不知道「{name}」原来的文件在哪里，请用「添加文件」重新选择它",
                                 f"wxbot does not know where {name} came from: add the file again")
        if not Path(path).is_file():
            raise KnowledgeError(f"原文件已不在：{path}，请用「添加文件」重新选择它",
                                 f"the file is gone: {path}; add it again")
        return self.add_file(path, replace=True)

    def remove(self, name: str) -> bool:
        """Remove a document and everything derived from it, and forget where it came from."""
        with self._lock:
            removed = self.kb.remove(name)
            sources = self._sources()
            if name in sources:
                self._store.set_personal(SOURCES, {k: v for k, v in sources.items() if k != name})
            if removed:
                self._store.log_operation(OpKind.KB, self.actor, f"removed: {name}")
        return removed

    def _refuse_other_file(self, path: Path) -> None:
        old = self._store.kb_document(path.name)
        if old is None:
            return
        check_file(path, self._settings.kb_max_file_mb)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if old.content_mac != self._store.kb_mac("content", digest):
            raise SameNameError(path)

    def _same_rows(self, name: str) -> str:
        """Another document whose passages are (nearly all) the same as ``name``'s, or ""."""
        texts: dict[str, set[str]] = {}
        for p in self._store.kb_passages():
            texts.setdefault(p.source, set()).add(" ".join(p.text.split()))
        mine = texts.pop(name, set())
        for other, theirs in texts.items():
            if mine and len(mine & theirs) >= SAME_ROWS * max(len(mine), len(theirs)):
                return other
        return ""

    def synonyms(self) -> list[tuple[str, ...]]:
        return self.kb.synonyms()

    def add_synonyms(self, words: Sequence[str]) -> tuple[str, ...]:
        with self._lock:
            group = self.kb.add_synonyms(words)
            self._store.log_operation(OpKind.KB, self.actor, f"synonyms: {' = '.join(group)}")
        return group

    def remove_synonyms(self, word: str) -> bool:
        with self._lock:
            removed = self.kb.remove_synonyms(word)
            if removed:
                self._store.log_operation(OpKind.KB, self.actor, f"synonyms removed: {word}")
        return removed

    def _sources(self) -> dict[str, str]:
        return self._store.get_personal(SOURCES, {})

    def close(self) -> None:
        self._cancel.set()  # a stop does not wait for an import to finish
        with self._lock:
            self._opened.close()
