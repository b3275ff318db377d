"""The FAQ rules editor: a table of match kind / example questions or pattern / answer with add and remove.
Example questions share one cell, separated by | (a new rule starts as example questions)."""

from __future__ import annotations

import re

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

MATCH_LABELS = {"examples": N_("Example questions"), "exact": N_("Exactly"), "contains": N_("Contains"),
                "regex": N_("Regular expression")}
SEPARATOR = " | "
_SPLIT = re.compile(r"[|｜\n]")


class FaqTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("Match"), tr("Customers ask / text"), tr("Answer")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        add = QPushButton(tr("Add rule"))
        remove = QPushButton(tr("Remove rule"))
        add.clicked.connect(lambda: self.add_rule({"match": "examples", "examples": [], "answer": ""}))
        remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_rule(self, rule: dict, row: int | None = None) -> None:
        """Show ``rule`` at ``row`` (default: last)."""
        row = self.table.rowCount() if row is None else row
        self.table.insertRow(row)
        kind = QComboBox()
        for key in FAQ_MATCH_KINDS:
            kind.addItem(tr(MATCH_LABELS[key]), key)
        kind.setCurrentIndex(max(0, kind.findData(rule.get("match", "contains"))))
        self.table.setCellWidget(row, 0, kind)
        said = SEPARATOR.join(rule["examples"]) if "examples" in rule else rule.get("pattern", "")
        self.table.setItem(row, 1, QTableWidgetItem(said))
        self.table.setItem(row, 2, QTableWidgetItem(rule.get("answer", "")))

    def set_rules(self, rules: list[dict]) -> None:
        self.table.setRowCount(0)
        for rule in rules:
            self.add_rule(rule)

    def rules(self) -> list[dict]:
        return [rule for row in range(self.table.rowCount()) if (rule := self._rule(row)) is not None]

    def drop(self, rules: list[dict]) -> None:
        """Remove the rows that show exactly one of ``rules`` (replaced elsewhere); edited rows stay."""
        for row in reversed(range(self.table.rowCount())):
            if self._rule(row) in rules:
                self.table.removeRow(row)

    def _rule(self, row: int) -> dict | None:
        said = (self.table.item(row, 1).text() if self.table.item(row, 1) else "").strip()
        answer = (self.table.item(row, 2).text() if self.table.item(row, 2) else "").strip()
        if not said and not answer:
            return None  # an empty new row is not a rule
        match = self.table.cellWidget(row, 0).currentData()
        if match == "examples":
            return {"match": match, "examples": [e.strip() for e in _SPLIT.split(said) if e.strip()],
                    "answer": answer}
        return {"match": match, "pattern": said, "answer": answer}

    def _remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
