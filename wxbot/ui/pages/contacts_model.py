"""The table model behind the Contacts page: one row per ContactView; the mode column (off | draft | auto)
is edited in place with a combo box (ModeDelegate) and saved at once."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from wxbot.messages import ReplyMode
from wxbot.ui.i18n import tr
from wxbot.ui.modes import ModeCombo, mode_text
from wxbot.views import ContactView

Index = QModelIndex | QPersistentModelIndex
COL_MODE, COL_NAME, COL_KIND, COL_STATUS = range(4)


def kind_text(kind: str) -> str:
    return {"friend": tr("Friend"), "group": tr("Group"), "public": tr("Official account"),
            "special": tr("System")}.get(kind, kind)


def status_text(contact: ContactView, now: float | None = None) -> str:
    now = time.time() if now is None else now
    parts = [tr("Waiting for the owner")] if contact.waiting else []
    if contact.paused_until and contact.paused_until > now:
        if contact.paused_until > now + 365 * 86400:
            parts.append(tr("Paused until resumed"))
        else:
            parts.append(tr("Paused until %s") % time.strftime("%H:%M", time.localtime(contact.paused_until)))
    flags = {"renamed": tr("Renamed? Please confirm"), "ambiguous": tr("Ambiguous match: please confirm"),
             "maybe_renamed": tr("Maybe renamed: please confirm")}
    if contact.flag:
        parts.append(flags.get(contact.flag, contact.flag))
    return " · ".join(parts)


class ContactsModel(QAbstractTableModel):
    """``set_mode(contact_id, mode)`` is called when the owner picks a mode; it saves at once."""

    def __init__(self, set_mode: Callable[[str, ReplyMode], None]) -> None:
        super().__init__()
        self._set_mode = set_mode
        self.contacts: list[ContactView] = []

    def set_contacts(self, contacts: list[ContactView]) -> None:
        self.beginResetModel()
        order = {"friend": 0, "group": 1, "special": 2, "public": 3}
        self.contacts = sorted(contacts, key=lambda c: (order.get(c.kind, 9), c.name))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.contacts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (tr("Replies"), tr("Name"), tr("Type"), tr("Status"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        contact = self.contacts[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.EditRole and col == COL_MODE:
            return contact.mode.value
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_MODE:
                return mode_text(contact.mode)
            if col == COL_NAME:
                return contact.name
            if col == COL_KIND:
                return kind_text(contact.kind)
            if col == COL_STATUS:
                return status_text(contact)
        if role == Qt.ItemDataRole.BackgroundRole and contact.waiting:
            return QBrush(QColor("#fde2e1"))
        if role == Qt.ItemDataRole.BackgroundRole and contact.flag:
            return QBrush(QColor("#fff4d6"))
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and contact.paused_until > time.time():
            return QBrush(QColor("#b26a00"))
        if role == Qt.ItemDataRole.UserRole:
            return contact.contact_id
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_MODE:
            return tr("Off: no replies. Draft: the assistant writes a reply and waits for you to send it. "
                      "Auto: it answers by itself.")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_MODE:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != COL_MODE:
            return False
        contact = self.contacts[index.row()]
        self._set_mode(contact.contact_id, ReplyMode(value))
        return True

    def update_contacts(self, contacts: list[ContactView]) -> None:
        """Refresh rows in place when the set of contacts is unchanged (keeps selection and scroll)."""
        if sorted(c.contact_id for c in contacts) != sorted(c.contact_id for c in self.contacts):
            self.set_contacts(contacts)
            return
        by_id = {c.contact_id: c for c in contacts}
        self.contacts = [by_id[c.contact_id] for c in self.contacts]
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.contacts) - 1, 3))

    def contact(self, row: int) -> ContactView:
        return self.contacts[row]


class ModeDelegate(QStyledItemDelegate):
    """The mode cell's editor: a combo box whose list opens at once; the mode chosen there (click, or arrows
    and Enter) is saved immediately."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = ModeCombo(parent)
        editor.activated.connect(lambda _i: (self.commitData.emit(editor), self.closeEditor.emit(editor)))
        QTimer.singleShot(0, editor.showPopup)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        editor.set_mode(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if editor.mode().value != index.data(Qt.ItemDataRole.EditRole):
            model.setData(index, editor.mode().value, Qt.ItemDataRole.EditRole)
