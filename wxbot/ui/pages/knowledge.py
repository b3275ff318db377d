"""The Knowledge base page (知识库): the owner's price lists, policies and guides the bot answers from. Add by
file dialog or drag-and-drop (a different file under a name already there is replaced only when the owner says
so), list, re-import, remove, a search box showing what the bot would retrieve, and 「试一试」 (try_box.py).
Every knowledge-base call runs on a worker thread (ui/tasks.py); the page only shows results."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxbot.errors import WxbotError
from wxbot.kb.base import ImportReport, ImportStatus
from wxbot.kb.desk import SameNameError
from wxbot.kb.pieces import SUFFIXES
from wxbot.kb.shelf import DocumentInfo
from wxbot.messages import Passage
from wxbot.service import BotService
from wxbot.ui.i18n import N_, one_language, tr
from wxbot.ui.pages.settings_page import error_text
from wxbot.ui.pages.synonyms_box import SynonymsBox
from wxbot.ui.pages.try_box import TryBox
from wxbot.ui.tasks import Tasks

DOC_COLUMNS = (N_("Document"), N_("Type"), N_("Passages"), N_("Imported"), N_("Notes"))
HIT_COLUMNS = (N_("Score"), N_("Source"), N_("Where"), N_("Passage"))
STATUS_WORDS = {ImportStatus.ADDED: N_("Added"), ImportStatus.REPLACED: N_("Replaced"),
                ImportStatus.UNCHANGED: N_("Unchanged")}
DOC_ROWS_SHOWN = 4  # the documents list is never squeezed below this many rows


def _table(columns: tuple[str, ...], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([tr(c) for c in columns])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


class KnowledgePage(QWidget):
    error = Signal(object)  # an exception to show in words
    documents_shown = Signal()  # the list was refreshed
    results_shown = Signal()  # a search's passages are on screen
    _progress = Signal(str, int, int)  # from the import thread: file name, done, total (queued to the GUI)

    def __init__(self, svc: BotService, tasks: Tasks, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.lang = lang
        self.documents: list[DocumentInfo] = []
        self.hits: list[Passage] = []
        self.setAcceptDrops(True)
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

        title = QLabel(tr("Knowledge base"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        hint = QLabel(tr("Price lists, policies and guides the bot answers from. Drop files here or use Add files "
                         "(Excel, CSV, Word, PDF, Markdown, text)."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        self.add_button = QPushButton(tr("Add files…"))
        self.add_button.clicked.connect(self.choose_files)
        self.reimport_button = QPushButton(tr("Re-import"))
        self.reimport_button.clicked.connect(self.reimport_selected)
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.cancel_button = QPushButton(tr("Cancel import"))
        self.cancel_button.clicked.connect(self.cancel_import)
        self.importing = False
        self.table = _table(DOC_COLUMNS, 4)
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
                                    + DOC_ROWS_SHOWN * self.table.verticalHeader().defaultSectionSize())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.query = QLineEdit()
        self.query.setPlaceholderText(tr("Ask as a customer would, e.g. “How much is SJ-0412?”"))
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton(tr("Search"))
        self.search_button.clicked.connect(self.search)
        self.search_note = QLabel()
        self.search_note.setWordWrap(True)
        self.hits_table = _table(HIT_COLUMNS, 3)
        self.semantic = QLabel()
        self.semantic.setWordWrap(True)
        self.semantic.setStyleSheet("color: #888; font-size: 11px;")

        buttons = QHBoxLayout()
        for button in (self.add_button, self.reimport_button, self.remove_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch()
        search_row = QHBoxLayout()
        search_row.addWidget(QLabel(tr("What would the bot find?")))
        search_row.addWidget(self.query, 1)
        search_row.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        for widget in (title, hint):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.status)
        self.synonyms = SynonymsBox(svc, tasks, lang, self)
        layout.addWidget(self.synonyms)
        layout.addLayout(search_row)
        layout.addWidget(self.search_note)
        layout.addWidget(self.hits_table, 2)
        layout.addWidget(self.semantic)
        self.try_box = TryBox(svc, tasks, lang)
        self.try_box.error.connect(self.error)
        layout.addWidget(self.try_box, 2)
        self._update_buttons()

    # ------------------------------------------------------------------ list
    def refresh(self) -> None:
        self._run("kb-list", lambda: (self.svc.kb().documents(), self.svc.kb().semantic_note()), self._show)
        self.synonyms.refresh()

    def _show(self, result: tuple[list[DocumentInfo], str]) -> None:
        self.documents, note = result
        _fill(self.table, [(d.name, d.kind, str(d.passages), time.strftime("%Y-%m-%d %H:%M",
                                                                               time.localtime(d.imported_at)),
                            " ".join(d.notes)) for d in self.documents])
        self.semantic.setText(one_language(note))
        self._update_buttons()
        self.documents_shown.emit()

    def selected_name(self) -> str:
        rows = self.table.selectionModel().selectedRows()
        return self.documents[rows[0].row()].name if rows else ""

    # ------------------------------------------------------------------ add, re-import, remove
    def choose_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Add to the knowledge base"), "",
                                                f"{tr('Documents')} ({patterns})")
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str], replace: bool = False) -> None:
        self.status.setText(tr("Importing %d file(s)…") % len(paths))
        self._importing(True)
        self._run("kb-add", lambda: self.svc.kb().add_files(paths, self._progress.emit, replace=replace),
                  self._added)

    def cancel_import(self) -> None:
        """Stop the import that runs now: it ends at its next row or page, and the list is left as it was."""
        self.svc.kb().cancel_import()

    def _importing(self, running: bool) -> None:
        self.importing = running
        self._update_buttons()

    def _show_progress(self, name: str, done: int, total: int) -> None:
        self.status.setText(tr("Importing %s: %d of %d…") % (name, done, total) if total
                            else tr("Importing %s: %d…") % (name, done))

    def _added(self, results: list[tuple[str, ImportReport | WxbotError]]) -> None:
        self._importing(False)
        self.status.setText("\n".join(self._outcome(name, r) for name, r in results))
        self.refresh()
        taken = [str(r.path) for _name, r in results if isinstance(r, SameNameError)]
        if taken and QMessageBox.question(
                self, tr("Replace"), tr("The knowledge base already holds a different file of the same name: %s. "
                                        "Replace it with the new one?") % ", ".join(Path(p).name for p in taken)
        ) == QMessageBox.StandardButton.Yes:
            self.add_files(taken, replace=True)

    def _outcome(self, name: str, result: ImportReport | WxbotError) -> str:
        if isinstance(result, WxbotError):
            return tr("%s: not imported: %s") % (name, error_text(result, self.lang))
        return "\n  ".join([tr("%s: %s, %d passages") % (name, tr(STATUS_WORDS[result.status]), result.passages),
                            *result.notes])

    def reimport_selected(self) -> None:
        name = self.selected_name()
        if name:
            self.status.setText(tr("Importing %d file(s)…") % 1)
            self._importing(True)
            self._run("kb-reimport", lambda: [(name, self.svc.kb().reimport(name))], self._added)

    def remove_selected(self) -> None:
        name = self.selected_name()
        if not name:
            return
        answer = QMessageBox.question(self, tr("Remove"), tr("Remove %s and all its passages from the knowledge "
                                                             "base?") % name)
        if answer == QMessageBox.StandardButton.Yes:
            self._run("kb-remove", lambda: self.svc.kb().remove(name), lambda _r: self._removed(name))

    def _removed(self, name: str) -> None:
        self.status.setText(tr("%s removed") % name)
        self.refresh()

    # ------------------------------------------------------------------ search
    def search(self) -> None:
        query = self.query.text().strip()
        if query:
            k = self.svc.settings.kb_top_k
            self._run("kb-search", lambda: self.svc.kb().search(query, k), self._show_hits)

    def _show_hits(self, hits: list[Passage]) -> None:
        self.hits = hits
        _fill(self.hits_table, [(f"{p.score:.3g}", p.source, p.locator, p.text) for p in hits])
        self.search_note.setText(tr("The bot would put these passages, best first, into its prompt.") if hits else
                                 tr("Nothing relevant: the bot quotes nothing, and a question about price, stock, "
                                    "shipping or refunds gets your fallback text."))
        self.results_shown.emit()

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)

    # ------------------------------------------------------------------ helpers
    def _run(self, name: str, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self.tasks.run(name, fn, on_done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._importing(False)
        self.status.setText(error_text(exc, self.lang))
        self.error.emit(exc)

    def _update_buttons(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.reimport_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        self.cancel_button.setEnabled(self.importing)
