"""The whole path through the window, as the owner sees it: QR login -> contacts -> per-contact modes ->
replies in Conversations and in the simulator's outbox -> tray Stop/Start; and after a kick, a Log in button.
Real itchat-uos, the simulator on 127.0.0.1, the real test model and a real encrypted store."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt, QTimer

from tests.ui.flows import log_in
from wxbot.ui.modes import ModeCombo
from wxbot.ui.pages.contacts_model import COL_MODE, COL_NAME

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(240)]


def _row(controller, name: str) -> int:
    model = controller.contacts_page.model
    rows = [i for i, c in enumerate(model.contacts) if c.name == name]
    assert len(rows) == 1, [c.name for c in model.contacts]
    return rows[0]


def _pick(qtbot, controller, name: str, mode: str) -> None:
    """What the owner does with the keyboard: go to the row's mode cell, F2 opens the list of modes, the
    arrow keys and Enter pick one, and it is saved the moment it is chosen."""
    controller.window.show_page("contacts")
    page = controller.contacts_page
    # the page shows every contact the login synced: a list that still grows is rebuilt, which closes an open editor
    qtbot.waitUntil(lambda: {c.contact_id for c in page.model.contacts}
                    == {c.contact_id for c in controller.svc.contacts()}, timeout=30000)
    table = page.table
    table.setFocus()
    cell = page.proxy.mapFromSource(page.model.index(_row(controller, name), COL_MODE))
    table.setCurrentIndex(cell)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.indexWidget(cell)
    assert isinstance(editor, ModeCombo) and editor.isVisible()
    qtbot.waitUntil(editor.view().isVisible, timeout=30000)
    list_view = editor.view()
    steps = editor.findData(mode) - editor.currentIndex()
    for _ in range(abs(steps)):
        qtbot.keyClick(list_view, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)
    qtbot.keyClick(list_view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _mode(controller, name) == mode, timeout=30000)  # saved off the GUI thread


def _mode(controller, name: str) -> str:
    model = controller.contacts_page.model
    return model.index(_row(controller, name), COL_MODE).data(Qt.ItemDataRole.EditRole)


def _state(controller, msg_id: str) -> str:
    m = controller.svc.store.get_message(msg_id)
    return m.state if m else "missing"


def _settled(controller, msg_id: str) -> bool:
    return _state(controller, msg_id) in ("replied", "skipped", "failed", "expired")


def test_login_toggle_reply_and_tray(qtbot, make_app, sim):
    app = make_app()
    log_in(qtbot, app, sim)
    assert app.window.current_page() == "dashboard"  # the default page once logged in
    assert "Logged in as" in app.window.login_label.text()

    # contacts listed, groups off by default
    qtbot.waitUntil(lambda: {"张三-老客户", "李四🌸", "周末读书会"} <= {c.name for c in app.contacts_page.model.contacts},
                    timeout=30000)  # the list is read off the GUI thread, as the login syncs it
    names = [c.name for c in app.contacts_page.model.contacts]
    assert "张三-老客户" in names and "周末读书会" in names
    assert _mode(app, "周末读书会") == "off"

    # the owner sets 李四 to auto and 张三 to auto then off again; each choice saves at once
    _pick(qtbot, app, "李四🌸", "auto")
    _pick(qtbot, app, "张三-老客户", "auto")
    _pick(qtbot, app, "张三-老客户", "off")
    assert _mode(app, "李四🌸") == "auto" and _mode(app, "张三-老客户") == "off"
    assert app.contacts_page.model.index(_row(app, "李四🌸"), COL_MODE).data() == "Auto"
    assert {c.name: c.mode for c in app.svc.contacts()}["李四🌸"] == "auto"

    # auto-reply starts by itself after login (the owner did not stop it); the tray says so
    qtbot.waitUntil(lambda: app.tray.state == "running", timeout=30000)
    assert "running" in app.tray.icon.toolTip() and app.tray.stop_action.isEnabled()

    qtbot.waitUntil(lambda: app.svc.model_state.state == "ready", timeout=60000)
    qtbot.waitUntil(lambda: app.window.model_label.text().startswith("Model: "))  # after the queued event
    ignored = sim.inject("zhang", "你好，在吗？")
    answered = sim.inject("li", "请问今天营业吗？")
    qtbot.waitUntil(lambda: _settled(app, answered) and _settled(app, ignored), timeout=120000)
    assert _state(app, answered) == "replied"
    assert _state(app, ignored) == "skipped"
    out = sim.outbox()
    assert [m["to_id"] for m in out] == ["li"]

    # the reply shows in Conversations, marked as the bot's
    app.contacts_page.table.selectRow(app.contacts_page.proxy.mapFromSource(
        app.contacts_page.model.index(_row(app, "李四🌸"), COL_NAME)).row())
    app.contacts_page.chat_button.click()
    assert app.window.current_page() == "conversations"
    convo = app.conversations_page
    qtbot.waitUntil(lambda: any(i.direction == "out" and i.by_bot for i in convo.items), timeout=30000)
    reply = [i for i in convo.items if i.direction == "out"][-1]
    assert out[0]["text"].endswith(reply.text) or reply.text in out[0]["text"]
    assert " AI " in convo.view.toPlainText()  # the source tag
    # the untouched contact's message is marked as not answered, in words
    convo.show_contact(next(c.contact_id for c in app.svc.contacts() if c.name == "张三-老客户"))
    qtbot.waitUntil(lambda: len(convo.items) == 1, timeout=30000)
    assert "Not answered automatically: auto-reply is off for this contact" in convo.view.toPlainText()

    # tray Stop: no replies
    with qtbot.waitSignal(app.bridge.bot_state, check_params_cb=lambda s: s.state == "stopped", timeout=30000):
        app.tray.stop_action.trigger()
    assert app.tray.state == "stopped" and app.tray.start_action.isEnabled()
    during_stop = sim.inject("li", "还在吗？")
    qtbot.waitUntil(lambda: _settled(app, during_stop), timeout=30000)
    assert _state(app, during_stop) == "skipped"
    assert len(sim.outbox()) == 1

    # tray Start: replies resume
    with qtbot.waitSignal(app.bridge.bot_state, check_params_cb=lambda s: s.state == "running", timeout=30000):
        app.tray.start_action.trigger()
    again = sim.inject("li", "那明天呢？")
    qtbot.waitUntil(lambda: _settled(app, again), timeout=120000)
    assert _state(app, again) == "replied"
    assert [m["to_id"] for m in sim.outbox()] == ["li", "li"]


def test_after_wechat_ends_the_session_the_login_page_waits_for_the_owner(qtbot, make_app, sim):
    """README: wxbot never logs back in by itself. WeChat kicks the session (its risk control): the Login page
    comes back with the reason in words and a Log in button, and no QR code is asked for until it is pressed."""
    app = make_app(with_model=False)
    log_in(qtbot, app, sim)
    with qtbot.waitSignal(app.bridge.login_state, timeout=60000, check_params_cb=lambda s: s.state == "logged_out"):
        sim.kick()
    assert app.window.current_page() == "login"
    assert app.window.banner.isVisible() and "logged you out" in app.window.banner.label.text()
    assert app.tray.state == "logged_out"
    assert not app.login_busy and app.login_page.login_button.isVisible()  # no login under way
    with qtbot.waitSignal(app.bridge.qr_code, timeout=60000):  # the owner chooses to log in again
        app.login_page.login_button.click()
    assert not app.login_page.qr.pixmap().isNull()


def test_gui_stays_responsive_while_the_model_generates(qtbot, make_app, sim):
    """A 10 ms QTimer on the GUI thread keeps ticking (gaps < 100 ms) from the moment the message is
    stored until the bot's reply is stored, i.e. while the real model generates."""
    app = make_app(max_reply_tokens=64)
    log_in(qtbot, app, sim)
    qtbot.waitUntil(lambda: app.svc.model_state.state == "ready", timeout=60000)
    _pick(qtbot, app, "李四🌸", "auto")
    qtbot.waitUntil(lambda: app.svc.bot_running, timeout=30000)
    li = next(c.contact_id for c in app.svc.contacts() if c.name == "李四🌸")
    app.conversations_page.show_contact(li)  # the page re-renders live during the measurement
    app.window.show_page("conversations")

    ticks: list[float] = []
    window = {"open": False, "done": False}

    def tick() -> None:
        if window["open"]:
            ticks.append(time.perf_counter())

    def logged(event) -> None:
        if event.contact_id != li:
            return
        if event.direction == "in":
            window["open"] = True
            ticks.append(time.perf_counter())
        elif event.by_bot and window["open"]:
            ticks.append(time.perf_counter())
            window["open"], window["done"] = False, True

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    app.bridge.message_logged.connect(logged)
    sim.inject("li", "请详细介绍一下你们店里有哪些书，以及会员有什么优惠？")
    qtbot.waitUntil(lambda: window["done"], timeout=120000)
    timer.stop()
    gaps = [b - a for a, b in pairwise(ticks)]
    assert len(gaps) >= 10, "the measurement window should span the generation"
    assert max(gaps) < 0.100, f"GUI stalled {max(gaps) * 1000:.0f} ms while generating"
