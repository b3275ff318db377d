"""Dialogs the owner must answer: the first-run account-risk notice, and the crash dialog that replaces a
dying app when an unexpected exception escapes (the excepthook)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from loguru import logger
from PySide6.QtWidgets import QMessageBox, QWidget

from wxbot.core.risk import risk_notice
from wxbot.settings import Settings
from wxbot.ui.i18n import tr


def risk_text(settings: Settings, lang: str) -> str:
    """The notice in the UI language ('zh' or 'en'), with the pacing defaults in numbers."""
    paragraphs = risk_notice(settings)  # Chinese first, then English
    return "".join(f"<p>{p}</p>" for p in (paragraphs[:2] if lang == "zh" else paragraphs[2:]))


def ask_risk_acknowledged(settings: Settings, lang: str, parent: QWidget | None = None) -> bool:
    """Show the notice; True when the owner chose "I understand"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Account risk"))
    box.setText(risk_text(settings, lang))
    understood = box.addButton(tr("I understand"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("Quit"), QMessageBox.ButtonRole.RejectRole)
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
