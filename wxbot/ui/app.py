"""The desktop app's entry: one window per data dir, the first-run guide and risk notice, the translator, and
``wxbot demo`` (the app logged in to the built-in simulator, with the demo phone panel)."""

from __future__ import annotations

import os
import sys
import tempfile

from loguru import logger
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from wxbot.demoshop import demo_shop_settings
from wxbot.errors import AlreadyRunningError, WxbotError
from wxbot.logs import setup_logging
from wxbot.settings import Settings, load_settings
from wxbot.ui.controller import AppController
from wxbot.ui.dialogs import ask_risk_acknowledged, install_excepthook
from wxbot.ui.i18n import install_translator, tr, ui_language
from wxbot.ui.icons import app_icon
from wxbot.ui.signals import StopSignals
from wxbot.ui.single import InstanceServer, ask_running_instance_to_raise

DEMO_HOLD_SECONDS = 10.0


def _application(argv: list[str] | None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("wxbot")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the tray keeps the app alive; quitting is explicit
    return app


def _demo_settings(settings: Settings, base_url: str, lang: str) -> Settings:
    data_dir = os.environ.get("WXBOT_DATA_DIR") or tempfile.mkdtemp(prefix="wxbot-demo-")
    return demo_shop_settings(settings, lang).replace(
        data_dir=data_dir, wechat_base_url=base_url, risk_acknowledged=True, guide_done=True, typing_delay_base=0.5,
        typing_delay_per_char=0.01, min_seconds_between_replies=1.0, aggregate_seconds=1.0)


def greet(controller: AppController) -> bool:
    """The first-run guide once, then the risk notice while it is unacknowledged; False: the owner quit."""
    svc = controller.svc
    if not svc.settings.guide_done:
        chosen = controller.run_guide()
        if controller.closing:  # Ctrl-C or SIGTERM while the guide was open
            return False
        svc.apply_settings(chosen)
    if not svc.settings.risk_acknowledged:
        if not ask_risk_acknowledged(svc.settings, controller.lang, controller.window):
            return False
        svc.apply_settings(svc.settings.replace(risk_acknowledged=True))
    return True


def _stop(controller: AppController) -> None:
    """A stop signal: quit, and end a modal dialog (the first-run guide, the risk notice) that holds the start."""
    modal = QApplication.activeModalWidget()
    controller.quit()
    if isinstance(modal, QDialog):
        modal.reject()


def run_app(argv: list[str] | None = None, *, demo: bool = False) -> int:
    """Run the window (and tray) until the owner quits; 0 also when another instance was brought to front."""
    app = _application(argv)
    try:
        settings = load_settings()
    except WxbotError as err:
        QMessageBox.critical(None, "wxbot", str(err))
        return 2
    lang = ui_language(settings.language)
    sim = None
    if demo:
        from wxbot.sim import Simulator

        sim = Simulator(hold_seconds=DEMO_HOLD_SECONDS).start()
        settings = _demo_settings(settings, sim.base_url, lang)  # the demo shop speaks the UI's language
    translators = install_translator(app, lang)  # noqa: F841 - kept alive for the app's lifetime
    try:  # the data dir (a file, read-only…) and the log dir must be usable before anything starts
        setup_logging(settings.log_dir, settings.log_level)
        controller = AppController(settings, lang)
    except WxbotError as err:
        QMessageBox.critical(None, "wxbot", str(err))
        if sim is not None:
            sim.stop()
        return 2
    try:
        controller.svc.acquire_instance()
    except AlreadyRunningError as err:
        told = ask_running_instance_to_raise(settings.data_path)
        print(f"wxbot: {err}" + (" — 已切换到正在运行的窗口 (brought the running window to the front)" if told else ""))
        controller.window.deleteLater()
        if sim is not None:
            sim.stop()
        return 0
    server = InstanceServer(settings.data_path, controller)
    server.raise_requested.connect(controller.bring_to_front)
    install_excepthook(lambda: controller.window)
    stop_signals = StopSignals(lambda: _stop(controller), app)  # SIGTERM / Ctrl-C: a clean quit, not a kill
    if not greet(controller):
        controller.close_now()
        return 0
    panel = None
    if sim is not None:
        from wxbot.ui.demo import DemoDriver, PhonePanel, place_beside

        DemoDriver(controller, sim)
        panel = PhonePanel(sim, controller)
    controller.finished.connect(app.quit)
    controller.start()
    if panel is not None:
        place_beside(panel, controller.window)
        panel.show()
    logger.info("window shown (language {}, tray {})", lang, controller.tray is not None)
    if controller.tray is None:
        controller.window.banner.show_message("info", tr("No system tray here: closing the window quits wxbot."))
    try:
        return app.exec()
    finally:
        stop_signals.close()
        controller.close_now()
        if sim is not None:
            sim.stop()
