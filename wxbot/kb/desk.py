"""The knowledge base as the app drives it: opened with the configured embedding model, reopened when its
settings change, and where each file came from (sealed in the store) so the window can re-import it.
It is also the engine's Retriever, so a reopened knowledge base needs no rewiring."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

from loguru import logger

from wxbot.errors import KnowledgeError, WxbotError
from wxbot.kb.base import DocumentInfo, ImportReport, ImportStatus, KnowledgeBase
from wxbot.kb.pieces import Progress
from wxbot.llm.embedder import EmbeddingWorker
from wxbot.llm.locate import resolve_embedding_path
from wxbot.messages import Actor, OpKind, Passage
from wxbot.settings import Settings
from wxbot.store import Store

SOURCES = "kb_sources"  # a personal (sealed) value: document name -> the file it was imported from
ENGINE_FIELDS = ("kb_fallback_text", "kb_top_k", "kb_token_budget", "kb_quote_passages")  # read by the reply engine, not the kb
KB_FIELDS = tuple(f.name for f in fields(Settings) if f.name.startswith("kb_") and f.name not in ENGINE_FIELDS)
FileProgress = Callable[[str, int, int], None]  # (file name, done, total); total 0 = not known yet


class KnowledgeDesk:
    """Thread-safe: the window's tasks, the CLI and the reply worker may use it at once."""

    def __init__(self, store: Store, settings: Settings, actor: Actor = Actor.WINDOW) -> None:
        self._store = store
        self.actor = actor  # who the operation log names for the imports and removals
        self._settings = settings
        self._lock = threading.Lock()  # one open/import/remove at a time; searches read the current kb
        self._embedder: EmbeddingWorker | None = None
        self.embedding_error = ""  # why the configured embedding model is not used (bilingual), "" if it is
        self.kb = self._open(settings)

    def _open(self, settings: Settings) -> KnowledgeBase:
        try:
            path = resolve_embedding_path(settings)
            self.embedding_error = ""
        except WxbotError as err:  # keyword search still works; the owner is told why semantic search is off
            logger.warning("knowledge base without semantic search: {}", err.en)
            path, self.embedding_error = None, str(err)
        embedder = EmbeddingWorker(path, threads=settings.threads) if path else None
        try:
            kb = KnowledgeBase.open(self._store, settings, embedder)
        except BaseException:
            if embedder is not None:
                embedder.close()
            raise
        old, self._embedder = self._embedder, embedder
        if old is not None:
            old.close()
        return kb

    def apply_settings(self, settings: Settings) -> None:
        """Reopen (rebuild the indexes, load another embedding model) only when a knowledge-base setting changed."""
        with self._lock:
            changed = any(getattr(settings, f) != getattr(self._settings, f) for f in KB_FIELDS)
            self._settings = settings
            if changed:
                self.kb = self._open(settings)

    # ------------------------------------------------------------------ the engine's Retriever
    def __len__(self) -> int:
        return len(self.kb)

    def search(self, query: str, k: int = 5) -> list[Passage]:
        return self.kb.search(query, k)

    # ------------------------------------------------------------------ what the window shows and does
    def documents(self) -> list[DocumentInfo]:
        return self.kb.documents()

    def semantic_note(self) -> str:
        return self.embedding_error or self.kb.semantic_note()

    def add_file(self, path: str | Path, progress: Progress | None = None) -> ImportReport:
        """Import (or re-import) one file and remember where it is."""
        path = Path(path).expanduser().resolve()
        with self._lock:
            report = self.kb.add_file(path, progress)
            sources = self._sources()
            if sources.get(report.name) != str(path):
                self._store.set_personal(SOURCES, {**sources, report.name: str(path)})
            if report.status != ImportStatus.UNCHANGED:
                self._store.log_operation(OpKind.KB, self.actor, f"{report.status}: {report.name}")
        return report

    def add_files(self, paths: Sequence[str | Path],
                  progress: FileProgress | None = None) -> list[tuple[str, ImportReport | WxbotError]]:
        """Import several files; one that can't be read is reported and the others still go in."""
        results: list[tuple[str, ImportReport | WxbotError]] = []
        for path in paths:
            name = Path(path).name
            step = (lambda done, total, name=name: progress(name, done, total)) if progress else None
            try:
                results.append((name, self.add_file(path, step)))
            except WxbotError as err:
                results.append((name, err))
        return results

    def reimport(self, name: str) -> ImportReport:
        """Read a document's file again from where it was added (a changed file replaces its passages)."""
        path = self._sources().get(name)
        if not path:
            raise KnowledgeError(f"不知道「{name}」原来的文件在哪里，请用「添加文件」重新选择它",
                                 f"wxbot does not know where {name} came from: add the file again")
        if not Path(path).is_file():
            raise KnowledgeError(f"原文件已不在：{path}，请用「添加文件」重新选择它",
                                 f"the file is gone: {path}; add it again")
        return self.add_file(path)

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
        with self._lock:
            embedder, self._embedder = self._embedder, None
        if embedder is not None:
            embedder.close()
