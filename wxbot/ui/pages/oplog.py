"""The Operation log page (操作日志): what was done to the bot and by whom, newest first, read (and decrypted)
on a worker thread each time the page opens; Export writes it to a CSV file the owner picks (not encrypted)."""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxbot.messages import OpKind
from wxbot.service import BotService
from wxbot.store.oplog import Operation
from wxbot.ui.i18n import N_, one_language, tr
from wxbot.ui.setting_tips import setting_label
from wxbot.ui.tasks import Tasks

KINDS = {"bot_started": N_("Auto-reply started"), "bot_stopped": N_("Auto-reply stopped"), "login": N_("Logged in"),
         "logout": N_("Logged out"), "settings_changed": N_("Settings changed"), "kb_changed": N_("Knowledge base changed"),
         "export": N_("Exported"), "draft_approved": N_("Draft sent"), "draft_edited": N_("Draft edited and sent"),
         "draft_rejected": N_("Draft rejected")}
ACTORS = {"window": N_("window"), "tray": N_("tray menu"), "phone": N_("phone command"), "cli": N_("command line"),
          "system": N_("wxbot, automatically"), "risk": N_("risk signal"), "wechat": N_("WeChat")}
KB_CHANGES = {"added": N_("added %s"), "replaced": N_("imported %s again (it had changed)"),
              "unchanged": N_("%s unchanged"), "removed": N_("removed %s")}


class OplogPage(QWidget):
    error = Signal(object)
    shown = Signal(int)  # how many operations are listed
    exported = Signal(object)  # the file written

    def __init__(self, svc: BotService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Time"), tr("What"), tr("By"), tr("Detail")])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        export = QPushButton(tr("Export…"))
        export.clicked.connect(self._ask_export)
        self.note = QLabel()
        self.note.setStyleSheet("color: #666;")
        head = QHBoxLayout()
        title = QLabel(tr("Operation log"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        head.addWidget(title, 1)
        head.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def refresh(self) -> None:
        if self.svc.store is None:
            return
        self.tasks.run("oplog", self.svc.operations, self.show_operations, self.error.emit)

    def show_operations(self, ops: list[Operation]) -> None:
        self.table.setRowCount(len(ops))
        for row, op in enumerate(ops):
            when = datetime.datetime.fromtimestamp(op.time).strftime("%Y-%m-%d %H:%M:%S")
            cells = (when, tr(KINDS[op.kind]), tr(ACTORS[op.actor]), detail_text(op))
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        for col in range(3):  # time, what, who: whole; the detail takes the rest
            self.table.resizeColumnToContents(col)
        self.shown.emit(len(ops))

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, tr("Export the operation log"), "wxbot-operations.csv", "CSV (*.csv)")
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        def done(written: Path) -> None:
            self.note.setText(tr("Written to %s (not encrypted)") % str(written))
            self.exported.emit(written)
            self.refresh()

        self.tasks.run("oplog-export", lambda: self.svc.export_operations(path), done, self.error.emit)


def detail_text(op: Operation) -> str:
    """The detail in the UI language: settings by their labels, knowledge-base changes and exports in words, the
    core's "中文 (English)" reasons in one language; names (files, contacts) as they are."""
    if op.kind is OpKind.SETTINGS:
        return tr(", ").join(setting_label(n) for n in op.detail.split(", "))  # 、 in Chinese
    status, sep, name = op.detail.partition(": ")
    if op.kind is OpKind.KB and sep and status in KB_CHANGES:
        return tr(KB_CHANGES[status]) % name
    if op.kind is OpKind.EXPORT and sep:
        return tr("the operation log: %s") % name
    return one_language(op.detail)
