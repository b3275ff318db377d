"""The Drafts page (草稿) as the owner uses it, keyboard first: drafts arrive (count in the navigation and the
tray), Enter sends one, Ctrl+E then Ctrl+Enter sends the owner's words (and one click keeps them as an FAQ
rule), Ctrl+R writes it again, Esc rejects (with an undo). Real itchat-uos, the simulator, a real encrypted store."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.flows import log_in

FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9 点到 18 点"},
       {"match": "contains", "pattern": "地址", "answer": "人民路 8 号"}]


def _sent_to(sim, who: str) -> list[str]:
    return [o["text"] for o in sim.outbox() if o["to_id"] == who]


def _open_drafts(qtbot, app, count: int):
    page = app.drafts_page
    qtbot.waitUntil(lambda: len(page.drafts) == count, timeout=30000)
    app.window.show_page("drafts")
    app.window.activateWindow()
    page.list.setFocus()
    return page


def test_drafts_page_sends_edits_and_rejects_with_the_keyboard(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)
    log_in(qtbot, app, sim)
    qtbot.waitExposed(app.window)

    # a customer asks: a draft waits, nothing reaches them; navigation and tray say how many
    sim.inject("zhang", "今天营业吗")
    page = _open_drafts(qtbot, app, 1)
    nav = app.window.nav.item(app.window.PAGES.index("drafts")).text()
    assert nav == "Drafts (1)" and "1 drafts waiting" in app.tray.icon.toolTip()
    assert page.title.text().startswith("Draft #") and "张三-老客户" in page.title.text()
    assert page.asked.text() == "今天营业吗" and page.text.toPlainText() == "每天 9 点到 18 点"
    assert _sent_to(sim, "zhang") == []

    # Enter sends it as written, once
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _sent_to(sim, "zhang") == ["[AI] 每天 9 点到 18 点"], timeout=30000)
    qtbot.waitUntil(lambda: page.drafts == [] and app.window.nav.item(app.window.PAGES.index("drafts")).text() == "Drafts", timeout=30000)
    assert "drafts waiting" not in app.tray.icon.toolTip()

    # Ctrl+E, the owner's words, Ctrl+Enter: sent verbatim; then one click keeps them as an FAQ rule
    sim.inject("li", "你们的地址在哪")
    page = _open_drafts(qtbot, app, 1)
    qtbot.keyClick(page.list, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert page.editing and not page.text.isReadOnly()
    page.text.selectAll()
    page.text.insertPlainText("新店：人民路 18 号 *2 楼*")  # Chinese arrives through the input method, not keys
    qtbot.keyClick(page.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _sent_to(sim, "li") == ["新店：人民路 18 号 *2 楼*"], timeout=30000)
    qtbot.waitUntil(page.keep_faq_button.isVisible, timeout=30000)
    page.keep_faq_button.click()
    qtbot.waitUntil(lambda: app.svc.settings.faq_rules[0]["answer"] == "新店：人民路 18 号 *2 楼*", timeout=30000)
    assert app.svc.settings.faq_rules[0]["examples"] == ["你们的地址在哪"]
    # shown in Settings without the owner doing anything (the page hears the change on the GUI thread)
    qtbot.waitUntil(lambda: app.settings_page.faq.rules()[:1] == app.svc.settings.faq_rules[:1], timeout=30000)

    # Ctrl+R writes it again (a new draft replaces it); Esc rejects: nothing is sent
    sim.inject("wang", "营业到几点")
    page = _open_drafts(qtbot, app, 1)
    first = page.current().draft_id
    qtbot.keyClick(page.list, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.drafts and page.drafts[0].draft_id != first, timeout=30000)
    assert len(page.drafts) == 1
    page.list.setFocus()
    qtbot.keyClick(page.list, Qt.Key.Key_Escape)  # Esc asks for a few seconds: 撤销 Undo takes it back
    assert page.undo_button.isVisible() and page.rejecting == page.drafts[0].draft_id
    page.undo_button.click()
    assert not page.undo_button.isVisible() and page.rejecting == 0
    qtbot.keyClick(page.list, Qt.Key.Key_Escape)
    qtbot.keyClick(page.list, Qt.Key.Key_Escape)  # a second Esc meanwhile rejects nothing more
    qtbot.waitUntil(lambda: page.drafts == [], timeout=30000)
    assert "rejected" in page.status.text() and _sent_to(sim, "wang") == []
