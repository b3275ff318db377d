"""The draft waiting in a conversation, inside the thread: the owner sends it as written, edits it and sends
their words, or rejects it. A reject is held for REJECT_UNDO_MS with 「撤销 Undo」 before it is committed, so a
slip of the hand costs nothing; another contact picked meanwhile commits it at once."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from wxbot.ui.i18n import tr
from wxbot.ui.pages.thread_html import SOURCE_TAGS, tag_html
from wxbot.views import DraftView

REJECT_UNDO_MS = 5000  # how long 「撤销 Undo」 is offered before a reject is committed


def send_keys(editor: QWidget, action: Callable[[], None]) -> None:
    """Ctrl+Enter (either Enter key) in ``editor`` sends; only while it has the focus, so the reply box and
    the draft in the same window each keep their own. (PySide6 ignores a ``context=`` given to QShortcut's
    constructor: it is set afterwards.)"""
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(keys), editor)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(action)


class ThreadDraft(QFrame):
    """``approve(draft_id, text or None)``: send (None: as written); ``reject(draft_id)``: once the undo time
    is over."""

    approve = Signal(int, object)
    reject = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: DraftView | None = None
        self.rejecting: DraftView | None = None
        self.undo_ms = REJECT_UNDO_MS
        self.setStyleSheet("ThreadDraft { background: #fff8e1; border: 1px solid #f0d98a; border-radius: 6px; }")
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.text = QPlainTextEdit()
        self.text.setMaximumHeight(72)
        self.sources = QLabel()
        self.sources.setWordWrap(True)
        self.sources.setStyleSheet("color: #5b6b7a; font-size: 11px;")
        self.send_button = QPushButton(tr("Send draft"))
        self.send_button.setToolTip(tr("Ctrl+Enter in the draft"))
        self.send_button.clicked.connect(self._send)
        self.reject_button = QPushButton(tr("Reject"))
        self.reject_button.clicked.connect(self._reject)
        send_keys(self.text, self._send)

        self.undo_label = QLabel()
        self.undo_button = QPushButton(tr("Undo"))
        self.undo_button.clicked.connect(self.undo)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.commit_reject)

        self.card = QWidget()
        card = QVBoxLayout(self.card)
        card.setContentsMargins(0, 0, 0, 0)
        card.addWidget(self.title)
        card.addWidget(self.text)
        card.addWidget(self.sources)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.send_button)
        card.addLayout(buttons)
        self.undo_bar = QWidget()
        bar = QHBoxLayout(self.undo_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.card)
        layout.addWidget(self.undo_bar)
        self.show_draft(None)

    def show_draft(self, draft: DraftView | None) -> None:
        """The contact's waiting draft (None: none); one being rejected stays hidden behind its undo bar."""
        if draft is not None and self.rejecting is not None and draft.draft_id == self.rejecting.draft_id:
            draft = None
        changed = draft is None or self.draft is None or draft.draft_id != self.draft.draft_id
        self.draft = draft
        if draft is not None and changed:
            words, colour = SOURCE_TAGS["draft"]
            self.title.setText(f'{tag_html(tr(words), colour)} '
                               f'{tr("Not sent yet: send it as written, edit it, or reject it")}')
            self.text.setPlainText(draft.text)
            self.sources.setText(tr("Knowledge-base passages this draft used: %s") % "; ".join(draft.sources)
                                 if draft.sources else "")
            self.sources.setVisible(bool(draft.sources))
        self.card.setVisible(draft is not None)
        self.undo_bar.setVisible(self.rejecting is not None)
        self.setVisible(draft is not None or self.rejecting is not None)

    def _send(self) -> None:
        if self.draft is None:
            return
        text = self.text.toPlainText()
        self.approve.emit(self.draft.draft_id, None if text.strip() == self.draft.text.strip() else text)

    def _reject(self) -> None:
        if self.draft is None:
            return
        self.commit_reject()  # an earlier reject still waiting is committed first
        self.rejecting = self.draft
        self.undo_label.setText(tr("Draft rejected: it will not be sent."))
        self.timer.start(self.undo_ms)
        self.show_draft(None)

    def undo(self) -> None:
        draft, self.rejecting = self.rejecting, None
        self.timer.stop()
        self.draft = None  # shown again from the start, with its text as it was
        self.show_draft(draft)

    def commit_reject(self) -> None:
        """Commit a reject waiting for its undo time (now: the time ran out, or the owner moved on)."""
        draft, self.rejecting = self.rejecting, None
        self.timer.stop()
        if draft is not None:
            self.reject.emit(draft.draft_id)
        self.undo_bar.setVisible(False)
        self.setVisible(self.draft is not None)
