"""The 「试一试 Try it」 box on the Knowledge base page: type a question as a customer would and see what would
answer it — which FAQ rule, which passages, the model, the fallback text or a draft — and why (the scores and
the reason), before a customer asks. The decision is the reply engine's own (BotService.try_question), made
on a worker thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxbot.core.answering import Decision, Route
from wxbot.service import BotService
from wxbot.ui.i18n import N_, one_language, tr
from wxbot.ui.pages.settings_page import error_text
from wxbot.ui.tasks import Tasks

ROUTE_WORDS = {Route.RULE: N_("FAQ rule %d answers, exactly as you wrote it"),
               Route.PASSAGES: N_("The knowledge base's passages answer, quoted as written"),
               Route.MODEL: N_("The model writes the answer"),
               Route.FALLBACK: N_("Your fallback text answers"),
               Route.DRAFT: N_("Unsure: a draft waits for you (contacts in auto mode)")}
COLUMNS = (N_("Candidate"), N_("Score"), N_("Matched"), N_("Answer or passage"))


class TryBox(QGroupBox):
    shown = Signal()  # a decision is on screen
    error = Signal(object)

    def __init__(self, svc: BotService, tasks: Tasks, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(tr("Try it"), parent)
        self.svc = svc
        self.tasks = tasks
        self.lang = lang
        self.decision: Decision | None = None
        self.question = QLineEdit()
        self.question.setPlaceholderText(tr("A customer's question, e.g. “Can I still return it once it's opened?”"))
        self.question.setClearButtonEnabled(True)
        self.question.returnPressed.connect(self.ask)
        self.button = QPushButton(tr("Try it"))
        self.button.clicked.connect(self.ask)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: 600;")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #666;")
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.candidates = QTableWidget(0, len(COLUMNS))
        self.candidates.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.candidates.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.candidates.verticalHeader().hide()
        header = self.candidates.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        for widget in (self.verdict, self.reason, self.answer):
            layout.addWidget(widget)
        layout.addWidget(self.candidates, 1)

    def ask(self) -> None:
        question = self.question.text().strip()
        if question:
            self.tasks.run("kb-try", lambda: self.svc.try_question(question), self._show, self._failed)

    def _show(self, decision: Decision) -> None:
        self.decision = decision
        words = tr(ROUTE_WORDS[decision.route])
        self.verdict.setText(words % decision.rule.number if decision.rule is not None else words)
        self.reason.setText(one_language(decision.reason, self.lang))  # the engine says it in both languages
        text = decision.answer(self.svc.settings)
        self.answer.setText(tr("The customer gets: %s") % text if text else "")
        rows = [(tr("Rule %d") % m.number, f"{m.score:.2f}", m.why, m.rule.answer) for m in decision.rules]
        rows += [(p.source, f"{match:.2f}", p.locator, p.text) for p, match in zip(decision.passages,
                                                                                   decision.matches, strict=True)]
        self.candidates.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setToolTip(cell)
                self.candidates.setItem(r, c, item)
        self.shown.emit()

    def _failed(self, exc: BaseException) -> None:
        self.verdict.setText(error_text(exc, self.lang))
        self.error.emit(exc)
