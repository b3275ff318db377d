"""The owner's synonyms on the 知识库 page: added, shown, used by the page's search, and removed, through the
widgets a user clicks (the calls run on the page's worker thread; the test waits on the box's signals)."""

from __future__ import annotations

from tests.kb.files import write_xlsx
from tests.ui.test_knowledge_page import cells, opened_page, search


def test_synonyms_are_added_used_and_removed_on_the_page(make_app, qtbot, tmp_path):
    controller, page = opened_page(make_app, qtbot)
    controller.svc.kb().add_files([str(write_xlsx(tmp_path / "价目表.xlsx"))])
    box = page.synonyms
    search(qtbot, page, "丝巾多少钱")
    assert page.hits == [] and not box.list.isVisibleTo(box)  # no empty box taking the documents' room
    box.words.setText("丝巾 真丝围巾")
    with qtbot.waitSignal(box.shown, timeout=60000):
        box.add_button.click()
    assert [box.list.item(i).text() for i in range(box.list.count())] == ["丝巾 = 真丝围巾"]
    assert box.list.isVisibleTo(box)
    assert box.words.text() == ""
    search(qtbot, page, "丝巾多少钱")
    assert cells(page.hits_table, 0)[3].startswith("货号: SJ-0412;")
    box.list.setCurrentRow(0)
    assert box.remove_button.isEnabled()
    with qtbot.waitSignal(box.shown, timeout=60000):
        box.remove_button.click()
    assert box.list.count() == 0 and not box.list.isVisibleTo(box)
    box.words.setText("丝巾")  # one word is no group: the refusal is shown in words
    with qtbot.waitSignal(box.error, timeout=60000):
        box.add_button.click()
    assert "两个词" in box.status.text() or "two words" in box.status.text()
