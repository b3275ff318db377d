"""The Knowledge gaps page (知识缺口): the customers' questions the assistant could not answer by itself in the last
30 days (they got the fallback text, became drafts because it was unsure, or you corrected or rejected the draft), similar ones as one,
most frequent first. Write the answer once and keep it as an FAQ rule or a knowledge-base note: the same question
is answered from it next time, and the gap leaves the list. Every service call runs on a worker thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from wxbot.core.drafts import Keep
from wxbot.core.gaps import Gap, GapWhy
from wxbot.service import BotService
from wxbot.ui.i18n import N_, tr
from wxbot.ui.pages.settings_page import error_text
from wxbot.ui.tasks import Tasks

WHY = {GapWhy.FALLBACK: N_("got the fallback text"), GapWhy.DRAFTED: N_("held as a draft"),
       GapWhy.CORRECTED: N_("you corrected the draft"), GapWhy.REJECTED: N_("you rejected the draft")}


def gap_line(gap: Gap) -> str:
    whys = ", ".join(tr(WHY[w]) for w in sorted(gap.whys))
    return tr("%d× %s (%s)") % (gap.count, gap.question, whys)


class GapsPage(QWidget):
    error = Signal(object)  # an exception to show in words
    answered = Signal(str)  # the outcome of keeping an answer, in words

    def __init__(self, svc: BotService, tasks: Tasks, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.lang = lang
        self.gaps: list[Gap] = []
        title = QLabel(tr("Questions the assistant could not answer (last 30 days)"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.list = QListWidget()
        self.list.setMinimumWidth(280)
        self.list.currentRowChanged.connect(lambda _r: self._show_current())
        self.asked = QLabel()
        self.asked.setWordWrap(True)
        self.asked.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.asked.setStyleSheet("background: #ffffff; border: 1px solid #e5e5e5; border-radius: 6px; padding: 8px;")
        self.answer = QPlainTextEdit()
        self.answer.setPlaceholderText(tr("Write the answer once: the assistant answers this question with it from now on"))
        self.keep_faq_button = QPushButton(tr("Keep as FAQ rule"))
        self.keep_note_button = QPushButton(tr("Keep as knowledge-base note"))
        self.keep_faq_button.clicked.connect(lambda: self.keep(Keep.FAQ))
        self.keep_note_button.clicked.connect(lambda: self.keep(Keep.NOTE))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #1d4f73;")
        self.answered.connect(self.status.setText)

        detail = QWidget()
        right = QVBoxLayout(detail)
        right.addWidget(QLabel(tr("The customers asked:")))
        right.addWidget(self.asked)
        right.addWidget(QLabel(tr("Your answer:")))
        right.addWidget(self.answer, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_faq_button)
        buttons.addWidget(self.keep_note_button)
        buttons.addStretch()
        right.addLayout(buttons)
        right.addWidget(self.status)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(splitter, 1)
        self._show_current()

    def refresh(self) -> None:
        self.tasks.run("gaps", self.svc.gaps, self._fill, self.error.emit)

    def _fill(self, gaps: list[Gap]) -> None:
        self.gaps = gaps
        self.list.blockSignals(True)
        self.list.clear()
        for gap in gaps:
            QListWidgetItem(gap_line(gap), self.list)
        self.list.setCurrentRow(0 if gaps else -1)
        self.list.blockSignals(False)
        self._show_current()

    def current(self) -> Gap | None:
        row = self.list.currentRow()
        return self.gaps[row] if 0 <= row < len(self.gaps) else None

    def _show_current(self) -> None:
        gap = self.current()
        self.asked.setText("\n".join(gap.questions) if gap else tr("No gaps: the assistant answered everything itself"))
        self.answer.clear()
        for b in (self.keep_faq_button, self.keep_note_button, self.answer):
            b.setEnabled(gap is not None)

    def keep(self, kind: Keep) -> None:
        gap, text = self.current(), self.answer.toPlainText()
        if gap is None:
            return

        def done(answer: str) -> None:
            self.answered.emit(answer)
            self.refresh()

        self.tasks.run("answer-gap", lambda: self.svc.answer_gap(gap, kind, text), done,
                       lambda exc: self.answered.emit(error_text(exc, self.lang)))
