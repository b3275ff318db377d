"""The Knowledge gaps page (知识缺口) as the owner uses it: a question whose draft was rejected shows up with how
often it was asked and why; one answer kept as an FAQ rule closes it, and the customer asking again gets that
answer by itself. Real itchat-uos, the simulator, a real encrypted store."""

from __future__ import annotations

from tests.ui.flows import log_in

WRONG = [{"match": "contains", "pattern": "发票", "answer": "不能开发票"}]


def test_a_gap_is_answered_once_from_the_page(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=WRONG)
    log_in(qtbot, app, sim)
    qtbot.waitExposed(app.window)
    sim.inject("zhang", "能开发票吗")
    qtbot.waitUntil(lambda: len(app.svc.drafts()) == 1, timeout=30000)
    assert "已放弃" in app.svc.reject_draft(app.svc.drafts()[0].draft_id)

    page = app.gaps_page
    app.window.show_page("gaps")  # opening the page reads the gaps
    qtbot.waitUntil(lambda: page.list.count() == 1, timeout=30000)
    assert page.list.item(0).text() == "1× 能开发票吗 (you rejected the draft)"
    assert page.asked.text() == "能开发票吗"
    page.answer.setPlainText("可以开电子发票")
    page.keep_faq_button.click()
    qtbot.waitUntil(lambda: page.list.count() == 0 and "已保存" in page.status.text(), timeout=30000)
    assert app.svc.settings.faq_rules[0] == {"match": "examples", "examples": ["能开发票吗"], "answer": "可以开电子发票"}

    app.svc.set_mode(next(c.contact_id for c in app.svc.contacts() if c.name == "张三-老客户"), "auto")
    sim.inject("zhang", "能开发票吗")
    qtbot.waitUntil(lambda: [o["text"] for o in sim.outbox() if o["to_id"] == "zhang"] == ["[AI] 可以开电子发票"],
                    timeout=30000)
