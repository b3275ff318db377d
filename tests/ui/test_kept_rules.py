"""The FAQ tab writes rules as example questions; a rule kept from a draft (存为常见问题 on the Drafts page, #faq N from the phone: both go through the draft
desk's ``keep``) appears at once in Settings → 常见问题, and no later save there drops it (issue 23 item 3: the
Settings page used to write the list it had loaded back over the kept rule). Real store, real widgets."""

from __future__ import annotations

from wxbot.core.drafts import Keep

OLD = [{"match": "contains", "pattern": "营业", "answer": "每天 9 点到 18 点"}]
QUESTION, ANSWER = "你们店的地址在哪", "新店：人民路 18 号 2 楼"


def opened_settings(make_app):
    app = make_app(with_model=False, faq_rules=OLD)
    app.svc.open_store()
    app.settings_page.load(app.svc.settings)  # as the app does once the store is open
    app.window.show()
    app.window.show_page("settings")
    return app


def kept_in(rules: list[dict]) -> bool:
    return any(r.get("answer") == ANSWER and QUESTION in (r.get("examples") or [r.get("pattern")]) for r in rules)


def test_a_settings_save_keeps_a_rule_kept_meanwhile(make_app, qtbot):
    app = opened_settings(make_app)
    page = app.settings_page
    page.inputs["reply_prefix"].setText("[助理] ")  # the owner is changing something else in Settings
    app.svc.bot.drafts.keep(Keep.FAQ, QUESTION, ANSWER)  # meanwhile a correction is kept (#faq N, the Drafts page)
    assert kept_in(app.svc.settings.faq_rules)
    page.apply()  # the form still holds the list it loaded
    qtbot.waitUntil(lambda: page.saved.text() == "Saved", timeout=60000)
    assert app.svc.settings.reply_prefix == "[助理] "
    assert kept_in(app.svc.settings.faq_rules) and OLD[0] in app.svc.settings.faq_rules
    assert kept_in(app.svc.store.get_personal("faq_rules", []))  # what the next start reads
    assert kept_in(page.faq.rules())


def test_a_kept_rule_appears_in_settings_at_once_beside_unsaved_edits(make_app, qtbot):
    app = opened_settings(make_app)
    page = app.settings_page
    page.faq.table.item(0, 2).setText("每天 9 点到 20 点")  # an edit the owner has not applied yet
    app.svc.bot.drafts.keep(Keep.FAQ, QUESTION, ANSWER)
    qtbot.waitUntil(lambda: kept_in(page.faq.rules()), timeout=30000)
    rules = page.faq.rules()
    assert kept_in(rules[:1]) and rules[1] == {**OLD[0], "answer": "每天 9 点到 20 点"}
    page.apply()
    qtbot.waitUntil(lambda: page.saved.text() == "Saved", timeout=60000)
    assert app.svc.settings.faq_rules == rules
    page.faq.table.removeRow(0)  # the owner may still remove the kept rule on purpose
    page.apply()
    qtbot.waitUntil(lambda: not kept_in(app.svc.settings.faq_rules), timeout=60000)
    assert app.svc.settings.faq_rules == [{**OLD[0], "answer": "每天 9 点到 20 点"}]


def test_the_faq_tab_writes_a_rule_as_example_questions(make_app, qtbot):
    app = opened_settings(make_app)
    page = app.settings_page
    page.faq.add_rule({"match": "examples", "examples": [], "answer": ""})
    row = page.faq.table.rowCount() - 1
    assert page.faq.table.cellWidget(row, 0).currentData() == "examples"
    page.faq.table.item(row, 1).setText("能退货吗 | 不喜欢可以退吗｜拆开了还能退吗")
    page.faq.table.item(row, 2).setText("7 天无理由退换")
    page.inputs["faq_min_similarity"].setValue(0.6)
    page.apply()
    qtbot.waitUntil(lambda: page.saved.text() == "Saved", timeout=60000)
    assert app.svc.settings.faq_min_similarity == 0.6
    assert app.svc.settings.faq_rules[-1] == {"match": "examples", "answer": "7 天无理由退换",
                                              "examples": ["能退货吗", "不喜欢可以退吗", "拆开了还能退吗"]}
    assert page.faq.table.item(row, 1).text() == "能退货吗 | 不喜欢可以退吗 | 拆开了还能退吗"
    page.faq.table.item(row, 1).setText("")  # a rule with no example question is refused in words
    page.apply()
    assert "faq_rules[1].examples" in page.error.text() and "example" in page.error.text()
