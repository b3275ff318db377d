"""`wxbot demo`'s parts: the driver scans and confirms on the simulated phone and switches auto-reply on;
the phone panel writes as a friend and shows the bot's reply from the simulator's outbox."""

from __future__ import annotations

import re

import pytest

from wxbot.demoshop import SHOPS, answer_origin, demo_shop_settings
from wxbot.messages import ReplySource
from wxbot.settings import Settings
from wxbot.ui.demo import DemoDriver, PhonePanel

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(180)]


def test_demo_shop_logs_in_by_itself_and_the_phone_panel_shows_the_reply_and_its_origin(qtbot, make_app, sim):
    shop = demo_shop_settings(Settings(), "zh")
    app = make_app(lang="zh", persona=shop.persona, faq_rules=shop.faq_rules, kb_quote_passages=shop.kb_quote_passages)
    driver = DemoDriver(app, sim)
    driver.scan_delay_ms = 10
    panel = PhonePanel(sim, app)
    qtbot.addWidget(panel)
    app.start()
    qtbot.waitUntil(lambda: app.svc.bot_running and app.svc.model_state.state == "ready", timeout=60000)
    views = {c.name: c for c in app.svc.contacts()}
    assert views["张三-老客户"].mode == "auto" and views["周末读书会"].mode == "auto"

    panel.chat.setCurrentIndex(panel.chat.findData("wang"))
    assert not panel.member.isEnabled()
    assert [d.name for d in app.svc.kb().documents()] == ["价目表.csv", "商品说明.md"]
    panel.input.setText("羊绒围巾多少钱？")
    panel.send()
    qtbot.waitUntil(lambda: len(sim.outbox()) == 1, timeout=120000)
    assert sim.outbox()[0]["text"].splitlines() == ["[AI] 货号: CS-201; 品名: 羊绒围巾; 颜色: 驼色; 单价(元): 299; 库存: 12",
                                                   "货号: CS-202; 品名: 羊绒围巾; 颜色: 燕麦; 单价(元): 299; 库存: 0"]
    qtbot.waitUntil(lambda: "库存: 0" in panel.view.toPlainText(), timeout=30000)
    shown = panel.view.toPlainText()
    assert "羊绒围巾多少钱？" in shown and "货号: CS-201; 品名: 羊绒围巾; 颜色: 驼色; 单价(元): 299; 库存: 12" in shown
    assert "↳ 知识库原文: 价目表.csv · 第4行；价目表.csv · 第5行" in shown  # in the UI's language only

    panel.chat.setCurrentIndex(panel.chat.findData("readers"))
    assert panel.member.isEnabled() and panel.at_bot.isChecked()
    assert "库存: 0" not in panel.view.toPlainText()  # each chat shows its own messages


def test_the_english_demo_shop_speaks_english():
    """The English UI's demo is an English shop: persona, FAQ answers and the knowledge-base files."""
    shop = demo_shop_settings(Settings(), "en")
    texts = [shop.persona, *(r["answer"] for r in shop.faq_rules), *(n + t for n, t in SHOPS["en"].files)]
    assert not [t for t in texts if re.search(r"[\u3000-\u9fff\uff00-\uffef]", t)]
    assert any(re.search(r["pattern"], "How much is shipping?") for r in shop.faq_rules)
    assert answer_origin(ReplySource.FAQ, (), "en") == "FAQ rule (the owner's words)"
    assert answer_origin(ReplySource.FAQ, (), "zh") == "FAQ 规则（店主写好的原话）"
