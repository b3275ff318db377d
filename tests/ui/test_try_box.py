"""The 知识库 page's 「试一试 Try it」 box and same-name imports, on the real store and knowledge base with files
the test writes: the box says which rule, which passages or the fallback would answer, and why; a different
file under a name already there is replaced only when the owner says yes."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QMessageBox

RULES = [{"match": "examples", "examples": ["你好", "在吗", "hello"], "answer": "您好，欢迎光临～"},
         {"match": "examples", "examples": ["围巾多少钱"], "answer": "围巾价格请看商品页。"}]
NOTES = "# 真丝围巾\n\n真丝围巾怎么洗：冷水手洗，不可机洗，阴干。\n"
FALLBACK = "这个我问一下店主再回复您"


def opened(make_app, qtbot, **settings):
    controller = make_app(with_model=False, **settings)
    controller.svc.open_store()
    controller.window.show()
    controller.window.show_page("knowledge")
    return controller, controller.knowledge_page


def ask(qtbot, box, question: str) -> list[list[str]]:
    box.question.setText(question)
    with qtbot.waitSignal(box.shown, timeout=60000):
        box.button.click()
    table = box.candidates
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_try_it_shows_the_rule_the_passage_or_the_fallback(make_app, qtbot, tmp_path):
    controller, page = opened(make_app, qtbot, faq_rules=RULES, kb_fallback_text=FALLBACK, draft_when_unsure=False)
    notes = tmp_path / "商品说明.md"
    notes.write_text(NOTES, encoding="utf-8")
    controller.svc.kb().add_file(notes)
    box = page.try_box

    rows = ask(qtbot, box, "你好，在吗？")
    assert box.verdict.text() == "FAQ rule 1 answers, exactly as you wrote it"
    assert box.answer.text() == "The customer gets: 您好，欢迎光临～" and "rule 1" in box.reason.text()
    assert not re.search(r"[\u4e00-\u9fff]", box.reason.text())  # the English half only: no Chinese tail
    assert rows[0][:3] == ["Rule 1", "1.00", "你好"] or rows[0][:3] == ["Rule 1", "1.00", "在吗"]

    rows = ask(qtbot, box, "真丝围巾怎么洗")
    assert box.verdict.text() == "The model writes the answer" and box.answer.text() == ""
    passage = next(r for r in rows if r[0] == "商品说明.md")
    assert "冷水手洗" in passage[3] and float(passage[1]) > 0.5
    assert all(float(r[1]) < float(passage[1]) for r in rows if r[0].startswith("Rule"))  # weighed, and lost

    rows = ask(qtbot, box, "羊驼毛毯子有货吗")
    assert box.verdict.text() == "Your fallback text answers" and rows == []
    assert box.answer.text() == f"The customer gets: {FALLBACK}"


def test_a_different_file_under_a_taken_name_is_replaced_only_when_the_owner_says_yes(make_app, qtbot, tmp_path,
                                                                                    monkeypatch):
    controller, page = opened(make_app, qtbot)
    prices = tmp_path / "价目表.csv"
    prices.write_text("货号,品名,单价(元)\nSJ-0412,手机支架,168\n", encoding="utf-8")
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.add_files([str(prices)])
    prices.write_text("货号,品名,单价(元)\nSJ-0412,手机支架,178\nXL-0007,数据线,25\n", encoding="utf-8")
    asked: list[str] = []

    def answer(button):
        def question(_parent, _title, text, *a, **k):
            asked.append(text)
            return button
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.add_files([str(prices)])
    assert len(asked) == 1 and "价目表.csv" in asked[0] and "Replace it" in asked[0]
    assert "价目表.csv: not imported:" in page.status.text() and "--replace" in page.status.text()
    assert [(d.name, d.passages) for d in controller.svc.kb().documents()] == [("价目表.csv", 1)]
    assert "168" in controller.svc.kb().search("SJ-0412 多少钱")[0].text

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(page.documents_shown, timeout=60000):
        page.add_files([str(prices)])
    qtbot.waitUntil(lambda: "Replaced, 2 passages" in page.status.text(), timeout=60000)
    assert [(d.name, d.passages) for d in controller.svc.kb().documents()] == [("价目表.csv", 2)]
    assert "178" in controller.svc.kb().search("SJ-0412 多少钱")[0].text
