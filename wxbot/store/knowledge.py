"""The knowledge base's rows: documents and their passages with everything that reveals content encrypted
(names, text, places, notes, vectors). A keyed hash of a document's name finds it, one of its bytes tells
an unchanged re-import, and a document is replaced or removed with all its passages in one transaction."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB

_INDEX_ROW = "kb_index"  # a row of the settings table: the built search index, sealed
_INDEX_AAD = b"kb-index"
_DOC_COLUMNS = "id, name_enc, kind, passages, imported_at, notes_enc, content_mac FROM kb_documents"


@dataclass(frozen=True)
class StoredDocument:
    id: int
    name: str
    kind: str
    passages: int
    imported_at: float
    notes: tuple[str, ...]
    content_mac: bytes


@dataclass(frozen=True)
class NewPassage:
    text: str
    locator: str
    context: str = ""


@dataclass(frozen=True)
class StoredPassage:
    id: int
    doc_id: int
    source: str  # the document's name
    text: str
    locator: str
    context: str


def _row_key(passage_id: int, doc_id: int) -> str:
    return f"{passage_id}:{doc_id}"


def _vector_aad(passage_id: int, doc_id: int, model: str) -> bytes:
    return f"kb-vector|{_row_key(passage_id, doc_id)}|{model}".encode()


class KnowledgeMixin:
    _sdb: StoreDB
    cipher: FieldCipher

    def kb_mac(self, column: str, value: str) -> bytes:
        """The keyed hash that finds a document by name ('name') or tells unchanged content ('content')."""
        return self.cipher.name_mac("kb", column, value)

    def _kb_doc(self, row: tuple) -> StoredDocument:
        doc_id, name_enc, kind, passages, imported_at, notes_enc, content_mac = row
        dec = self.cipher.decrypt
        notes = tuple(json.loads(dec("kb_documents", str(doc_id), "notes", notes_enc)))
        return StoredDocument(doc_id, dec("kb_documents", str(doc_id), "name", name_enc), kind, passages, imported_at,
                              notes, content_mac)

    def kb_documents(self) -> list[StoredDocument]:
        return [self._kb_doc(r) for r in self._sdb.rows(f"SELECT {_DOC_COLUMNS} ORDER BY imported_at, id")]

    def kb_document(self, name: str) -> StoredDocument | None:
        rows = self._sdb.rows(f"SELECT {_DOC_COLUMNS} WHERE name_mac = ?", (self.kb_mac("name", name),))
        return self._kb_doc(rows[0]) if rows else None

    def kb_put(self, name: str, kind: str, content_mac: bytes, notes: Sequence[str],
               passages: Sequence[NewPassage]) -> StoredDocument:
        """Add a document, or replace the one of that name with all its passages, in one transaction."""
        enc = self.cipher.encrypt
        now = time.time()
        with self._sdb.tx() as db:
            db.execute("DELETE FROM kb_documents WHERE name_mac = ?", (self.kb_mac("name", name),))
            (last,) = db.execute("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'kb_documents'), 0)"
                                 ).fetchone()
            doc_id = last + 1
            key = str(doc_id)
            db.execute("INSERT INTO kb_documents (id, name_mac, name_enc, content_mac, kind, passages, imported_at, "
                       "notes_enc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (doc_id, self.kb_mac("name", name), enc("kb_documents", key, "name", name), content_mac, kind,
                        len(passages), now, enc("kb_documents", key, "notes", json.dumps(list(notes),
                                                                                         ensure_ascii=False))))
            (last,) = db.execute("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'kb_passages'), 0)"
                                 ).fetchone()
            ids = range(last + 1, last + 1 + len(passages))
            keys = [_row_key(i, doc_id) for i in ids]
            many = self.cipher.encrypt_many
            texts = many("kb_passages", "text", [(k, p.text) for k, p in zip(keys, passages, strict=True)])
            places = many("kb_passages", "locator", [(k, p.locator) for k, p in zip(keys, passages, strict=True)])
            contexts = many("kb_passages", "context", [(k, p.context) for k, p in zip(keys, passages, strict=True)])
            db.conn.executemany(
                "INSERT INTO kb_passages (id, doc_id, text_enc, locator_enc, context_enc) VALUES (?, ?, ?, ?, ?)",
                [(i, doc_id, t, loc, c) for i, t, loc, c in zip(ids, texts, places, contexts, strict=True)])
        return StoredDocument(doc_id, name, kind, len(passages), now, tuple(notes), content_mac)

    def kb_remove(self, name: str) -> bool:
        """Delete a document and everything derived from it (passages, vectors). False if there is none."""
        with self._sdb.tx() as db:
            gone = db.execute("DELETE FROM kb_documents WHERE name_mac = ?", (self.kb_mac("name", name),)).rowcount
        return gone > 0

    def kb_passages(self) -> list[StoredPassage]:
        """Every passage, decrypted, in document and reading order."""
        names = {d.id: d.name for d in self.kb_documents()}
        rows = self._sdb.rows("SELECT id, doc_id, text_enc, locator_enc, context_enc FROM kb_passages ORDER BY id")
        keys = [_row_key(r[0], r[1]) for r in rows]
        many = self.cipher.decrypt_many
        texts = many("kb_passages", "text", [(k, r[2]) for k, r in zip(keys, rows, strict=True)])
        places = many("kb_passages", "locator", [(k, r[3]) for k, r in zip(keys, rows, strict=True)])
        contexts = many("kb_passages", "context", [(k, r[4]) for k, r in zip(keys, rows, strict=True)])
        return [StoredPassage(r[0], r[1], names[r[1]], t, loc, c)
                for r, t, loc, c in zip(rows, texts, places, contexts, strict=True)]

    def kb_vectors(self, model: str) -> dict[int, np.ndarray]:
        """The stored vectors of ``model``, by passage id."""
        rows = self._sdb.rows("SELECT id, doc_id, vector_enc FROM kb_passages WHERE vector_model = ?", (model,))
        out = {}
        for passage_id, doc_id, blob in rows:
            raw = self.cipher.decrypt_blob(blob, _vector_aad(passage_id, doc_id, model))
            out[passage_id] = np.frombuffer(raw, dtype=np.float32)
        return out

    def kb_set_vectors(self, model: str, items: Sequence[tuple[StoredPassage, np.ndarray]]) -> None:
        """Keep vectors (sealed like any content: a vector can be inverted back into text)."""
        seal = self.cipher.encrypt_blob
        rows = [(model, seal(np.asarray(v, dtype=np.float32).tobytes(), _vector_aad(p.id, p.doc_id, model)), p.id)
                for p, v in items]
        with self._sdb.tx() as db:
            db.conn.executemany("UPDATE kb_passages SET vector_model = ?, vector_enc = ? WHERE id = ?", rows)

    def kb_state(self) -> str:
        """A fingerprint of the passages as they are now (which documents, which content): a kept index built
        under another state is stale."""
        rows = self._sdb.rows("SELECT id, content_mac, passages FROM kb_documents ORDER BY id")
        last = self._sdb.rows("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM kb_passages")[0]
        return json.dumps([[r[0], bytes(r[1]).hex(), r[2]] for r in rows] + [list(last)])

    def kb_index(self) -> bytes | None:
        """The kept search index (sealed like any content), or None."""
        rows = self._sdb.rows("SELECT value_enc FROM settings WHERE name = ?", (_INDEX_ROW,))
        return self.cipher.decrypt_blob(rows[0][0], _INDEX_AAD) if rows else None

    def kb_set_index(self, data: bytes) -> None:
        blob = self.cipher.encrypt_blob(data, _INDEX_AAD)
        with self._sdb.tx() as db:
            db.execute("INSERT INTO settings (name, value_enc, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) "
                       "DO UPDATE SET value_enc = excluded.value_enc, updated_at = excluded.updated_at",
                       (_INDEX_ROW, blob, time.time()))
