"""`wxbot demo`'s parts: the driver scans and confirms on the simulated phone and switches auto-reply on;
the phone panel writes as a friend and shows the bot's reply from the simulator's outbox."""

from __future__ import annotations

import pytest

from wxbot.ui.demo import DemoDriver, PhonePanel

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(180)]


def test_demo_logs_in_by_itself_and_the_phone_panel_shows_the_reply(qtbot, make_app, sim):
    app = make_app()
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
    panel.input.setText("你好，在吗？")
    panel.send()
    qtbot.waitUntil(lambda: len(sim.outbox()) == 1, timeout=120000)
    qtbot.waitUntil(lambda: sim.outbox()[0]["text"] in panel.view.toPlainText(), timeout=5000)
    assert "你好，在吗？" in panel.view.toPlainText()

    panel.chat.setCurrentIndex(panel.chat.findData("readers"))
    assert panel.member.isEnabled() and panel.at_bot.isChecked()
    assert sim.outbox()[0]["text"] not in panel.view.toPlainText()  # each chat shows its own messages
