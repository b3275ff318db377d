"""The main window: a navigation list beside the pages, an inline banner for things the owner must read,
and a status bar (WeChat login, model and device, bot state, replies today)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from wxbot.ui.i18n import tr
from wxbot.ui.icons import STATE_COLOURS, app_icon, dot

BANNER_STYLES = {
    "info": "background: #e8f4fd; color: #1d4f73; border: 1px solid #b6dcf5;",
    "warning": "background: #fff4d6; color: #6b4e00; border: 1px solid #f0d68a;",
    "error": "background: #fdecea; color: #8a1f17; border: 1px solid #f2b8b3;",
}


class Banner(QFrame):
    """A closable inline message at the top of the window (never a modal box the owner must click away)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action = QPushButton()  # what to do about it, when there is one thing to do
        self.action.clicked.connect(self._act)
        self.action.hide()
        close = QPushButton("✕")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.level = ""
        self.topic = ""  # what the shown message is about, so its cause can take it back ("" for any other)
        self._do: Callable[[], None] | None = None
        self.hide()

    def show_message(self, level: str, text: str, action: tuple[str, Callable[[], None]] | None = None,
                     topic: str = "") -> None:
        """Show ``text``; ``action`` (a button label and what it does) offers the next step right there."""
        self.level, self.topic = level, topic
        self.setStyleSheet(f"Banner {{ {BANNER_STYLES.get(level, BANNER_STYLES['info'])} border-radius: 6px; }}")
        self.label.setText(text)
        self._do = action[1] if action else None
        self.action.setText(action[0] if action else "")
        self.action.setVisible(action is not None)
        self.show()

    def withdraw(self, topic: str) -> None:
        """Hide the message about ``topic`` once its cause is gone (another message stays)."""
        if self.topic == topic:
            self.hide()

    def _act(self) -> None:
        do = self._do
        self.hide()
        if do is not None:
            do()


class MainWindow(QMainWindow):
    close_requested = Signal()  # the owner closed the window; the app decides: hide to tray or quit

    PAGES = ("login", "dashboard", "contacts", "drafts", "gaps", "conversations", "knowledge", "models", "oplog",
             "settings")

    def __init__(self, pages: dict[str, QWidget]) -> None:
        super().__init__()
        self.setWindowTitle(tr("wxbot — WeChat AI assistant"))
        self.setWindowIcon(app_icon())
        self.resize(1000, 680)
        self.pages = pages
        style = self.style()
        icons = {
            "login": QStyle.StandardPixmap.SP_DialogYesButton,
            "dashboard": QStyle.StandardPixmap.SP_ComputerIcon,
            "oplog": QStyle.StandardPixmap.SP_FileDialogInfoView,
            "contacts": QStyle.StandardPixmap.SP_FileDialogDetailedView,
            "drafts": QStyle.StandardPixmap.SP_FileDialogListView,
            "gaps": QStyle.StandardPixmap.SP_MessageBoxQuestion,
            "conversations": QStyle.StandardPixmap.SP_FileDialogContentsView,
            "knowledge": QStyle.StandardPixmap.SP_DirOpenIcon,
            "models": QStyle.StandardPixmap.SP_DriveHDIcon,
            "settings": QStyle.StandardPixmap.SP_FileDialogInfoView,
        }
        labels = {"login": tr("Login"), "dashboard": tr("Dashboard"), "contacts": tr("Contacts"), "drafts": tr("Drafts"),
                  "gaps": tr("Knowledge gaps"), "conversations": tr("Conversations"), "knowledge": tr("Knowledge base"),
                  "models": tr("Models"), "oplog": tr("Operation log"),
                  "settings": tr("Settings")}
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setStyleSheet("QListWidget { border: none; background: #2e2e2e; color: #ddd; font-size: 14px; }"
                               "QListWidget::item { padding: 10px 8px; }"
                               "QListWidget::item:selected { background: #3f3f3f; color: white; }")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setFixedWidth(_nav_width([*labels.values(), tr("Drafts (%d)") % 999, tr("Contacts (%d waiting)") % 99]))
        self.stack = QStackedWidget()
        for key in self.PAGES:
            QListWidgetItem(style.standardIcon(icons[key]), labels[key], self.nav)
            self.stack.addWidget(pages[key])
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.banner = Banner()

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(12, 12, 12, 4)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self.show_page("login")

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.login_dot = QLabel()
        self.login_label = QLabel(tr("Not logged in"))
        self.model_label = QLabel(tr("No model"))
        self.model_progress = QProgressBar()
        self.model_progress.setRange(0, 100)
        self.model_progress.setFixedWidth(140)
        self.model_progress.hide()
        self.bot_dot = QLabel()
        self.bot_label = QLabel(tr("Auto-reply stopped"))
        self.replies_label = QLabel()
        for widget in (self.login_dot, self.login_label, _separator(), self.model_label, self.model_progress,
                       _separator(), self.bot_dot, self.bot_label):
            bar.addWidget(widget)
        bar.addPermanentWidget(self.replies_label)
        self.set_login_status("logged_out", tr("Not logged in"))
        self.set_bot_status("stopped", tr("Auto-reply stopped"))

    # ------------------------------------------------------------------ used by the app
    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self.PAGES.index(key))

    def set_drafts_count(self, n: int) -> None:
        """The Drafts entry in the navigation says how many drafts wait: 草稿 (3)."""
        self.nav.item(self.PAGES.index("drafts")).setText(tr("Drafts (%d)") % n if n else tr("Drafts"))

    def set_waiting_count(self, n: int) -> None:
        """The Contacts entry says how many customers wait for the owner (handoff): 联系人 (2 等店主)."""
        self.nav.item(self.PAGES.index("contacts")).setText(tr("Contacts (%d waiting)") % n if n else tr("Contacts"))

    def current_page(self) -> str:
        return self.PAGES[self.stack.currentIndex()]

    def set_login_status(self, state: str, text: str) -> None:
        colour = STATE_COLOURS["running"] if state == "logged_in" else STATE_COLOURS["stopped"]
        if state == "failed":
            colour = STATE_COLOURS["error"]
        self.login_dot.setPixmap(dot(colour))
        self.login_label.setText(text)

    def set_bot_status(self, state: str, text: str, answering: bool = True) -> None:
        """``answering`` False: running, but for nobody (no contact on) — amber, not green."""
        colour = STATE_COLOURS["paused"] if state == "running" and not answering else STATE_COLOURS.get(
            state, STATE_COLOURS["error"])
        self.bot_dot.setPixmap(dot(colour))
        self.bot_label.setText(text)

    def set_model_status(self, text: str, progress: float | None) -> None:
        self.model_label.setText(text)
        self.model_progress.setVisible(progress is not None)
        if progress is not None:
            self.model_progress.setValue(int(progress * 100))

    def set_replies_today(self, n: int) -> None:
        self.replies_label.setText(tr("Replies today: %d") % n)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and self.isVisible():
            event.ignore()
            self.close_requested.emit()
            return
        super().closeEvent(event)


def _nav_width(labels: list[str]) -> int:
    """Wide enough for the longest entry in the UI language (14 px text, a 20 px icon, the item padding)."""
    font = QFont()
    font.setPixelSize(14)
    text = max(QFontMetrics(font).horizontalAdvance(label) for label in labels)
    return max(150, text + 20 + 2 * 8 + 6 + 24)  # icon, padding, icon gap, breathing room


def _separator() -> QLabel:
    label = QLabel("|")
    label.setStyleSheet("color: #ccc; margin: 0 6px;")
    return label
