"""The tray icon: its colour and tooltip show the bot's state; its menu starts/stops auto-reply, shows or
hides the window and quits. Rebuilt on show so it always says what is true now (as Vorta does)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from wxbot.events import LoginPhase
from wxbot.ui.i18n import tr
from wxbot.ui.icons import state_icon


class Tray(QObject):
    start_requested = Signal()
    stop_requested = Signal()
    toggle_window = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = "logged_out"
        self.text = ""
        self.drafts = 0  # drafts waiting for the owner, shown in the tooltip
        self.waiting = 0  # customers handed to the owner (handoff), shown in the tooltip
        self.running = False
        self.window_visible = True
        self.icon = QSystemTrayIcon(state_icon(self.state), self)
        self.menu = QMenu()
        self.start_action = self.menu.addAction(tr("Start auto-reply"), self.start_requested.emit)
        self.stop_action = self.menu.addAction(tr("Stop auto-reply"), self.stop_requested.emit)
        self.menu.addSeparator()
        self.window_action = self.menu.addAction(tr("Hide window"), self.toggle_window.emit)
        self.menu.addSeparator()
        self.menu.addAction(tr("Quit"), self.quit_requested.emit)
        self.menu.aboutToShow.connect(self._refresh_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.set_state("logged_out", tr("Not logged in"))

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def set_state(self, state: str, text: str) -> None:
        """state: logged_out | running | stopped | paused | error."""
        self.state = state
        self.running = state == "running"
        self.icon.setIcon(state_icon(state))
        self.text = text
        self._tooltip()
        self._refresh_menu()

    def set_drafts(self, n: int) -> None:
        self.drafts = n
        self._tooltip()

    def set_waiting(self, n: int) -> None:
        self.waiting = n
        self._tooltip()

    def _tooltip(self) -> None:
        drafts = " · " + tr("%d drafts waiting") % self.drafts if self.drafts else ""
        waiting = " · " + tr("%d customers waiting for you") % self.waiting if self.waiting else ""
        self.icon.setToolTip(f"wxbot — {self.text}{drafts}{waiting}")

    def set_window_visible(self, visible: bool) -> None:
        self.window_visible = visible
        self._refresh_menu()

    def message(self, title: str, text: str) -> None:
        if self.icon.isVisible():
            self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 5000)

    def _refresh_menu(self) -> None:
        self.start_action.setEnabled(not self.running and self.state != LoginPhase.LOGGED_OUT)
        self.stop_action.setEnabled(self.running)
        self.window_action.setText(tr("Hide window") if self.window_visible else tr("Show window"))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.toggle_window.emit()
