"""The 知识库 page on the real store and knowledge base: a file the test writes goes in by the file dialog or by
drag-and-drop, the list shows its passages and import time, the search box shows what the bot would retrieve
(text, source, place, score) or that nothing is relevant, re-import replaces, remove takes it all away; the
Conversations page shows the passages a bot reply used."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from wxbot.messages import Passage, Reply

PRICES = "货号,品名,单价(元),库存\nSJ-0412,手机支架,168,23\nXL-0007,数据线,25,300\n"


def write_prices(path, price: int = 168) -> None:
    path.write_text(PRICES.replace("168", str(price)), encoding="gbk")  # as a Chinese Windows Excel saves it


def opened_page(make_app, qtbot):
    controller = make_app(with_model=False)
    controller.svc.open_store()
    controller.window.show()
    controller.window.show_page("knowledge")
    return controller, controller.knowledge_page


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def search(qtbot, page, text: str) -> None:
    page.query.setText(text)
    with qtbot.waitSignal(page.results_shown, timeout=60000):
        page.search_button.click()


def test_add_search_reimport_and_remove(make_app, qtbot, tmp_path, monkeypatch):
    controller, page = opened_page(make_app, qtbot)
    prices = tmp_path / "价目表.csv"
    write_prices(prices)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(prices)], ""))
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.add_button.click()
    assert page.table.rowCount() == 1
    name, kind, passages, imported, _ = cells(page.table, 0)
    assert (name, kind, passages) == ("价目表.csv", "csv", "2") and imported.startswith("20")
    assert "价目表.csv: Added, 2 passages" in page.status.text()
    assert "keyword search only" in page.semantic.text()  # the owner is told what semantic search would add

    search(qtbot, page, "SJ-0412 多少钱")
    score, source, where, text = cells(page.hits_table, 0)
    assert source == "价目表.csv" and where and float(score) > 0
    assert "SJ-0412" in text and "168" in text
    search(qtbot, page, "周末一起去爬山吗")
    assert page.hits_table.rowCount() == 0 and "Nothing relevant" in page.search_note.text()

    write_prices(prices, 178)  # the owner changed a price in the file
    page.table.selectRow(0)
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.reimport_button.click()
    assert "Replaced, 2 passages" in page.status.text() and page.table.rowCount() == 1
    search(qtbot, page, "SJ-0412 多少钱")
    assert "178" in cells(page.hits_table, 0)[3] and "168" not in cells(page.hits_table, 0)[3]

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.table.selectRow(0)
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.remove_button.click()
    assert page.table.rowCount() == 0 and "价目表.csv removed" in page.status.text()
    search(qtbot, page, "SJ-0412 多少钱")
    assert page.hits_table.rowCount() == 0
    assert controller.svc.kb().documents() == []


def test_dropped_files_are_imported_and_a_bad_one_is_explained(make_app, qtbot, tmp_path):
    _, page = opened_page(make_app, qtbot)
    guide = tmp_path / "售后.md"
    guide.write_text("# 退换货\n\n收货 7 天内，商品未使用可无理由退换。\n", encoding="utf-8")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG not a document")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(guide)), QUrl.fromLocalFile(str(bad))])
    drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.dropEvent(drop)
    assert [cells(page.table, r)[0] for r in range(page.table.rowCount())] == ["售后.md"]
    assert "售后.md: Added" in page.status.text()
    assert "photo.png: not imported:" in page.status.text() and "not supported" in page.status.text()


def test_conversations_page_shows_the_passages_a_reply_used(make_app, qtbot):
    controller = make_app(with_model=False)
    svc = controller.svc
    svc.open_store()
    contact = svc.store.upsert_contact("friend", "张三")
    used = Passage("货号: SJ-0412; 品名: 手机支架; 单价(元): 168", "价目表.xlsx", "商品 第2行", 3.2)
    svc.store.record_reply(Reply("@u", ("[AI] 168 元",), "model", body="168 元", passages=(used,)), contact.id)
    controller.refresh_contacts()
    controller.window.show_page("conversations")
    with qtbot.waitSignal(controller.conversations_page.history_shown, timeout=30000):
        controller.conversations_page.show_contact(contact.id)
    shown = controller.conversations_page.view.toPlainText()
    assert "168 元" in shown
    assert "Knowledge-base passages this reply used:" in shown
    assert "价目表.xlsx · 商品 第2行: 货号: SJ-0412; 品名: 手机支架; 单价(元): 168" in shown
