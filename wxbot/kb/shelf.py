"""The knowledge base as a search sees it: the passages and their indexes (built when passages change and kept
sealed in the store, indexcache.py, so a new process loads them instead of rebuilding), semantic search when an
embedding model is set, the owner's synonyms, and removing a document. It imports no file reader: ``wxbot kb
search`` in a new process loads this, not openpyxl, python-docx or pypdf (base.py adds importing files)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Self, TypeVar

import numpy as np
from loguru import logger

from wxbot.errors import WxbotError
from wxbot.kb import indexcache, ownerwords
from wxbot.kb.pieces import Progress
from wxbot.kb.ranking import Retriever, build_index
from wxbot.kb.semantic import PROBES, VectorIndex
from wxbot.llm.catalog import EMBEDDING_CATALOG, find_embedding_file
from wxbot.llm.embedder import Embedder, EmbeddingWorker
from wxbot.llm.locate import resolve_embedding_path
from wxbot.messages import Passage, StrState
from wxbot.settings import Settings
from wxbot.store import Store
from wxbot.store.knowledge import StoredPassage

CANDIDATES = 50  # the semantic ranking's depth before fusion
_ROW = re.compile(r"第\d+行$")
DEFAULT_MIN_SIMILARITY = 0.75  # for an embedding model the catalog doesn't know


class SemanticState(StrState):
    ACTIVE = "active"  # keyword + semantic search
    NO_MODEL = "no_model"  # keyword search only: no embedding model configured
    FAILED = "failed"  # the embedding model did not load or stopped: keyword search only


@dataclass(frozen=True)
class DocumentInfo:
    name: str
    kind: str  # "xlsx", "pdf", …, or "note" for the owner's own notes
    passages: int
    imported_at: float
    notes: tuple[str, ...]  # e.g. "第 3 页没有文字 (page 3 has no text)"


@dataclass(frozen=True)
class _Snapshot:
    """The searchable state; replaced whole when passages change, so a search never sees half an update."""

    passages: tuple[StoredPassage, ...]
    retriever: Retriever
    vectors: VectorIndex | None


def _index_text(p: StoredPassage) -> str:
    """What a passage is found by: its file's name and its context (sheet, title, heading) with its text."""
    return f"{Path(p.source).stem} {p.context} {p.text}"


def _sheet(p: StoredPassage) -> str:
    """The table a passage is a row of ('' for prose): rows of one sheet share a source and a context."""
    return f"{p.source}|{p.context}" if _ROW.search(p.locator) and ": " in p.text else ""


