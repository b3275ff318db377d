"""Passage text, file names, notes and vectors are encrypted at rest: a marker planted in every imported
document is found in no file under the data dir (database, WAL, SHM), while the store is open and after."""

from __future__ import annotations

from tests.kb.files import write_pdf, write_xlsx
from tests.store.test_no_plaintext import hits
from wxbot.kb.base import KnowledgeBase
from wxbot.store import Store

MARKER = "MARKER-kb-9d1e-秘方"
NEEDLES = [MARKER.encode(), "秘方".encode(), "秘方".encode("gbk"), "秘方".encode("utf-16-le"), b"MARKER-kb-9d1e",
           "真丝围巾".encode(), "冷水手洗".encode()]


def found(data_dir, needles):
    return hits(list(data_dir.rglob("*")), needles)


def test_nothing_of_the_documents_is_on_disk_in_the_clear(data_dir, settings, tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    xlsx = write_xlsx(docs / f"价目表{MARKER}.xlsx", [["SJ-0412", f"真丝围巾 {MARKER}", 168, 23]])
    pdf = write_pdf(docs / "guide.pdf", [[f"保养说明：真丝围巾请冷水手洗 {MARKER}"], []])
    (docs / "faq.txt").write_text(f"退货：7天无理由 {MARKER}", encoding="gbk")
    store = Store.open(data_dir)
    kb = KnowledgeBase.open(store, settings, embedder)
    for path in (xlsx, pdf, docs / "faq.txt"):
        kb.add_file(path)
    kb.add_note(f"备注 {MARKER}", f"老客户九折 {MARKER}")
    assert {p.source for p in kb.search(MARKER, 10)} == {xlsx.name, pdf.name, "faq.txt", f"备注 {MARKER}"}
    vectors = store.kb_vectors(embedder.name)
    assert len(vectors) == len(kb)
    raw_vectors = [v.tobytes() for v in vectors.values()]
    assert (data_dir / "wxbot.db-wal").stat().st_size > 0
    assert found(data_dir, NEEDLES) == {}, "plaintext in the open store's files"
    assert found(data_dir, raw_vectors) == {}, "a vector in the clear"
    kb.remove(xlsx.name)
    store.close()
    assert found(data_dir, NEEDLES + raw_vectors) == {}, "plaintext after close"
