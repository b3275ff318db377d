"""The work one import makes is bounded, not only the file's size (review N6): a zip bomb is refused before it is
opened, a sheet that declares 16,384 columns or a million rows is read in bounded steps, and an import can be
cancelled or run out of time, in words, leaving the knowledge base as it was."""

from __future__ import annotations

import threading
import time

import openpyxl
import pytest

from tests.kb.files import inflate, write_docx, write_xlsx
from wxbot.errors import KnowledgeError
from wxbot.kb import tables
from wxbot.kb.base import KnowledgeBase
from wxbot.kb.desk import KnowledgeDesk
from wxbot.kb.pieces import Budget, Limits

pytestmark = pytest.mark.timeout(120)


def test_an_xlsx_zip_bomb_is_refused_in_words_before_it_is_opened(kb, tmp_path):
    bomb = write_xlsx(tmp_path / "炸弹.xlsx", prices=[["SJ-0412", "PLACEHOLDER", 168, 23]])
    inflate(bomb, "xl/worksheets/sheet1.xml", "PLACEHOLDER", 64 << 20)  # one 64 MB cell in a file of ~100 KB
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(KnowledgeError) as err:
        kb.add_file(bomb)
    assert "zip bomb" in err.value.en and "压缩炸弹" in err.value.zh and "炸弹.xlsx" in err.value.en
    assert kb.documents() == []


def test_a_docx_that_unpacks_past_the_limit_is_refused(store, settings, tmp_path):
    doc = write_docx(tmp_path / "售后.docx")
    inflate(doc, "word/document.xml", "签收后", 8 << 20)
    kb = KnowledgeBase.open(store, settings.replace(kb_max_unpacked_mb=4))
    with pytest.raises(KnowledgeError, match="over the 4 MB limit.*kb_max_unpacked_mb"):
        kb.add_file(doc)


def _spied_cells(monkeypatch) -> list[int]:
    """Counts the cells the table reader converts (the real function still does the work)."""
    calls = [0]
    real = tables.cell_text

    def counting(value):
        calls[0] += 1
        return real(value)

    monkeypatch.setattr(tables, "cell_text", counting)
    return calls


def test_one_cell_at_column_xfd_makes_no_row_16384_cells_wide(kb, tmp_path, monkeypatch):
    path = tmp_path / "宽表.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "SJ-0412 真丝围巾 168 元"
    book.active["XFD8000"] = "far away"
    book.save(path)
    assert path.stat().st_size < 10_000
    converted = _spied_cells(monkeypatch)
    report = kb.add_file(path)
    assert report.passages == 1 and converted[0] <= tables.MAX_COLUMNS  # blank rows are not converted
    assert any("1000" in note for note in report.notes)  # the owner is told columns were left out


def test_a_sheet_padded_to_the_last_row_is_refused_in_words(kb, tmp_path):
    path = tmp_path / "长表.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "SJ-0412 真丝围巾 168 元"
    book.active["A1048576"] = "the last row Excel has"
    book.save(path)
    with pytest.raises(KnowledgeError, match="empty rows") as err:
        kb.add_file(path)
    assert "空行" in err.value.zh
    assert kb.documents() == []


def test_too_many_cells_are_refused_in_words(store, settings, tmp_path):
    path = write_xlsx(tmp_path / "价目表.xlsx")
    kb = KnowledgeBase.open(store, settings.replace(kb_max_cells=10))
    with pytest.raises(KnowledgeError, match="more than 10 cells.*kb_max_cells"):
        kb.add_file(path)


def test_an_import_is_cancelled_at_its_next_row_and_leaves_the_lock_free(store, settings, tmp_path):
    big = tmp_path / "大表.csv"
    big.write_text("货号,品名,单价\n" + "".join(f"SJ-{i:05d},围巾{i},{i}\n" for i in range(3000)), encoding="utf-8")
    small = tmp_path / "小表.csv"
    small.write_text("货号,品名,单价\nSJ-0412,真丝围巾,168\n", encoding="utf-8")
    desk = KnowledgeDesk(store, settings)
    try:
        # the owner presses Cancel when the first progress shows (500 rows read)
        results = desk.add_files([big, small], progress=lambda *step: desk.cancel_import())
        assert [type(r) for _, r in results] == [KnowledgeError, KnowledgeError]  # the rest of the batch too
        assert "cancelled" in results[0][1].en and "取消" in results[0][1].zh
        assert desk.documents() == []
        assert desk.add_file(small).passages == 1  # the lock was let go; a new import runs
    finally:
        desk.close()


def test_a_cancel_from_another_thread_stops_an_import_that_holds_the_lock(store, settings, tmp_path):
    big = tmp_path / "大表.csv"
    big.write_text("货号,品名,单价\n" + "".join(f"SJ-{i:05d},围巾{i},{i}\n" for i in range(20000)), encoding="utf-8")
    desk = KnowledgeDesk(store, settings)
    reading, pressed, outcome = threading.Event(), threading.Event(), []

    def progress(*step) -> None:  # the import is mid-file, holding the lock, until the owner has pressed Cancel
        reading.set()
        pressed.wait(60)

    worker = threading.Thread(target=lambda: outcome.extend(desk.add_files([big], progress)))
    worker.start()
    try:
        assert reading.wait(60) and desk._lock.locked()
        desk.cancel_import()  # from another thread, without waiting for the lock
        pressed.set()
        worker.join(60)
        assert not worker.is_alive() and isinstance(outcome[0][1], KnowledgeError)
        assert "cancelled" in outcome[0][1].en and not desk._lock.locked()
    finally:
        pressed.set()
        desk.close()


def test_an_import_past_its_time_stops_in_words():
    budget = Budget("慢表.xlsx", 100, limits=Limits(seconds=30))
    budget.row(3)  # within its time
    budget.deadline = time.monotonic() - 1  # as if 30 s had gone by
    with pytest.raises(KnowledgeError, match="more than 30 s.*kb_import_seconds") as err:
        budget.row(3)
    assert "慢表.xlsx" in err.value.zh and "30 秒" in err.value.zh
