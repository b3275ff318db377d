"""The Contacts page: each contact's reply mode (off | draft | auto), saved the moment it is chosen, for one
row or the selected ones; takeover pauses and contacts to confirm after WeChat handed out new names."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wxbot.messages import ReplyMode
from wxbot.service import BotService
from wxbot.ui.i18n import N_, tr
from wxbot.ui.modes import ModeCombo, mode_text
from wxbot.ui.pages.contacts_model import (
    COL_KIND,
    COL_MODE,
    COL_NAME,
    COL_STATUS,
    ContactsModel,
    ModeDelegate,
)
from wxbot.ui.tasks import Tasks

KIND_FILTERS = (("", N_("All")), ("friend", N_("Friends")), ("group", N_("Groups")))


class ContactsFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.kind = ""
        self.text = ""

    def set_filter(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text.strip().lower()
        self.invalidate()

    def filterAcceptsRow(self, row: int, parent) -> bool:
        contact = self.sourceModel().contact(row)
        if self.kind and contact.kind != self.kind:
            return False
        return not self.text or self.text in contact.name.lower()


class ContactsPage(QWidget):
    """The contact list is read (and decrypted) off the GUI thread; ``loaded`` hands it on when it arrives."""

    open_conversation = Signal(str)  # contact_id
    error = Signal(object)  # an exception to show in words
    loaded = Signal(list)  # the list of ContactView now shown

    def __init__(self, svc: BotService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self._asked = 0  # the latest load: an answer to an older one is dropped
        self.model = ContactsModel(self._set_mode)
        self.proxy = ContactsFilter()
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search contacts"))
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        for key, label in KIND_FILTERS:
            self.kind.addItem(tr(label), key)
        self.new_default = ModeCombo()
        self.new_default.set_mode(svc.settings.new_contact_mode)
        self.new_default.setToolTip(tr("Groups always start off; in groups the assistant answers only when "
                                       "@-mentioned."))
        self.search.textChanged.connect(self._filter)
        self.kind.currentIndexChanged.connect(self._filter)
        self.new_default.activated.connect(lambda _i: self._set_default(self.new_default.mode()))

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setItemDelegateForColumn(COL_MODE, ModeDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.SelectedClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_MODE, QHeaderView.ResizeMode.Fixed)  # as wide as its longest choice
        metrics = self.table.fontMetrics()
        header.resizeSection(COL_MODE, max(metrics.horizontalAdvance(mode_text(m)) for m in ReplyMode) + 36)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.mode_buttons = {mode: QPushButton(label) for mode, label in (
            (ReplyMode.AUTO, tr("Auto for selected")), (ReplyMode.DRAFT, tr("Drafts for selected")),
            (ReplyMode.OFF, tr("Off for selected")))}
        self.resume_button = QPushButton(tr("Resume"))
        self.done_button = QPushButton(tr("Done"))  # short: the button row must not widen the window
        self.done_button.setToolTip(tr("Done: the selected customers waiting for you get automatic replies again"))
        self.done_button.clicked.connect(self._done)
        self.confirm_button = QPushButton(tr("Confirm"))
        self.merge_button = QPushButton(tr("Merge into…"))
        self.chat_button = QPushButton(tr("Conversation"))
        for mode, button in self.mode_buttons.items():
            button.clicked.connect(lambda _c=False, m=mode: self._bulk(m))
        self.resume_button.clicked.connect(self._resume)
        self.confirm_button.clicked.connect(lambda: self._confirm(None))
        self.merge_button.clicked.connect(self._merge)
        self.chat_button.clicked.connect(lambda: self._open(None))
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #666;")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.summary)  # here, not in the full row of buttons: the counts never widen the window
        top.addWidget(self.kind)
        top.addSpacing(12)
        top.addWidget(QLabel(tr("New contacts:")))
        top.addWidget(self.new_default)
        buttons = QHBoxLayout()
        for b in (*self.mode_buttons.values(), self.done_button, self.resume_button, self.confirm_button,
                  self.merge_button):
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(self.chat_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        self._asked += 1
        asked = self._asked
        # the store may be closed: the error arrives in words
        self.tasks.run("contacts", self.svc.contacts, lambda contacts: self._show(asked, contacts), self.error.emit)

    def _show(self, asked: int, contacts: list) -> None:
        if asked != self._asked:
            return
        self.model.update_contacts(contacts)
        auto = sum(c.mode is ReplyMode.AUTO for c in contacts)
        drafts = sum(c.mode is ReplyMode.DRAFT for c in contacts)
        self.summary.setText(tr("%d contacts: %d auto, %d drafts") % (len(contacts), auto, drafts))
        self._update_buttons()
        self.loaded.emit(contacts)

    def selected_ids(self) -> list[str]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.contact(r).contact_id for r in sorted(rows)]

    def row_of(self, contact_id: str) -> int:
        """The proxy row showing ``contact_id`` (-1 when filtered out or unknown)."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, COL_NAME).data(Qt.ItemDataRole.UserRole) == contact_id:
                return row
        return -1

    # ------------------------------------------------------------------ actions
    def _call(self, fn, *args) -> None:
        try:
            fn(*args)
        except Exception as exc:  # shown to the owner, the table re-reads the truth
            self.error.emit(exc)
        self.refresh()

    def _set_mode(self, contact_id: str, mode: ReplyMode) -> None:
        self._call(self.svc.set_mode, contact_id, mode)

    def _bulk(self, mode: ReplyMode) -> None:
        ids = self.selected_ids()
        if ids:
            self._call(self.svc.set_mode_many, ids, mode)

    def _resume(self) -> None:
        for contact_id in self.selected_ids():
            self._call(self.svc.resume_contact, contact_id)

    def _done(self) -> None:
        """处理完: the owner dealt with the customers waiting for them; automatic replies resume."""
        for contact in self.model.contacts:
            if contact.waiting and contact.contact_id in self.selected_ids():
                self._call(self.svc.resolve_handoff, contact.contact_id)

    def _confirm(self, merge_into: str | None) -> None:
        for contact_id in self.selected_ids():
            self._call(self.svc.confirm_contact, contact_id, merge_into)

    def _merge(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        others = [c for c in self.model.contacts if c.contact_id != ids[0]]
        names = [f"{c.name} ({c.contact_id})" for c in others]
        choice, ok = QInputDialog.getItem(self, tr("Merge into…"),
                                          tr("This contact is really the earlier contact:"), names, 0, False)
        if ok and choice:
            self._confirm(others[names.index(choice)].contact_id)

    def _set_default(self, mode: ReplyMode) -> None:
        if mode == self.svc.settings.new_contact_mode:
            return
        self._call(self.svc.apply_settings, self.svc.settings.replace(new_contact_mode=mode.value))

    def _filter(self) -> None:
        self.proxy.set_filter(self.kind.currentData(), self.search.text())

    def _open(self, index) -> None:
        ids = self.selected_ids()
        if ids:
            self.open_conversation.emit(ids[0])

    def _update_buttons(self) -> None:
        ids = self.selected_ids()
        chosen = [c for c in self.model.contacts if c.contact_id in ids]
        for b in (*self.mode_buttons.values(), self.chat_button):
            b.setEnabled(bool(ids))
        self.resume_button.setEnabled(any(c.paused_until for c in chosen))
        self.done_button.setEnabled(any(c.waiting for c in chosen))
        self.confirm_button.setEnabled(any(c.flag for c in chosen))
        self.merge_button.setEnabled(len(chosen) == 1 and bool(chosen[0].flag))
