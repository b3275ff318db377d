"""The Conversations page's list of friends and groups as a model: thousands of contacts cost one reset, not
one widget item each (a QListWidget of 5,000 items stalls the GUI thread for about 200 ms)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from wxbot.messages import ReplyMode
from wxbot.ui.i18n import tr
from wxbot.ui.modes import mode_text
from wxbot.views import ContactView

_MARKS = {ReplyMode.AUTO: "● ", ReplyMode.DRAFT: "◐ "}
_Index = QModelIndex | QPersistentModelIndex


class ContactList(QAbstractListModel):
    """Friends first, then groups, by name; UserRole is the contact id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ContactView] = []

    def set_contacts(self, contacts: list[ContactView]) -> None:
        self.beginResetModel()
        self.rows = sorted((c for c in contacts if c.kind in ("friend", "group")),
                           key=lambda c: (c.kind != "friend", c.name))
        self.endResetModel()

    def row_of(self, contact_id: str) -> int:
        return next((i for i, c in enumerate(self.rows) if c.contact_id == contact_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _MARKS.get(c.mode, "○ ") + c.name
        if role == Qt.ItemDataRole.UserRole:
            return c.contact_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return tr("Replies: %s") % mode_text(c.mode)
        return None
