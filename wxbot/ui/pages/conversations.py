"""The Conversations page: one contact's stored history (newest at the bottom), live as messages are logged;
bot replies (with the knowledge-base passages they used) and messages the bot left unanswered are marked;
pause/resume the contact; search."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wxbot.events import MessageLogged
from wxbot.messages import Direction, InboxState, ReplyMode
from wxbot.service import BotService
from wxbot.ui.i18n import N_, tr
from wxbot.ui.modes import mode_text
from wxbot.ui.pages.contact_list import ContactList
from wxbot.ui.tasks import Tasks
from wxbot.views import ContactView, HistoryItem

HISTORY_LIMIT = 200  # messages shown at once (a search shows its newest matches)
PASSAGE_PREVIEW_CHARS = 160  # a long passage is shown cut (its full text is in the knowledge base page)
PAUSE_CHOICES = ((30, N_("30 minutes")), (60, N_("1 hour")), (240, N_("4 hours")), (None, N_("Until I resume")))



def reason_text(code: str) -> str:
    """Words for the bot's reason codes (the inbox stores codes, the owner reads sentences)."""
    words = {
        "bot_stopped": tr("auto-reply was stopped"), "stale": tr("the message was too old"),
        "paused": tr("the contact is paused"), "takeover": tr("you replied by hand"),
        "outside_hours": tr("outside service hours"), "risk_warning": tr("WeChat sent a security warning"),
        "empty_reply": tr("the model gave no answer"), "unknown_sender": tr("WeChat doesn't know this sender"),
        "degenerate_loop": tr("the model's reply kept repeating itself"),
        "persona_echo": tr("the model's reply recited its instructions"), "auto_reply_off": tr("auto-reply is off for this contact"),
        "group_not_mentioned": tr("not @-mentioned in the group"), "expired": tr("interrupted and expired"),
        "failed": tr("the reply failed"), "daily_cap": tr("the daily reply limit was reached"),
        "loop_guard": tr("too many rapid exchanges"), "non_text": tr("not a text message"),
        "special_account": tr("a system account"), "public_account": tr("an official account"),
        "system_message": tr("a system note"), "empty": tr("an empty message"), "command": tr("an owner command"),
        "draft_rejected": tr("you rejected the draft"), "draft_expired": tr("the draft waited too long"),
    }
    return words.get(code, code.replace("_", " "))


def skipped_text(item: HistoryItem) -> str:
    """The mark under an incoming message the bot did not answer ("" when answered or still pending)."""
    if item.direction == Direction.IN and item.state == InboxState.DRAFTED:
        return tr("A draft answers it: waiting for you on the Drafts page")
    if item.direction != Direction.IN or item.state not in (InboxState.SKIPPED, InboxState.FAILED, InboxState.EXPIRED):
        return ""
    return tr("Not answered automatically: %s") % reason_text(item.reason or item.state)


def bubble_html(item: HistoryItem) -> str:
    mine = item.direction == Direction.OUT
    colour = "#95ec69" if mine else "#ffffff"
    align = "right" if mine else "left"
    who = (tr("🤖 AI") if item.by_bot else tr("Me")) if mine else ""
    stamp = time.strftime("%m-%d %H:%M", time.localtime(item.time))
    meta = " · ".join(x for x in (who, stamp) if x)
    body = html.escape(item.text).replace("\n", "<br>")
    note = skipped_text(item)
    note_html = f'<div style="color:#b26a00; font-size:11px;">{html.escape(note)}</div>' if note else ""
    return (f'<table width="100%" cellspacing="0" cellpadding="2"><tr><td align="{align}">'
            f'<div style="color:#999; font-size:11px;">{html.escape(meta)}</div>'
            f'<table cellpadding="8" style="background:{colour}; border:1px solid #e2e2e2;">'
            f'<tr><td>{body}</td></tr></table>{note_html}{passages_html(item)}</td></tr></table>')


def passages_html(item: HistoryItem) -> str:
    """Under a grounded reply: which knowledge-base passages it used, with their source."""
    if not item.passages:
        return ""
    rows = []
    for p in item.passages:
        text = p.text if len(p.text) <= PASSAGE_PREVIEW_CHARS else p.text[:PASSAGE_PREVIEW_CHARS] + "…"
        rows.append(f'<div>• <b>{html.escape(p.label)}</b>: {html.escape(text)}</div>')
    title = html.escape(tr("Knowledge-base passages this reply used:"))
    return f'<div style="color:#5b6b7a; font-size:11px;">{title}{"".join(rows)}</div>'


