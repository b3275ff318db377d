"""The Login page: the QR code to scan, what the phone should do next, and Log in / Log out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wxbot.events import LoginPhase, LoginState, QrCode
from wxbot.ui.i18n import one_language, tr

QR_SIZE = 260
COLUMN_WIDTH = 440


def login_text(state: LoginState) -> str:
    """The status line for a login state, in the UI language; the detail (zh + en from the core) follows in it."""
    texts = {
        "waiting_scan": tr("Scan the QR code with WeChat on your phone"),
        "scanned": tr("Scanned — confirm the login on your phone"),
        "expired": tr("The QR code expired; getting a new one…"),
        "logged_in": tr("Logged in as %s"),
        "logged_out": tr("Logged out"),
        "failed": tr("Login failed"),
        "connecting": tr("Connecting to WeChat…"),
    }
    text = texts.get(state.state, state.state)
    if state.state == LoginPhase.LOGGED_IN:
        return text % (state.detail or "")
    if state.detail and state.state in (LoginPhase.FAILED, LoginPhase.LOGGED_OUT):  # otherwise the detail repeats the line
        return f"{text}: {one_language(state.detail)}"
    return text


class LoginPage(QWidget):
    login_requested = Signal()
    logout_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.qr = QLabel()
        self.qr.setFixedSize(QR_SIZE + 24, QR_SIZE + 24)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setStyleSheet("QLabel { background: white; border: 1px solid #dcdcdc; border-radius: 8px; }")
        self.title = QLabel(tr("Log in to WeChat"))
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(tr("A secondary WeChat account is safer: web-protocol automation can get an account "
                              "restricted."))
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #888;")
        self.login_button = QPushButton(tr("Log in"))
        self.logout_button = QPushButton(tr("Log out"))
        self.login_button.clicked.connect(self.login_requested)
        self.logout_button.clicked.connect(self.logout_requested)

        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.login_button)
        buttons.addWidget(self.logout_button)
        buttons.addStretch()
        column = QWidget()
        column.setFixedWidth(COLUMN_WIDTH)
        inner = QVBoxLayout(column)
        inner.setSpacing(12)
        inner.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(self.status)  # wrapped labels get their height only without an alignment flag
        inner.addWidget(self.hint)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch()
        self.show_state(LoginState(LoginPhase.LOGGED_OUT))

    def show_qr(self, event: QrCode) -> None:
        pix = QPixmap()
        if not pix.loadFromData(event.png):
            self.qr.setText(tr("The QR code could not be shown"))
            return
        # integer scaling without smoothing keeps the modules sharp
        factor = max(1, QR_SIZE // max(1, pix.width()))
        pix = pix.scaled(pix.width() * factor, pix.height() * factor, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.FastTransformation)
        if pix.width() > QR_SIZE:
            pix = pix.scaled(QR_SIZE, QR_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        self.qr.setPixmap(pix)

    def show_state(self, state: LoginState) -> None:
        self.status.setText(login_text(state))
        colour = "#d9453b" if state.state == LoginPhase.FAILED or state.risk else "#333"
        self.status.setStyleSheet(f"color: {colour}; font-size: 14px;")
        logged_in = state.state == LoginPhase.LOGGED_IN
        busy = state.state in (LoginPhase.WAITING_SCAN, LoginPhase.SCANNED, LoginPhase.EXPIRED, LoginPhase.CONNECTING)
        self.login_button.setVisible(not logged_in and not busy)
        self.logout_button.setVisible(logged_in)
        if state.state in (LoginPhase.LOGGED_IN, LoginPhase.LOGGED_OUT, LoginPhase.FAILED):
            self.qr.clear()
            self.qr.setText("✓" if logged_in else "")
            self.qr.setStyleSheet("QLabel { background: white; border: 1px solid #dcdcdc; border-radius: 8px;"
                                  " color: #2aae67; font-size: 96px; }")
