"""Moves the UI tests share: logging in through the window with the simulated phone, answering the passphrase
dialog."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from wxbot.sim import Simulator
from wxbot.ui.controller import AppController
from wxbot.ui.passphrase import PassphraseDialog


def log_in(qtbot, controller: AppController, sim: Simulator, timeout: int = 60000) -> None:
    """Start the app, wait for its QR code, scan and confirm on the simulated phone, wait until logged in."""
    with qtbot.waitSignal(controller.bridge.qr_code, timeout=timeout):
        controller.start()
    with qtbot.waitSignal(controller.bridge.login_state, timeout=timeout,
                          check_params_cb=lambda state: state.state == "logged_in"):
        sim.scan()
        sim.confirm()


class PassphraseAnswers:
    """Answers each passphrase dialog as it comes up, in order: (passphrase, the same again) then OK, or None:
    Cancel. Records each dialog's prompt and the error line it showed after OK (a refused OK leaves the dialog
    up, and the next answer goes to the same dialog)."""

    def __init__(self, *answers: tuple[str, str] | None) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        self.errors: list[str] = []
        self.last: PassphraseDialog | None = None
        QTimer.singleShot(20, self._poll)

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, PassphraseDialog) and self.answers:
            if dialog is not self.last:
                self.prompts.append(dialog.findChildren(QLabel)[0].text())
                self.last = dialog
            answer = self.answers.pop(0)
            if answer is None:
                dialog.reject()
            else:
                dialog.fields.passphrase.setText(answer[0])
                dialog.fields.repeat.setText(answer[1])
                dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
                self.errors.append(dialog.fields.error.text() if dialog.isVisible() else "")
        if self.answers:
            QTimer.singleShot(20, self._poll)