def _page(found: list[HistoryItem]) -> tuple[list[HistoryItem], str]:
    """The messages to show, oldest first (a search may match thousands: its newest), and their HTML."""
    ordered = sorted(found, key=lambda i: (i.time, i.id))
    items = ordered[-HISTORY_LIMIT:]
    more = ""
    if len(ordered) > len(items):
        note = tr("Showing the newest %d of %d matches") % (len(items), len(ordered))
        more = f'<p style="color:#999">{html.escape(note)}</p>'
    return items, (more + "".join(bubble_html(i) for i in items)
                   or f'<p style="color:#999">{html.escape(tr("No messages yet"))}</p>')


class ConversationsPage(QWidget):
    """History and search are read (and decrypted) off the GUI thread; the header uses the contact list the
    Contacts page loaded, so nothing here decrypts on the GUI thread."""

    error = Signal(object)
    history_shown = Signal()  # the view now shows what the store holds for the contact (or the search)

    def __init__(self, svc: BotService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.contact_id = ""
        self.items: list[HistoryItem] = []  # what is shown, oldest first
        self._known: dict[str, ContactView] = {}  # the contact list last loaded, by id
        self._asked = 0  # the latest history request: an answer to an older one is dropped

        self.contact_list = ContactList()
        self.contacts = QListView()
        self.contacts.setModel(self.contact_list)
        self.contacts.setUniformItemSizes(True)
        self.contacts.setMinimumWidth(180)
        self.contacts.selectionModel().currentChanged.connect(self._picked)
        self.title = QLabel(tr("Pick a contact"))
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.state_label = QLabel()
        self.state_label.setStyleSheet("color: #b26a00;")
        self.pause_button = QToolButton()
        self.pause_button.setText(tr("Pause"))
        self.pause_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.pause_button)
        for minutes, label in PAUSE_CHOICES:
            menu.addAction(tr(label), lambda m=minutes: self._pause(m))
        self.pause_button.setMenu(menu)
        self.resume_button = QPushButton(tr("Resume"))
        self.resume_button.clicked.connect(self._resume)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search this conversation"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.reload)
        self.search.textChanged.connect(lambda text: text or self.reload())
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setStyleSheet("QTextBrowser { background: #f5f5f5; border: none; }")

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.state_label)
        head.addStretch()
        head.addWidget(self.search)
        head.addWidget(self.pause_button)
        head.addWidget(self.resume_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(head)
        right_layout.addWidget(self.view, 1)
        splitter = QSplitter()
        splitter.addWidget(self.contacts)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._update_header(None)

    # ------------------------------------------------------------------ contacts list
    def set_contacts(self, contacts: list[ContactView]) -> None:
        current = self.contact_id
        self._known = {c.contact_id: c for c in contacts}
        selection = self.contacts.selectionModel()
        selection.blockSignals(True)
        self.contact_list.set_contacts(contacts)
        row = self.contact_list.row_of(current)
        if row >= 0:
            selection.setCurrentIndex(self.contact_list.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        selection.blockSignals(False)
        self._update_header(self._known.get(current))

    def show_contact(self, contact_id: str) -> None:
        row = self.contact_list.row_of(contact_id)
        if row >= 0 and row != self.contacts.currentIndex().row():
            self.contacts.setCurrentIndex(self.contact_list.index(row))  # _picked loads it
            return
        self.contact_id = contact_id
        self.reload()

    def _picked(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        self.contact_id = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else ""
        self.search.clear()
        self.reload()

    # ------------------------------------------------------------------ history
    def on_message(self, event: MessageLogged) -> None:
        if event.contact_id == self.contact_id and not self.search.text():
            self.reload()

    def reload(self) -> None:
        self._asked += 1
        asked, contact_id, query = self._asked, self.contact_id, self.search.text().strip()
        self._update_header(self._known.get(contact_id))
        if not contact_id:
            self.items = []
            self.view.clear()
            return

        def read() -> tuple[list[HistoryItem], str]:  # the page's HTML is made here too, off the GUI thread
            found = (self.svc.search(contact_id, query) if query
                     else self.svc.history(contact_id, limit=HISTORY_LIMIT))
            return _page(found)

        # store closed or locked: the error arrives in words, not as a crash
        self.tasks.run("history", read, lambda shown: self._show(asked, *shown),
                       lambda exc: asked == self._asked and self.error.emit(exc))

    def _show(self, asked: int, items: list[HistoryItem], page_html: str) -> None:
        if asked != self._asked:  # the owner picked another contact or searched again meanwhile
            return
        self.items = items
        self.view.setHtml(page_html)
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._update_header(self._known.get(self.contact_id))
        self.history_shown.emit()

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

    def _pause(self, minutes: float | None) -> None:
        self._act(self.svc.pause_contact, self.contact_id, minutes)

    def _resume(self) -> None:
        self._act(self.svc.resume_contact, self.contact_id)

    def _act(self, fn, *args) -> None:
        try:
            fn(*args)
        except Exception as exc:
            self.error.emit(exc)  # the header follows when the changed contact list comes back
