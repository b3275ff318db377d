"""Dialogs the owner must answer: the first-run account-risk notice, and the crash dialog that replaces a
dying app when an unexpected exception escapes (the excepthook)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from loguru import logger
from PySide6.QtWidgets import QMessageBox, QWidget

from wxbot.settings import Settings
from wxbot.ui.i18n import tr


def risk_text(settings: Settings) -> str:
    """The notice in both languages, with the pacing defaults in numbers."""
    s = settings
    return (
        "<p><b>使用前请注意</b></p>"
        "<p>wxbot 通过网页版微信协议自动回复消息。微信可能限制或封禁使用自动化工具的账号，"
        "建议使用<b>小号</b>而不是主账号。</p>"
        f"<p>默认节奏：同一联系人两次回复至少间隔 {s.min_seconds_between_replies:g} 秒；"
        f"每分钟最多 {s.max_replies_per_minute} 条；每天最多 {s.max_replies_per_day} 条。可以在“设置”中调整。</p>"
        "<hr>"
        "<p><b>Before you start</b></p>"
        "<p>wxbot answers through the web WeChat protocol. WeChat may restrict or ban accounts that use "
        "automation; a <b>secondary account</b> is safer than your main one.</p>"
        f"<p>Default pacing: at least {s.min_seconds_between_replies:g} s between replies to one contact, at most "
        f"{s.max_replies_per_minute} replies a minute and {s.max_replies_per_day} a day. Change them in Settings.</p>"
    )


def ask_risk_acknowledged(settings: Settings, parent: QWidget | None = None) -> bool:
    """Show the notice; True when the owner chose "I understand"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Account risk"))
    box.setText(risk_text(settings))
    understood = box.addButton("我已了解 / I understand", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出 / Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(understood)
    box.exec()
    return box.clickedButton() is understood


def install_excepthook(parent: Callable[[], QWidget | None]) -> None:
    """Unexpected exceptions are logged with their traceback and shown in a dialog; the app keeps running."""
    open_boxes: list[QMessageBox] = []  # a parentless box needs a Python reference while it is shown

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        logger.error("unexpected error: {}", "".join(traceback.format_exception(kind, exc, tb)))
        box = QMessageBox(QMessageBox.Icon.Critical, tr("Unexpected error"),
                          tr("Something went wrong, but wxbot keeps running. Details are in the log file."),
                          QMessageBox.StandardButton.Ok, parent())
        box.setInformativeText(f"{kind.__name__}: {exc}")
        open_boxes.append(box)
        box.finished.connect(lambda _r: open_boxes.remove(box))
        box.open()

    sys.excepthook = hook
