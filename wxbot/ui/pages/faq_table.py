"""The FAQ rules editor: a table of match kind / pattern / answer with add and remove."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxbot.ui.i18n import N_, tr
from wxbot.validation import FAQ_MATCH_KINDS

MATCH_LABELS = {"exact": N_("Exactly"), "contains": N_("Contains"), "regex": N_("Regular expression")}


class FaqTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("Match"), tr("Message text"), tr("Answer")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        add = QPushButton(tr("Add rule"))
        remove = QPushButton(tr("Remove rule"))
        add.clicked.connect(lambda: self.add_rule({"match": "contains", "pattern": "", "answer": ""}))
        remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_rule(self, rule: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        kind = QComboBox()
        for key in FAQ_MATCH_KINDS:
            kind.addItem(tr(MATCH_LABELS[key]), key)
        kind.setCurrentIndex(max(0, kind.findData(rule.get("match", "contains"))))
        self.table.setCellWidget(row, 0, kind)
        self.table.setItem(row, 1, QTableWidgetItem(rule.get("pattern", "")))
        self.table.setItem(row, 2, QTableWidgetItem(rule.get("answer", "")))

    def set_rules(self, rules: list[dict]) -> None:
        self.table.setRowCount(0)
        for rule in rules:
            self.add_rule(rule)

    def rules(self) -> list[dict]:
        out = []
        for row in range(self.table.rowCount()):
            pattern = (self.table.item(row, 1).text() if self.table.item(row, 1) else "").strip()
            answer = (self.table.item(row, 2).text() if self.table.item(row, 2) else "").strip()
            if not pattern and not answer:
                continue  # an empty new row is not a rule
            out.append({"match": self.table.cellWidget(row, 0).currentData(), "pattern": pattern, "answer": answer})
        return out

    def _remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
