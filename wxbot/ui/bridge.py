"""The one object through which the UI learns about the bot: core events (from any thread) become Qt signals.

BotService calls ``post(event)`` from itchat's, the model's or the bot's threads; a queued connection hops
the event onto the GUI thread, where it is re-emitted as a typed signal for the pages to connect to.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from wxbot.events import (
    BotState,
    ContactsChanged,
    DraftsChanged,
    HandoffChanged,
    LoginState,
    MessageLogged,
    ModelState,
    Notice,
    QrCode,
    SettingsChanged,
)


class EventBridge(QObject):
    qr_code = Signal(object)  # QrCode
    login_state = Signal(object)  # LoginState
    bot_state = Signal(object)  # BotState
    model_state = Signal(object)  # ModelState
    message_logged = Signal(object)  # MessageLogged
    contacts_changed = Signal(object)  # ContactsChanged
    drafts_changed = Signal(object)  # DraftsChanged
    handoff_changed = Signal(object)  # HandoffChanged
    notice = Signal(object)  # Notice
    settings_changed = Signal(object)  # SettingsChanged

    _incoming = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._incoming.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._routes = {
            QrCode: self.qr_code,
            LoginState: self.login_state,
            BotState: self.bot_state,
            ModelState: self.model_state,
            MessageLogged: self.message_logged,
            ContactsChanged: self.contacts_changed,
            DraftsChanged: self.drafts_changed,
            HandoffChanged: self.handoff_changed,
            Notice: self.notice,
            SettingsChanged: self.settings_changed,
        }

    def post(self, event: object) -> None:
        """Safe from any thread: the event is delivered on the GUI thread, in order."""
        try:
            self._incoming.emit(event)
        except RuntimeError:  # the window is gone (the app is quitting): nobody left to show it to
            pass

    def _dispatch(self, event: object) -> None:
        signal = self._routes.get(type(event))
        if signal is not None:
            signal.emit(event)
