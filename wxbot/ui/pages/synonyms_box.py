"""The owner's synonyms on the 知识库 page: a small editor for groups of words that mean the same in this
shop (尿不湿 = 纸尿裤, a nickname = the product's name), so customers' words find the documents' words. The
groups are the owner's data, kept sealed in the store; calls run on a worker thread (ui/tasks.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget

from wxbot.service import BotService
from wxbot.ui.i18n import tr
from wxbot.ui.pages.settings_page import error_text
from wxbot.ui.tasks import Tasks


class SynonymsBox(QWidget):
    shown = Signal()  # the list on screen is the stored one
    error = Signal(object)

    def __init__(self, svc: BotService, tasks: Tasks, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc, self.tasks, self.lang = svc, tasks, lang
        self.groups: list[tuple[str, ...]] = []
        self.words = QLineEdit()
        self.words.setPlaceholderText(tr("Words that mean the same, separated by spaces, e.g. diapers nappies"))
        self.words.returnPressed.connect(self.add)
        self.add_button = QPushButton(tr("Add synonyms"))
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton(tr("Remove synonyms"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.list = QListWidget()
        self.list.setMaximumHeight(90)
        self.list.hide()  # shown once there are synonyms: an empty box would take the documents' room
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("Synonyms")))
        row.addWidget(self.words, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(self.status)
        self._update_buttons()

    def refresh(self) -> None:
        self._run(lambda: self.svc.kb().synonyms(), self._show)

    def add(self) -> None:
        words = self.words.text().split()
        if words:
            self._run(lambda: self.svc.kb().add_synonyms(words), self._added)

    def remove_selected(self) -> None:
        rows = [self.list.row(item) for item in self.list.selectedItems()]
        if rows:
            word = self.groups[rows[0]][0]
            self._run(lambda: self.svc.kb().remove_synonyms(word), lambda _r: self.refresh())

    def _added(self, group: tuple[str, ...]) -> None:
        self.words.clear()
        self.status.setText(" = ".join(group))
        self.refresh()

    def _show(self, groups: list[tuple[str, ...]]) -> None:
        self.groups = groups
        self.list.clear()
        self.list.addItems([" = ".join(g) for g in groups])
        self.list.setVisible(bool(groups))
        self._update_buttons()
        self.shown.emit()

    def _run(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self.tasks.run("kb-synonyms", fn, on_done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc, self.lang))
        self.error.emit(exc)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.list.selectedItems()))
