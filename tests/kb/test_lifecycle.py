"""Re-import, remove, notes and reopening: no ghosts, no duplicates, nothing lost."""

from __future__ import annotations

import pytest

from tests.kb.files import PRICES, write_xlsx
from wxbot.errors import KnowledgeError
from wxbot.kb.base import ImportStatus, KnowledgeBase
from wxbot.store import Store


def test_same_file_twice_changes_nothing(kb, store, tmp_path):
    path = write_xlsx(tmp_path / "价目表.xlsx")
    first = kb.add_file(path)
    before = store.kb_passages()
    again = kb.add_file(path)
    assert again.status == ImportStatus.UNCHANGED and again.passages == first.passages
    assert store.kb_passages() == before  # same rows, same ids
    assert len(kb.search("SJ-0412", 10)) == 1


def test_changed_file_replaces_its_passages(kb, tmp_path):
    path = tmp_path / "价目表.xlsx"
    write_xlsx(path)
    kb.add_file(path)
    write_xlsx(path, [["SJ-0412", "真丝围巾", 158, 20]])  # price cut, two products dropped
    report = kb.add_file(path)
    assert report.status == ImportStatus.REPLACED and report.passages == 4
    assert [p.text for p in kb.search("SJ-0412", 10)] == ["货号: SJ-0412; 品名: 真丝围巾; 单价(元): 158; 库存: 20"]
    assert kb.search("羊绒围巾", 5) == []  # no ghost of the dropped row
    assert [d.name for d in kb.documents()] == ["价目表.xlsx"]


def test_remove_deletes_everything_derived(kb, store, tmp_path):
    kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    (tmp_path / "policy.txt").write_text("签收后7天内支持无理由退换。", encoding="utf-8")
    kb.add_file(tmp_path / "policy.txt")
    assert kb.remove("价目表.xlsx") is True
    assert kb.remove("价目表.xlsx") is False
    assert [d.name for d in kb.documents()] == ["policy.txt"]
    assert {p.source for p in store.kb_passages()} == {"policy.txt"}
    assert kb.search("SJ-0412") == []
    assert kb.search("退货")[0].source == "policy.txt"


def test_owner_note_is_a_passage_in_their_words(kb):
    report = kb.add_note("SJ-0412 补货", "SJ-0412 下周三补货，可以先拍下")
    assert report.status == ImportStatus.ADDED
    hit = kb.search("sj0412什么时候补货", 1)[0]
    assert (hit.text, hit.source) == ("SJ-0412 下周三补货，可以先拍下", "SJ-0412 补货")
    assert kb.add_note("SJ-0412 补货", "SJ-0412 下周三补货，可以先拍下").status == ImportStatus.UNCHANGED
    kb.add_note("SJ-0412 补货", "SJ-0412 已到货")
    assert [p.text for p in kb.search("SJ-0412 补货", 5)] == ["SJ-0412 已到货"]
    assert [d.kind for d in kb.documents()] == ["note"]


def test_reopen_rebuilds_the_indexes_from_the_encrypted_store(data_dir, settings, tmp_path):
    with Store.open(data_dir) as store:
        KnowledgeBase.open(store, settings).add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    with Store.open(data_dir) as store:
        kb = KnowledgeBase.open(store, settings)
        assert len(kb) == len(PRICES) + 3
        assert kb.search("ＳＪ－０４１２", 1)[0].text.startswith("货号: SJ-0412")
        doc = kb.documents()[0]
        assert (doc.name, doc.kind, doc.passages) == ("价目表.xlsx", "xlsx", 6) and doc.imported_at > 0


def test_a_note_never_replaces_an_imported_document_of_the_same_name(kb, tmp_path):
    """#note N names its note after the customer's question, which can be a document's name."""
    kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    with pytest.raises(KnowledgeError) as err:
        kb.add_note("价目表.xlsx", "问：价目表.xlsx\n答：请看附件")
    assert "同名的文档" in err.value.zh
    assert [(d.name, d.kind) for d in kb.documents()] == [("价目表.xlsx", "xlsx")]
    assert kb.search("SJ-0412")  # the price list is still whole
