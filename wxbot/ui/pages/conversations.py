"""The Conversations page, the owner's workbench: conversations newest first (with unread and 「等你处理」
badges, filtered to the waiting ones, the ones with drafts, or all); the thread with each message tagged by
where it came from and the knowledge-base passages a reply used (a long one cut, opened by its link); the waiting draft sent, edited or rejected in
place (with undo); and a reply box that writes as the owner (a takeover, like writing from the phone).
Keyboard first: Ctrl+Enter sends, Alt+Up/Down moves between waiting conversations. Everything that reads the
store or sends runs off the GUI thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from wxbot.events import MessageLogged
from wxbot.messages import Direction, ReplyMode
from wxbot.service import BotService
from wxbot.settings import OWNER_MESSAGE_MAX_CHARS
from wxbot.ui.i18n import N_, tr
from wxbot.ui.modes import mode_text
from wxbot.ui.pages.conversation_list import ConversationDelegate, ConversationList, ListFilter
from wxbot.ui.pages.settings_page import error_text
from wxbot.ui.pages.thread_draft import ThreadDraft, send_keys
from wxbot.ui.pages.thread_html import HISTORY_LIMIT, PASSAGE_LINK, thread_page
from wxbot.ui.tasks import Tasks
from wxbot.views import ContactView, ConversationView, DraftView, HistoryItem

PAUSE_CHOICES = ((30, N_("30 minutes")), (60, N_("1 hour")), (240, N_("4 hours")), (None, N_("Until I resume")))
FILTERS = ((ListFilter.WAITING, N_("Waiting")), (ListFilter.DRAFTS, N_("Drafts")), (ListFilter.ALL, N_("All")))


class ConversationsPage(QWidget):
    """The header uses the contact list the Contacts page loaded; the list, the thread and its draft are read
    in workers, and an answer to an older request is dropped."""

    error = Signal(object)
    history_shown = Signal()  # the thread now shows what the store holds for the contact (or the search)
    list_shown = Signal()  # the conversation list was read again
    sent = Signal(str)  # the owner's message went out to this contact id

    def __init__(self, svc: BotService, tasks: Tasks, lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.lang = lang
        self.contact_id = ""
        self.items: list[HistoryItem] = []  # what is shown, oldest first
        self._known: dict[str, ContactView] = {}  # the contact list last loaded, by id
        self._asked = 0  # the latest thread request: an answer to an older one is dropped
        self._listed = 0  # the latest list request
        self.opened: set[str] = set()  # the long passages shown whole in this thread (thread_html.passage_key)
        self._keep_scroll: int | None = None  # where the thread stays when it is shown again (a passage opened)

        self.conversations = ConversationList(svc.waiting_reason)
        self.list = QListView()
        self.list.setModel(self.conversations)
        self.list.setItemDelegate(ConversationDelegate(self.conversations))
        self.list.setUniformItemSizes(True)
        self.list.setMinimumWidth(240)
        self.list.selectionModel().currentChanged.connect(self._picked)
        self.filters = QButtonGroup(self)
        filter_row = QHBoxLayout()
        for which, label in FILTERS:
            button = QPushButton(tr(label))
            button.setCheckable(True)
            button.setChecked(which is ListFilter.ALL)
            button.clicked.connect(lambda _c=False, w=which: self.set_filter(w))
            self.filters.addButton(button)
            filter_row.addWidget(button)
        self.filter_buttons = {which: b for (which, _), b in zip(FILTERS, self.filters.buttons(), strict=True)}

        self.title = QLabel(tr("Pick a contact"))
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.state_label = QLabel()
        self.state_label.setStyleSheet("color: #b26a00;")
        self.pause_button = QPushButton(tr("Pause"))  # a push button keeps room for its menu arrow beside the text
        menu = QMenu(self.pause_button)
        for minutes, label in PAUSE_CHOICES:
            menu.addAction(tr(label), lambda m=minutes: self._act(self.svc.pause_contact, self.contact_id, m))
        self.pause_button.setMenu(menu)
        self.resume_button = QPushButton(tr("Resume"))
        self.resume_button.clicked.connect(lambda: self._act(self.svc.resume_contact, self.contact_id))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search this conversation"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.reload)
        self.search.textChanged.connect(lambda text: text or self.reload())
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setStyleSheet("QTextBrowser { background: #f5f5f5; border: none; }")
        self.view.verticalScrollBar().rangeChanged.connect(self._follow_end)
        self.view.anchorClicked.connect(self._toggle_passage)
        self.draft = ThreadDraft()
        self.draft.approve.connect(self._approve)
        self.draft.reject.connect(lambda draft_id: self._call(self.svc.reject_draft, draft_id))
        self.reply = QPlainTextEdit()
        self.reply.setPlaceholderText(tr("Write to this contact as yourself (Ctrl+Enter sends). "
                                         "Auto-reply pauses for them, as when you write from the phone."))
        self.reply.setMaximumHeight(64)
        self.send_button = QPushButton(tr("Send"))
        self.send_button.setToolTip(tr("Ctrl+Enter"))
        self.send_button.clicked.connect(self.send)
        self.reply_note = QLabel()
        self.reply_note.setWordWrap(True)
        self.reply_note.setStyleSheet("color: #b3261e;")
        send_keys(self.reply, self.send)
        for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: self.next_waiting(s))
        self.list.installEventFilter(self)  # the list takes Alt+arrows as plain arrows before any shortcut

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.state_label)
        head.addStretch()
        head.addWidget(self.search)
        head.addWidget(self.pause_button)
        head.addWidget(self.resume_button)
        box = QHBoxLayout()
        box.addWidget(self.reply, 1)
        box.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(head)
        right_layout.addWidget(self.view, 1)
        right_layout.addWidget(self.draft)
        right_layout.addLayout(box)
        right_layout.addWidget(self.reply_note)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filter_row)
        left_layout.addWidget(self.list, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._update_header(None)

    # ------------------------------------------------------------------ the list
    def set_contacts(self, contacts: list[ContactView]) -> None:
        """The Contacts page loaded the contacts: the header follows, the list is read again."""
        self._known = {c.contact_id: c for c in contacts}
        self._update_header(self._known.get(self.contact_id))
        self.reload_list()

    def reload_list(self) -> None:
        self._listed += 1
        listed = self._listed
        self.tasks.run("conversations", self.svc.conversations, lambda found: self._show_list(listed, found),
                       lambda exc: listed == self._listed and self.error.emit(exc))

    def _show_list(self, listed: int, found: list[ConversationView]) -> None:
        if listed != self._listed:
            return
        self._keep_selection(lambda: self.conversations.set_conversations(found))
        self.list_shown.emit()

    def set_filter(self, which: ListFilter) -> None:
        self.filter_buttons[which].setChecked(True)
        self._keep_selection(lambda: self.conversations.set_filter(which))

    def _keep_selection(self, change: Callable[[], None]) -> None:
        """Re-sort or re-filter the list without losing (or re-reading) the conversation shown."""
        selection = self.list.selectionModel()
        selection.blockSignals(True)
        change()
        row = self.conversations.row_of(self.contact_id)
        if row >= 0:
            selection.setCurrentIndex(self.conversations.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        selection.blockSignals(False)
        self.list.viewport().update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.modifiers() == Qt.KeyboardModifier.AltModifier \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.next_waiting(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return super().eventFilter(watched, event)

    def next_waiting(self, step: int) -> None:
        """Alt+Down / Alt+Up: the next (previous) waiting conversation in the list's order."""
        rows = self.conversations.rows
        waiting = [i for i, c in enumerate(rows) if self.svc.waiting_reason(c) is not None]
        here = self.conversations.row_of(self.contact_id)
        ahead = [i for i in waiting if (i > here if step > 0 else i < here)]
        if ahead:
            self.list.setCurrentIndex(self.conversations.index(ahead[0] if step > 0 else ahead[-1]))

    def show_contact(self, contact_id: str) -> None:
        row = self.conversations.row_of(contact_id)
        if row >= 0 and row != self.list.currentIndex().row():
            self.list.setCurrentIndex(self.conversations.index(row))  # _picked loads it
            return
        self._open(contact_id)

    def _picked(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if index.isValid():
            self._open(index.data(Qt.ItemDataRole.UserRole))

    def _open(self, contact_id: str) -> None:
        if contact_id != self.contact_id:
            self.draft.commit_reject()  # the owner moved on: a reject waiting for its undo time is meant
            self.reply.clear()
            self.reply_note.clear()
            self.search.clear()
            self.opened.clear()
        self.contact_id = contact_id
        self.reload()

    # ------------------------------------------------------------------ the thread
    def on_message(self, event: MessageLogged) -> None:
        self.reload_list()
        if event.contact_id == self.contact_id and not self.search.text():
            self.reload()

    def on_drafts(self) -> None:
        self.reload_list()
        if self.contact_id:
            self.reload()

    def reload(self, keep_scroll: bool = False) -> None:
        """Read the thread again; it then shows its newest message, or stays where it is (``keep_scroll``)."""
        self._asked += 1
        self._keep_scroll = self.view.verticalScrollBar().value() if keep_scroll else None
        asked, contact_id, query = self._asked, self.contact_id, self.search.text().strip()
        opened = frozenset(self.opened)
        self._update_header(self._known.get(contact_id))
        if not contact_id:
            self.items = []
            self.view.clear()
            self.draft.show_draft(None)
            return

        def read() -> tuple[list[HistoryItem], str, DraftView | None]:  # the HTML is made here, off the GUI thread
            found = (self.svc.search(contact_id, query) if query
                     else self.svc.history(contact_id, limit=HISTORY_LIMIT))
            waiting = [d for d in self.svc.drafts() if d.contact_id == contact_id]
            return (*thread_page(found, opened), waiting[-1] if waiting else None)

        # store closed or locked: the error arrives in words, not as a crash
        self.tasks.run("history", read, lambda shown: self._show(asked, *shown),
                       lambda exc: asked == self._asked and self.error.emit(exc))

    def _show(self, asked: int, items: list[HistoryItem], page_html: str, draft: DraftView | None) -> None:
        if asked != self._asked:  # the owner picked another contact or searched again meanwhile
            return
        self.items = items
        self.view.setHtml(page_html)
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum() if self._keep_scroll is None else self._keep_scroll)  # again as it grows (_follow_end)
        self.draft.show_draft(draft)
        incoming = [i.id for i in items if i.direction == Direction.IN]
        if incoming:
            self.conversations.mark_seen(self.contact_id, max(incoming))
        self._update_header(self._known.get(self.contact_id))
        self.history_shown.emit()

    def _follow_end(self, _low: int, high: int) -> None:
        """The page is laid out after setHtml returns: the newest message stays in view as it grows (or the place
        the owner was reading, when a passage opened)."""
        self.view.verticalScrollBar().setValue(high if self._keep_scroll is None else self._keep_scroll)

    def _toggle_passage(self, url: QUrl) -> None:
        """A passage's More / Less link: it shows whole, or cut again, where the owner is reading."""
        if url.scheme() != PASSAGE_LINK:
            return
        self.opened.symmetric_difference_update({url.path()})
        self.reload(keep_scroll=True)

    # ------------------------------------------------------------------ writing as the owner, drafts
    def send(self) -> None:
        """Ctrl+Enter / Send: the owner's words to the contact, through the bot's send path."""
        text, contact_id = self.reply.toPlainText(), self.contact_id
        if not contact_id:
            return
        if not text.strip():
            self.reply_note.setText(tr("Type a message first: nothing was sent."))
            return
        if len(text.strip()) > OWNER_MESSAGE_MAX_CHARS:
            self.reply_note.setText(tr("The message is too long (%d characters, at most %d): nothing was sent.")
                                    % (len(text.strip()), OWNER_MESSAGE_MAX_CHARS))
            return
        self.reply_note.clear()
        self.send_button.setEnabled(False)

        def done(_result: object) -> None:
            self.send_button.setEnabled(True)
            if self.contact_id == contact_id and self.reply.toPlainText() == text:
                self.reply.clear()
            self.sent.emit(contact_id)

        def failed(exc: Exception) -> None:
            self.send_button.setEnabled(True)
            self.reply_note.setText(tr("Not sent: %s") % error_text(exc, self.lang))  # the text stays in the box

        self.tasks.run("send", lambda: self.svc.send_reply(contact_id, text), done, failed)

    def _approve(self, draft_id: int, text: str | None) -> None:
        self._call(self.svc.approve_draft, draft_id, text)

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        """A draft action off the GUI thread; the thread and the list follow the DraftsChanged it causes."""
        self.tasks.run("draft", lambda: fn(*args), None, self.error.emit)

    # ------------------------------------------------------------------ pause / resume
    def _update_header(self, contact: ContactView | None) -> None:
        self.title.setText(contact.name if contact else tr("Pick a contact"))
        paused = bool(contact and contact.paused_until > time.time())
        if paused and contact.paused_until > time.time() + 365 * 86400:
            self.state_label.setText(tr("Paused until resumed"))
        elif paused:
            until = time.strftime("%H:%M", time.localtime(contact.paused_until))
            self.state_label.setText(tr("Paused until %s") % until)
        else:
            self.state_label.setText("" if not contact or contact.mode is ReplyMode.AUTO
                                     else tr("Replies: %s") % mode_text(contact.mode))
        self.pause_button.setEnabled(contact is not None)
        self.resume_button.setEnabled(paused)
        self.reply.setEnabled(contact is not None)
        self.send_button.setEnabled(contact is not None)

    def _act(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:
            self.error.emit(exc)  # the header follows when the changed contact list comes back

