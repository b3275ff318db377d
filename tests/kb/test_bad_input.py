"""Files that can't be imported get a clear bilingual error, and nothing already in the knowledge base is lost."""

from __future__ import annotations

import pypdf
import pytest

from tests.kb.files import PRICE_HEADER, write_csv, write_pdf, write_xlsx
from wxbot.errors import KnowledgeError, StoreError
from wxbot.kb.base import KnowledgeBase


@pytest.fixture
def stocked(kb, tmp_path):
    kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    return kb


def assert_intact(kb):
    assert [d.name for d in kb.documents()] == ["价目表.xlsx"]
    assert kb.search("SJ-0412", 1)[0].text.startswith("货号: SJ-0412")


def bilingual(exc: KnowledgeError, *words: str) -> None:
    assert exc.zh and exc.en and exc.zh != exc.en
    for word in words:
        assert word in str(exc)


def test_corrupt_spreadsheet(stocked, tmp_path):
    bad = tmp_path / "坏表.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook" * 10)
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(bad)
    bilingual(err.value, "坏表.xlsx", "损坏", "damaged")
    assert_intact(stocked)


def test_password_protected_office_file(stocked, tmp_path):
    locked = tmp_path / "加密.docx"  # Office saves an encrypted file as an OLE container, not a zip
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(locked)
    bilingual(err.value, "密码", "password")
    assert_intact(stocked)


def test_password_protected_pdf(stocked, tmp_path):
    plain = write_pdf(tmp_path / "plain.pdf", [["退货政策：七天无理由"]])
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(plain))
    writer.encrypt("secret-口令", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(locked)
    bilingual(err.value, "密码", "password")
    assert_intact(stocked)


def test_scanned_pdf_without_any_text(stocked, tmp_path):
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(write_pdf(tmp_path / "scan.pdf", [[], []]))
    bilingual(err.value, "扫描件", "OCR")
    assert_intact(stocked)


def test_unsupported_type(stocked, tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(tmp_path / "photo.jpg")
    bilingual(err.value, "不支持", "not supported", ".xlsx")
    assert_intact(stocked)


def test_missing_file(stocked, tmp_path):
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(tmp_path / "nowhere.csv")
    bilingual(err.value, "nowhere.csv")
    assert_intact(stocked)


def test_200_mb_file_is_refused_before_reading(stocked, tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: 200 MB on paper, nothing written
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(huge)
    bilingual(err.value, "200 MB", "kb_max_file_mb")
    assert_intact(stocked)


def test_100000_rows_stop_at_the_limit_and_keep_what_was_there(stocked, tmp_path):
    rows = [PRICE_HEADER] + [[f"SKU-{i:06d}", "袜子", 9.9, 5] for i in range(100_000)]
    big = write_csv(tmp_path / "big.csv", "utf-8", rows)
    with pytest.raises(KnowledgeError) as err:
        stocked.add_file(big)
    bilingual(err.value, "big.csv", "kb_max_passages")
    assert_intact(stocked)


def test_a_large_sheet_within_the_limit_imports_with_progress(store, settings, tmp_path):
    kb = KnowledgeBase.open(store, settings.replace(kb_max_passages=5000))
    rows = [PRICE_HEADER] + [[f"SKU-{i:05d}", "袜子", 9.9, i % 7] for i in range(3000)]
    seen: list[tuple[int, int]] = []
    report = kb.add_file(write_csv(tmp_path / "socks.csv", "gbk", rows), progress=lambda d, t: seen.append((d, t)))
    assert report.passages == 3000
    assert seen[-1] == (3000, 3000) and len(seen) > 3
    assert kb.search("SKU-02999", 1)[0].text == "货号: SKU-02999; 品名: 袜子; 单价(元): 9.9; 库存: 3"


def test_a_failure_while_storing_a_reimport_keeps_the_old_version(stocked, store, tmp_path, monkeypatch):
    before = store.kb_passages()
    changed = write_xlsx(tmp_path / "价目表.xlsx", [["SJ-0412", "真丝围巾", 158, 20]])
    real = store.cipher.encrypt_many

    def fail_on_context(table, column, items):
        if column == "context":  # after the old rows were deleted and the new document row was written
            raise StoreError("写入加密数据库失败", "the store could not be written (disk full)")
        return real(table, column, items)

    monkeypatch.setattr(store.cipher, "encrypt_many", fail_on_context)
    with pytest.raises(StoreError):
        stocked.add_file(changed)
    monkeypatch.undo()
    assert store.kb_passages() == before
    assert stocked.search("SJ-0412", 1)[0].text == "货号: SJ-0412; 品名: 真丝围巾; 单价(元): 168; 库存: 23"


def test_nul_bytes_and_control_characters_are_dropped_at_import(kb, store, tmp_path):
    rows = [PRICE_HEADER, ["SJ-04\x0012", "真丝\x1b[31m围巾\x07", 168, 23]]
    kb.add_file(write_csv(tmp_path / "控制符.csv", "utf-8", rows))
    notes = tmp_path / "说明.txt"
    notes.write_text("退货\x00政策：七天\x08无理由\x7f\n\n第二段\t保留制表符", encoding="utf-8")
    kb.add_file(notes)
    assert kb.search("SJ-0412", 1)[0].text == "货号: SJ-0412; 品名: 真丝[31m围巾; 单价(元): 168; 库存: 23"
    texts = {p.text for p in store.kb_passages() if p.source == "说明.txt"}  # every passage kept, as stored
    assert texts == {"退货政策：七天无理由", "第二段\t保留制表符"}
