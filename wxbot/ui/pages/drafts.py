"""The Drafts page (草稿): replies the assistant wrote for contacts in draft mode, oldest first, waiting for the
owner. Keyboard first: Enter sends, Ctrl+E edits (Ctrl+Enter sends the edited text, Esc cancels the edit),
Ctrl+R writes it again, Esc rejects after a few seconds in which 「撤销 Undo」 takes it back (a second Esc meanwhile
does nothing, so it never moves on to reject the next customer's draft). Each draft says why it was held. After an edited send, one click keeps the correction as an FAQ rule or a
knowledge-base note. Every service call runs on a worker thread (ui/tasks.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from wxbot.core.drafts import Keep
from wxbot.messages import DraftWhy
from wxbot.service import BotService
from wxbot.ui.i18n import N_, one_language, tr
from wxbot.ui.pages.settings_page import error_text
from wxbot.ui.tasks import Tasks
from wxbot.views import DraftView

UNDO_MS = 5000  # how long a rejection can be taken back
WHY = {DraftWhy.REVIEW: N_("Held because: draft mode (you approve every reply)"),
       DraftWhy.NO_PASSAGE: N_("Held because: no passage found in the knowledge base"),
       DraftWhy.GUARD: N_("Held because: the guard stopped the model's reply"),
       DraftWhy.WAITING: N_("Held because: the customer is waiting for you (complaint, refund, asked for a person)")}


class DraftsPage(QWidget):
    error = Signal(object)  # an exception to show in words
    shown = Signal(int)  # the list was refreshed: how many drafts wait
    answered = Signal(str)  # the outcome of an action, in words

    def __init__(self, svc: BotService, tasks: Tasks, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.lang = lang
        self.drafts: list[DraftView] = []
        self.editing = False
        self.kept_id = 0  # the last draft sent with the owner's corrections: it may be kept

        self.list = QListWidget()
        self.list.setMinimumWidth(220)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # a long line ends in "…"
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.currentRowChanged.connect(lambda _r: self._show_current())
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.asked = QLabel()
        self.asked.setWordWrap(True)
        self.asked.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.asked.setStyleSheet("background: #ffffff; border: 1px solid #e5e5e5; border-radius: 6px; padding: 8px;")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setStyleSheet("QPlainTextEdit { background: #eaf7e1; border-radius: 6px; padding: 6px; }")
        self.sources = QLabel()
        self.sources.setWordWrap(True)
        self.sources.setStyleSheet("color: #666;")
        self.why = QLabel()
        self.why.setStyleSheet("color: #b26a00;")
        self.rejecting = 0  # the draft whose rejection waits out UNDO_MS (0: none)
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_MS)
        self.undo_timer.timeout.connect(self._reject_now)
        self.undo_button = QPushButton(tr("Undo"))
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #1d4f73;")

        self.send_button = QPushButton(tr("Send (Enter)"))
        self.edit_button = QPushButton(tr("Edit (Ctrl+E)"))
        self.regen_button = QPushButton(tr("Write again (Ctrl+R)"))
        self.reject_button = QPushButton(tr("Reject (Esc)"))
        self.keep_faq_button = QPushButton(tr("Keep as FAQ rule"))
        self.keep_note_button = QPushButton(tr("Keep as knowledge-base note"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.edit_button.clicked.connect(self.edit)
        self.regen_button.clicked.connect(self.regenerate)
        self.reject_button.clicked.connect(self.reject)
        self.keep_faq_button.clicked.connect(lambda: self.keep(Keep.FAQ))
        self.keep_note_button.clicked.connect(lambda: self.keep(Keep.NOTE))
        for keys, action in (("Return", self._enter), ("Enter", self._enter), ("Ctrl+Return", self.send),
                             ("Ctrl+Enter", self.send), ("Ctrl+E", self.edit), ("Ctrl+R", self.regenerate),
                             ("Escape", self._escape)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

        detail = QWidget()
        right = QVBoxLayout(detail)
        right.addWidget(self.title)
        right.addWidget(self.why)
        right.addWidget(QLabel(tr("The customer wrote:")))
        right.addWidget(self.asked)
        right.addWidget(QLabel(tr("The assistant's draft:")))
        right.addWidget(self.text, 1)
        right.addWidget(self.sources)
        buttons = QHBoxLayout()
        for b in (self.send_button, self.edit_button, self.regen_button, self.reject_button):
            buttons.addWidget(b)
        buttons.addStretch()
        right.addLayout(buttons)
        keep = QHBoxLayout()
        keep.addWidget(self.keep_faq_button)
        keep.addWidget(self.keep_note_button)
        keep.addStretch()
        right.addLayout(keep)
        status = QHBoxLayout()
        status.addWidget(self.status, 1)
        status.addWidget(self.undo_button)
        right.addLayout(status)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.answered.connect(lambda answer: self.status.setText(one_language(answer)))
        self._show_current()

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        self.tasks.run("drafts", self.svc.drafts, self._fill, self.error.emit)

    def _fill(self, drafts: list[DraftView]) -> None:
        current = self.current()
        keep = current.draft_id if current else None
        self.drafts = drafts
        self.list.blockSignals(True)
        self.list.clear()
        for d in drafts:
            stamp = time.strftime("%H:%M", time.localtime(d.created_at))
            item = QListWidgetItem(f"#{d.draft_id}  {d.name}  · {stamp}\n{_first_line(d.text)}")
            item.setData(Qt.ItemDataRole.UserRole, d.draft_id)
            self.list.addItem(item)
        rows = [i for i, d in enumerate(drafts) if d.draft_id == keep]
        self.list.setCurrentRow(rows[0] if rows else (0 if drafts else -1))
        self.list.blockSignals(False)
        if not self.editing:
            self._show_current()
        self.shown.emit(len(drafts))

    def current(self) -> DraftView | None:
        row = self.list.currentRow()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

    def _show_current(self) -> None:
        d = self.current()
        self.editing = False
        self.text.setReadOnly(True)
        self.title.setText(tr("Draft #%d for %s") % (d.draft_id, d.name) if d else tr("No drafts waiting"))
        self.asked.setText("\n".join(d.asked) if d else "")
        self.asked.setVisible(d is not None)
        self.text.setPlainText(d.text if d else "")
        self.why.setText(tr(WHY[d.why]) if d else "")
        self.sources.setText(tr("Sources: %s") % "; ".join(d.sources) if d and d.sources else "")
        for b in (self.send_button, self.edit_button, self.regen_button, self.reject_button):
            b.setEnabled(d is not None)
        self.keep_faq_button.setVisible(bool(self.kept_id))
        self.keep_note_button.setVisible(bool(self.kept_id))

    # ------------------------------------------------------------------ actions
    def send(self) -> None:
        """Send the draft: as written, or (while editing) the owner's words."""
        d = self.current()
        if d is None:
            return
        text = self.text.toPlainText() if self.editing else None
        edited = text is not None and text.strip() != d.text

        def done(answer: str) -> None:
            if edited and "#faq" in answer:  # sent with corrections: offer to keep them
                self.kept_id = d.draft_id
            self.editing = False
            self._after(answer)

        self._run("approve-draft", lambda: self.svc.approve_draft(d.draft_id, text), done)

    def edit(self) -> None:
        if self.current() is None:
            return
        self.editing = True
        self.text.setReadOnly(False)
        self.text.setFocus()
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)
        self.status.setText(tr("Edit the reply, then Ctrl+Enter sends it (Esc cancels the edit)."))

    def regenerate(self) -> None:
        d = self.current()
        if d is not None:
            self._run("regenerate-draft", lambda: self.svc.regenerate_draft(d.draft_id), self.answered.emit)

    def reject(self) -> None:
        """Reject the draft after UNDO_MS unless 撤销 Undo is pressed; while one waits, another Esc does nothing."""
        d = self.current()
        if d is None or self.rejecting:
            return
        self.rejecting = d.draft_id
        self.status.setText(tr("Draft #%d will be rejected in a few seconds.") % d.draft_id)
        self.undo_button.show()
        self.undo_timer.start()

    def undo(self) -> None:
        self.undo_timer.stop()
        self.undo_button.hide()
        if self.rejecting:
            self.status.setText(tr("Draft #%d kept.") % self.rejecting)
        self.rejecting = 0

    def _reject_now(self) -> None:
        draft_id, self.rejecting = self.rejecting, 0
        self.undo_button.hide()
        if draft_id:
            self._run("reject-draft", lambda: self.svc.reject_draft(draft_id), self._after)

    def keep(self, kind: Keep) -> None:
        draft_id, self.kept_id = self.kept_id, 0
        if draft_id:
            self._run("keep-correction", lambda: self.svc.keep_correction(draft_id, kind), self._after)

    def _enter(self) -> None:
        if self.editing:  # while editing, Enter is a new line; Ctrl+Enter sends
            self.text.insertPlainText("\n")
        else:
            self.send()

    def _escape(self) -> None:
        if self.editing:
            self._show_current()
            self.status.setText("")
        else:
            self.reject()

    def _after(self, answer: str) -> None:
        self.answered.emit(answer)
        self.refresh()

    def _run(self, name: str, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.tasks.run(name, fn, done, lambda exc: self.answered.emit(error_text(exc, self.lang)))


def _first_line(text: str, limit: int = 40) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + "…"
