"""``KnowledgeBase``: the searchable knowledge base (shelf.py) plus importing: a file read into passages (added,
replaced when its bytes changed, unchanged when they did not) and the owner's own notes. The file readers are
imported here, so only importing loads them."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from wxbot.errors import KnowledgeError
from wxbot.kb.pieces import Progress
from wxbot.kb.reading import check_file, import_limits, read_document
from wxbot.kb.shelf import Shelf
from wxbot.messages import StrState
from wxbot.store.knowledge import NewPassage

NOTE_KIND = "note"


class ImportStatus(StrState):
    ADDED = "added"
    REPLACED = "replaced"  # the file had changed: its old passages are gone
    UNCHANGED = "unchanged"  # the same bytes were imported before: nothing was done


@dataclass(frozen=True)
class ImportReport:
    name: str
    status: ImportStatus
    passages: int
    notes: tuple[str, ...] = ()


class KnowledgeBase(Shelf):
    """A Shelf that also imports: imports are serialized with every other change."""

    def add_file(self, path: str | Path, progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> ImportReport:
        """Import one file. The same bytes again change nothing; changed bytes replace its passages; a file
        that can't be read (or whose reading is cancelled) raises KnowledgeError and leaves the knowledge base
        as it was."""
        path = Path(path)
        settings = self._settings
        with self._lock:
            check_file(path, settings.kb_max_file_mb)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            unchanged = self._unchanged(path.name, digest)
            if unchanged is not None:
                return unchanged
            result = read_document(path, max_passages=settings.kb_max_passages, max_chars=settings.kb_passage_chars,
                                   progress=progress, limits=import_limits(settings, cancel))
            pieces = [NewPassage(p.text, p.locator, p.context) for p in result.pieces]
            return self._put(path.name, result.kind, digest, result.notes, pieces, progress)

    def add_note(self, title: str, text: str) -> ImportReport:
        """A short passage in the owner's own words (a correction, an approved answer); same title replaces a
        note, never an imported document (a customer's question can be any document's name)."""
        title, text = title.strip(), text.strip()
        if not title or not text:
            raise KnowledgeError("备注的标题和内容都不能为空", "a note needs a title and a text")
        with self._lock:
            old = self._store.kb_document(title)
            if old is not None and old.kind != NOTE_KIND:
                raise KnowledgeError(f"知识库里已有同名的文档「{title}」，笔记没有保存，请换个标题",
                                     "a document of that name is in the knowledge base: the note was not saved")
            digest = hashlib.sha256(text.encode()).hexdigest()
            return self._unchanged(title, digest) or self._put(
                title, NOTE_KIND, digest, [], [NewPassage(text, "店主备注 owner's note", title)], None)

    def _unchanged(self, name: str, digest: str) -> ImportReport | None:
        old = self._store.kb_document(name)
        if old is not None and old.content_mac == self._store.kb_mac("content", digest):
            return ImportReport(name, ImportStatus.UNCHANGED, old.passages, old.notes)
        return None

    def _put(self, name: str, kind: str, digest: str, notes: Sequence[str], pieces: list[NewPassage],
             progress: Progress | None) -> ImportReport:
        old = self._store.kb_document(name)
        self._store.kb_put(name, kind, self._store.kb_mac("content", digest), notes, pieces)
        self._rebuild(progress)
        status = ImportStatus.ADDED if old is None else ImportStatus.REPLACED
        logger.info("knowledge base: {} a {} document with {} passages", status, kind, len(pieces))
        return ImportReport(name, status, len(pieces), tuple(notes))
