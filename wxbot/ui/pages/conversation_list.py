"""The workbench's list of conversations as a model and its painter: newest conversation first, each with its
name, the latest message, its time, how many of the customer's messages are unread and a 「等你处理」 badge
when it waits for the owner; filtered to the waiting ones, the ones with drafts, or all. One model reset per
refresh, not one widget per contact."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from wxbot.messages import StrState
from wxbot.ui.i18n import tr
from wxbot.views import ConversationView, WaitReason

_Index = QModelIndex | QPersistentModelIndex
ROW_HEIGHT_LINES = 2.6  # two lines of text and some air, in font heights
WAITING_COLOUR = "#e8590c"
UNREAD_COLOUR = "#d9453b"


class ListFilter(StrState):
    WAITING = "waiting"
    DRAFTS = "drafts"
    ALL = "all"


class ConversationList(QAbstractListModel):
    """UserRole is the contact id. ``waiting`` decides a conversation's badge (WindowViews.waiting_reason)."""

    def __init__(self, waiting: Callable[[ConversationView], WaitReason | None]) -> None:
        super().__init__()
        self.waiting = waiting
        self.all: list[ConversationView] = []
        self.rows: list[ConversationView] = []
        self.filter = ListFilter.ALL
        self.seen: dict[str, int] = {}  # contact id -> the newest of its messages the owner has seen

    def set_conversations(self, conversations: list[ConversationView]) -> None:
        self.all = sorted((c for c in conversations if c.contact.kind in ("friend", "group")),
                          key=lambda c: c.last_time, reverse=True)
        self._refilter()

    def set_filter(self, which: ListFilter) -> None:
        self.filter = which
        self._refilter()

    def mark_seen(self, contact_id: str, row_id: int) -> None:
        if row_id > self.seen.get(contact_id, 0):
            self.seen[contact_id] = row_id
            row = self.row_of(contact_id)
            if row >= 0:
                self.dataChanged.emit(self.index(row), self.index(row))

    def _refilter(self) -> None:
        self.beginResetModel()
        keep = {ListFilter.ALL: lambda c: True, ListFilter.DRAFTS: lambda c: c.drafts > 0,
                ListFilter.WAITING: lambda c: self.waiting(c) is not None}[self.filter]
        self.rows = [c for c in self.all if keep(c)]
        self.endResetModel()

    def row_of(self, contact_id: str) -> int:
        return next((i for i, c in enumerate(self.rows) if c.contact.contact_id == contact_id), -1)

    def unread(self, c: ConversationView) -> int:
        return c.unread(self.seen.get(c.contact.contact_id, 0))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.contact.name
        if role == Qt.ItemDataRole.UserRole:
            return c.contact.contact_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return c.preview
        return None


def when_text(at: float, now: float) -> str:
    """Today's messages by the time, older ones by the date."""
    same_day = time.localtime(at)[:3] == time.localtime(now)[:3]
    return time.strftime("%H:%M" if same_day else "%m-%d", time.localtime(at))


class ConversationDelegate(QStyledItemDelegate):
    """Paints a row: name and time on top, the preview under it, the badges on the right."""

    def __init__(self, model: ConversationList) -> None:
        super().__init__()
        self.model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, int(QFontMetrics(option.font).height() * ROW_HEIGHT_LINES))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        c = self.model.rows[index.row()]
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = option.palette.highlightedText().color() if selected else option.palette.text().color()
        metrics = QFontMetrics(option.font)
        r = option.rect.adjusted(8, 4, -8, -4)
        line = metrics.height()
        stamp = when_text(c.last_time, time.time())
        badges = self._badges(c)
        badge_width = sum(metrics.horizontalAdvance(words) + 12 for words, _ in badges) + 4 * len(badges)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_colour)
        name_room = r.width() - metrics.horizontalAdvance(stamp) - 8
        painter.drawText(QRect(r.left(), r.top(), name_room, line), Qt.AlignmentFlag.AlignLeft,
                         QFontMetrics(bold).elidedText(c.contact.name, Qt.TextElideMode.ElideRight, name_room))
        painter.setFont(option.font)
        painter.setPen(text_colour if selected else QColor("#999999"))
        painter.drawText(QRect(r.left(), r.top(), r.width(), line), Qt.AlignmentFlag.AlignRight, stamp)
        preview_room = r.width() - badge_width - 4
        preview = " ".join(c.preview.split())
        painter.setPen(text_colour if selected else QColor("#666666"))
        painter.drawText(QRect(r.left(), r.top() + line + 2, preview_room, line), Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(preview, Qt.TextElideMode.ElideRight, preview_room))
        x = r.right()
        for words, colour in badges:
            w = metrics.horizontalAdvance(words) + 12
            x -= w
            box = QRect(x, r.top() + line + 2, w, line)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawRoundedRect(box, line / 2, line / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)
            x -= 4
        painter.restore()

    def _badges(self, c: ConversationView) -> list[tuple[str, str]]:
        """Right to left: the unread count, then 「等你处理」."""
        found = []
        if unread := self.model.unread(c):
            found.append((str(unread), UNREAD_COLOUR))
        if self.model.waiting(c) is not None:
            found.append((tr("Waiting for you"), WAITING_COLOUR))
        return found
