"""The window and the tray without a WeChat login: closing hides to the tray (said once) or quits where
there is no tray; the status bar and banner show model states in words; the tray menu follows the state."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent

from wxbot.events import BotState, LoginState, ModelState, Notice
from wxbot.settings import load_settings
from wxbot.ui.controller import AppController


def spontaneous_close(window) -> QCloseEvent:
    """What the window manager's close button sends (spontaneous, unlike window.close())."""
    event = QCloseEvent()
    event.setAccepted(True)
    event.spontaneous = lambda: True  # QEvent.spontaneous can't be set from Python; the handler only reads it
    window.closeEvent(event)
    return event


def make(qtbot, data_dir, tray: bool) -> AppController:
    controller = AppController(load_settings(), "en", use_tray=tray)
    qtbot.addWidget(controller.window)
    controller.window.show()
    return controller


def test_close_hides_to_tray_and_says_so_once(qtbot, data_dir):
    c = make(qtbot, data_dir, tray=True)
    messages = []
    c.tray.message = lambda title, text: messages.append(title)
    event = spontaneous_close(c.window)
    assert not event.isAccepted()
    assert not c.window.isVisible() and not c.closing
    assert c.tray.window_action.text() == "Show window"
    c.tray.toggle_window.emit()
    assert c.window.isVisible()
    spontaneous_close(c.window)
    assert messages == ["wxbot keeps running"]
    c.close_now()


def test_close_quits_where_there_is_no_tray(qtbot, data_dir):
    c = make(qtbot, data_dir, tray=False)
    with qtbot.waitSignal(c.finished, timeout=30000):
        spontaneous_close(c.window)
    assert c.closing and c.closed and not c.window.isVisible()


def test_model_states_and_notices_reach_the_window_in_words(qtbot, data_dir):
    c = make(qtbot, data_dir, tray=True)
    post = c.bridge.post
    with qtbot.waitSignal(c.bridge.model_state, timeout=30000):
        post(ModelState("loading", 0.4, detail="model.gguf"))
    assert c.window.model_progress.isVisibleTo(c.window) and c.window.model_progress.value() == 40
    with qtbot.waitSignal(c.bridge.model_state, timeout=30000):
        post(ModelState("ready", 1.0, detail="20/29 layers on GPU (5.1 GB)"))
    assert c.window.model_label.text() == "Model ready: 20/29 layers on GPU (5.1 GB)"
    assert not c.window.model_progress.isVisibleTo(c.window)
    with qtbot.waitSignal(c.bridge.model_state, timeout=30000):
        post(ModelState("error", detail="显存不足 (out of GPU memory)"))
    assert c.window.banner.level == "error" and "out of GPU memory" in c.window.banner.label.text()
    with qtbot.waitSignal(c.bridge.model_state, timeout=30000):
        post(ModelState("none"))
    assert "Settings page" in c.window.banner.label.text()
    with qtbot.waitSignal(c.bridge.model_state, timeout=30000):
        post(ModelState("none", detail="还没有模型：请把 .gguf 放进 models/ (no model yet: put a .gguf in models/)"))
    assert "put a .gguf in models/" in c.window.banner.label.text()
    with qtbot.waitSignal(c.bridge.notice, timeout=30000):
        post(Notice("warning", "有 2 个联系人需要确认 (2 contacts need confirming)"))
    assert c.window.banner.level == "warning"
    c.close_now()


def test_tray_menu_and_icon_follow_the_bot_state(qtbot, data_dir):
    c = make(qtbot, data_dir, tray=True)
    assert not c.tray.start_action.isEnabled() and not c.tray.stop_action.isEnabled()  # logged out
    c.svc.login_state = LoginState("logged_in", "小王的店")  # what the service holds after a login
    with qtbot.waitSignal(c.bridge.bot_state, timeout=30000):
        c.bridge.post(BotState("running"))
    assert c.tray.state == "running" and c.tray.stop_action.isEnabled() and not c.tray.start_action.isEnabled()
    assert "running" in c.tray.icon.toolTip()
    icon_running = c.tray.icon.icon().pixmap(32).toImage()
    with qtbot.waitSignal(c.bridge.bot_state, timeout=30000):
        c.bridge.post(BotState("stopped", "微信团队发来安全提醒 (a warning from the WeChat team)"))
    assert c.tray.state == "stopped" and "warning from the WeChat team" in c.tray.icon.toolTip()
    assert c.tray.icon.icon().pixmap(32).toImage() != icon_running
    assert c.tray.start_action.isEnabled() and not c.tray.stop_action.isEnabled()
    assert "warning from the WeChat team" in c.window.bot_label.text()
    c.close_now()



def test_second_start_brings_the_running_window_forward_and_exits(qtbot, data_dir, capsys):
    from wxbot.ui.app import run_app
    from wxbot.ui.single import InstanceServer

    first = make(qtbot, data_dir, tray=False)
    first.svc.acquire_instance()
    server = InstanceServer(first.svc.settings.data_path, first)
    server.raise_requested.connect(first.bring_to_front)
    first.window.hide()
    with qtbot.waitSignal(server.raise_requested, timeout=30000):
        assert run_app([]) == 0
    assert "already running" in capsys.readouterr().out
    assert first.window.isVisible()
    first.close_now()


def test_settings_page_applies_through_the_service_and_saves(qtbot, data_dir):
    import json

    c = make(qtbot, data_dir, tray=False)
    page = c.settings_page
    page.inputs["reply_prefix"].setText("【助理】")
    page.inputs["takeover_minutes"].setValue(25)
    page.apply()
    qtbot.waitUntil(lambda: page.saved.text() == "Saved", timeout=30000)
    assert c.svc.settings.reply_prefix == "【助理】" and c.svc.settings.takeover_minutes == 25
    saved = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
    assert saved["reply_prefix"] == "【助理】" and saved["takeover_minutes"] == 25
    c.close_now()


def test_the_window_keeps_its_size_and_the_navigation_fits_both_languages(qtbot, make_app, sim):
    """Opening the Contacts page with its list loaded does not widen the window; every navigation entry fits
    without clipping or a scrollbar, in English and in Chinese."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from tests.ui.flows import log_in
    from wxbot.ui.i18n import install_translator
    from wxbot.ui.window import MainWindow

    app = make_app(with_model=False)
    log_in(qtbot, app, sim)
    window = app.window
    qtbot.waitExposed(window)
    size = window.size()
    window.show_page("contacts")
    qtbot.waitUntil(lambda: app.contacts_page.model.rowCount() > 0, timeout=30000)
    qtbot.waitUntil(lambda: app.contacts_page.summary.text() != "", timeout=30000)
    assert window.size() == size
    for lang in ("en", "zh"):
        translators = install_translator(QCoreApplication.instance(), lang)
        try:
            other = MainWindow({key: QWidget() for key in MainWindow.PAGES})
            qtbot.addWidget(other)
            other.show()
            qtbot.waitExposed(other)
            nav = other.nav
            assert not nav.horizontalScrollBar().isVisible()
            for row in range(nav.count()):
                assert nav.visualItemRect(nav.item(row)).right() <= nav.viewport().width()
                assert nav.fontMetrics().horizontalAdvance(nav.item(row).text()) + 20 + 16 <= nav.width()
        finally:
            for translator in translators:
                QCoreApplication.removeTranslator(translator)
            install_translator(QCoreApplication.instance(), "en")