class Shelf:
    """Thread-safe: changes are serialized; searches read an immutable snapshot."""

    def __init__(self, store: Store, settings: Settings, embedder: Embedder | None) -> None:
        self._store = store
        self._settings = settings
        self._embedder = embedder
        self._lock = threading.Lock()
        self.semantic = SemanticState.ACTIVE if embedder is not None else SemanticState.NO_MODEL
        self._snapshot = _Snapshot((), Retriever(build_index((), (), ())), None)
        self.index_seconds = 0.0  # how long the last rebuild (or load) of the indexes took
        self._synonyms: dict[str, tuple[str, ...]] = {}  # the owner's words, normalized: word -> its group
        self._probes: np.ndarray | None = None  # the embedder's vectors of semantic.PROBES

    @classmethod
    def open(cls, store: Store, settings: Settings, embedder: Embedder | None = None) -> Self:
        """Decrypt the passages and build the indexes (vectors missing for this embedder are computed)."""
        kb = cls(store, settings, embedder)
        with kb._lock:
            kb._synonyms = ownerwords.lookup(ownerwords.load(store))
            kb._rebuild(changed=False)
        return kb

    # ------------------------------------------------------------------ reading
    def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo(d.name, d.kind, d.passages, d.imported_at, d.notes) for d in self._store.kb_documents()]

    def __len__(self) -> int:
        return len(self._snapshot.passages)

    def semantic_note(self) -> str:
        """What the owner should know about semantic search now (bilingual)."""
        if self.semantic == SemanticState.ACTIVE:
            return f"语义检索已启用（{self._embedder.name}）(semantic search on)"  # type: ignore[union-attr]
        keys = "、".join(m.key for m in EMBEDDING_CATALOG)
        why = "向量模型未能加载，" if self.semantic == SemanticState.FAILED else "未配置向量模型，"
        why_en = "the embedding model failed to load" if self.semantic == SemanticState.FAILED else "no embedding model"
        return (f"{why}只用关键词检索：货号、价格等原词照样能找到；在“模型”页加上向量模型（如 {keys}）后，"
                f"换了说法的问题（「拆开了还能退吗」→「7天无理由退换」）也能找到。"
                f"({why_en}: keyword search only. Exact words such as product codes are found; with an embedding "
                "model, questions worded differently from the documents are found too.)")

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The ``k`` most relevant passages, best first; ``[]`` when nothing is relevant."""
        snap = self._snapshot
        if k <= 0 or not snap.passages or not query.strip():
            return []
        semantic = [h.position for h in self._semantic_hits(snap, query)]
        found = snap.retriever.search(query, k, self._synonyms, self._settings.kb_min_coverage, semantic)
        return [self._passage(snap.passages[pos], round(score, 4)) for pos, score in found]

    @staticmethod
    def _passage(p: StoredPassage, score: float) -> Passage:
        return Passage(p.text, p.source, p.locator, score)

    def _semantic_hits(self, snap: _Snapshot, query: str) -> list:
        if snap.vectors is None or self._embedder is None or self.semantic != SemanticState.ACTIVE:
            return []
        try:
            vector = self._embedder.embed([query], query=True)[0]
        except WxbotError as err:
            logger.warning("embedding a question failed ({}); keyword search only", err.en)
            return []
        return snap.vectors.search(vector, CANDIDATES, self._min_similarity())

    def _min_similarity(self) -> float:
        if self._settings.kb_min_similarity > 0:
            return self._settings.kb_min_similarity
        known = find_embedding_file(self._embedder.name) if self._embedder is not None else None
        return known.min_similarity if known else DEFAULT_MIN_SIMILARITY

    # ------------------------------------------------------------------ the owner's synonyms
    def synonyms(self) -> list[tuple[str, ...]]:
        """The owner's groups of words that mean the same in this shop (尿不湿 = 纸尿裤, 小白 = 白毫银针)."""
        return ownerwords.load(self._store)

    def add_synonyms(self, words: Sequence[str]) -> tuple[str, ...]:
        """Add a group (merged with any group sharing a word); returns the group as kept."""
        with self._lock:
            groups, group = ownerwords.added(ownerwords.load(self._store), words)
            self._set_synonyms(groups)
            return group

    def remove_synonyms(self, word: str) -> bool:
        """Remove the group holding ``word``; False when no group holds it."""
        with self._lock:
            groups = ownerwords.load(self._store)
            kept = [g for g in groups if word.strip() not in g]
            if len(kept) == len(groups):
                return False
            self._set_synonyms(kept)
            return True

    def _set_synonyms(self, groups: list[tuple[str, ...]]) -> None:
        ownerwords.save(self._store, groups)
        self._synonyms = ownerwords.lookup(groups)

    # ------------------------------------------------------------------ removing
    def remove(self, name: str) -> bool:
        """Remove a document or note and everything derived from it. False if there is none of that name."""
        with self._lock:
            if not self._store.kb_remove(name):
                return False
            self._rebuild()
            logger.info("knowledge base: removed a document")
            return True

    # ------------------------------------------------------------------ indexes
    def _rebuild(self, progress: Progress | None = None, *, changed: bool = True) -> None:
        """Build the indexes from the passages (``changed``), or load the kept ones when they still match."""
        started = time.perf_counter()
        kept = None if changed else indexcache.load(self._store)
        if kept is not None:
            passages, built = kept
        else:
            passages = tuple(self._store.kb_passages())
            sheets = [_sheet(p) for p in passages]
            built = build_index([_index_text(p) for p in passages], sheets,
                                [p.text if sheet else "" for p, sheet in zip(passages, sheets, strict=True)])
            indexcache.keep(self._store, passages, built)
        vectors = self._vectors(passages, progress)
        self._snapshot = _Snapshot(passages, Retriever(built), vectors)
        self.index_seconds = time.perf_counter() - started
        logger.info("knowledge base indexed: {} passages in {:.2f} s (semantic: {})", len(passages),
                    self.index_seconds, self.semantic)

    def _vectors(self, passages: Sequence[StoredPassage], progress: Progress | None) -> VectorIndex | None:
        embedder = self._embedder
        if embedder is None or self.semantic == SemanticState.FAILED or not passages:
            return None
        try:
            if self._probes is None:
                self._probes = embedder.embed(PROBES, query=True)
            have = self._store.kb_vectors(embedder.name)
            missing = [p for p in passages if p.id not in have]
            for start in range(0, len(missing), 64):
                batch = missing[start:start + 64]
                vectors = embedder.embed([_index_text(p) for p in batch])
                self._store.kb_set_vectors(embedder.name, list(zip(batch, vectors, strict=True)))
                have.update((p.id, v) for p, v in zip(batch, vectors, strict=True))
                if progress is not None:
                    progress(start + len(batch), len(missing))
        except WxbotError as err:
            logger.warning("embedding model unusable ({}); keyword search only", err.en)
            self.semantic = SemanticState.FAILED
            return None
        index = VectorIndex(np.vstack([have[p.id] for p in passages]), self._probes)
        logger.info("semantic search: off-topic questions reach a similarity of {:.2f}", index.floor)
        return index


S = TypeVar("S", bound=Shelf)


@dataclass
class Opened(Generic[S]):
    """A knowledge base opened with the configured embedding model, whose worker process ``close`` ends."""

    kb: S
    embedder: EmbeddingWorker | None
    embedding_error: str  # why the configured embedding model is not used (bilingual), "" if it is

    def semantic_note(self) -> str:
        return self.embedding_error or self.kb.semantic_note()

    def close(self) -> None:
        if self.embedder is not None:
            self.embedder.close()


def open_configured(kind: type[S], store: Store, settings: Settings) -> Opened[S]:
    """``kind`` (Shelf to search, KnowledgeBase to import too) with the embedding model the settings name; when
    that model can't be found, keyword search still works and ``embedding_error`` says why."""
    try:
        path = resolve_embedding_path(settings)
        error = ""
    except WxbotError as err:
        logger.warning("knowledge base without semantic search: {}", err.en)
        path, error = None, str(err)
    embedder = EmbeddingWorker(path, threads=settings.threads) if path else None
    try:
        kb = kind.open(store, settings, embedder)
    except BaseException:
        if embedder is not None:
            embedder.close()
        raise
    return Opened(kb, embedder, error)
