"""The first-run risk notice (both languages, the real pacing numbers, asked once) and the excepthook that
shows a dialog instead of letting the app die."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from wxbot.settings import Settings
from wxbot.ui.dialogs import ask_risk_acknowledged, install_excepthook, risk_text


def _click_later(label_part: str) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        next(b for b in box.buttons() if label_part in b.text()).click()

    QTimer.singleShot(50, click)


def test_risk_notice_names_the_risk_and_the_pacing_in_the_ui_language():
    s = Settings(min_seconds_between_replies=7.0, max_replies_per_minute=5, max_replies_per_day=123)
    zh, en = risk_text(s, "zh"), risk_text(s, "en")
    assert "小号" in zh and "7 秒" in zh and "123" in zh and "secondary" not in zh
    assert "secondary account" in en and "7 s" in en and "5 replies a minute" in en and "小号" not in en


def test_risk_notice_answers(qtbot):
    _click_later("I understand")
    assert ask_risk_acknowledged(Settings(), "en") is True
    _click_later("Quit")
    assert ask_risk_acknowledged(Settings(), "en") is False


def test_excepthook_shows_a_dialog_instead_of_dying(qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook(lambda: None)
    try:
        raise ValueError("boom")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    def shown() -> list[QMessageBox]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()), timeout=30000)
    boxes = shown()
    assert boxes and "ValueError: boom" in boxes[-1].informativeText()
    for box in boxes:
        box.close()
