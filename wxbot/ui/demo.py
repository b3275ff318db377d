"""``wxbot demo``: the app logged in to the built-in WeChat simulator as the demo shop (its knowledge base
imported once the store is open), plus a "phone" panel where you play the friends and groups: write as one of
them (optionally @-mentioning the bot in a group) and watch the replies, each with where it came from. The phone
stands beside the main window, never over it."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QObject, QRect, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from wxbot.demoshop import answer_origin, stock_demo_shop
from wxbot.events import ContactsChanged, LoginPhase, MessageLogged, QrCode
from wxbot.messages import ReplyMode
from wxbot.sim import Group, Simulator
from wxbot.ui.controller import AppController
from wxbot.ui.i18n import tr
from wxbot.ui.icons import app_icon

SCAN_DELAY_MS = 1500  # long enough to see the QR code before the "phone" scans it
PHONE_GAP = 12  # pixels between the main window and the demo phone


class DemoDriver(QObject):
    """Plays the owner's phone: scans and confirms each QR code, then switches auto-reply on and starts."""

    def __init__(self, controller: AppController, sim: Simulator) -> None:
        super().__init__(controller)
        self.controller = controller
        self.sim = sim
        self.prepared = False
        self.scan_delay_ms = SCAN_DELAY_MS
        controller.bridge.qr_code.connect(self._on_qr)
        controller.bridge.contacts_changed.connect(self._on_contacts)

    def _on_qr(self, _event: QrCode) -> None:
        QTimer.singleShot(self.scan_delay_ms, self._scan)

    def _scan(self) -> None:
        try:
            self.sim.scan()
            self.sim.confirm()
        except RuntimeError:  # the code was already used or replaced
            pass

    def _on_contacts(self, _event: ContactsChanged) -> None:
        """After the first login's contact sync: the shop's files go into the knowledge base, then every friend
        and group gets auto-reply (groups only when @) and auto-reply starts."""
        svc = self.controller.svc
        if self.prepared or svc.login_state.state != LoginPhase.LOGGED_IN:
            return
        ids = [c.contact_id for c in svc.contacts() if c.kind in ("friend", "group")]
        if not ids:
            return
        self.prepared = True
        lang = self.controller.lang
        self.controller.tasks.run("demo-shop", lambda: stock_demo_shop(svc.kb(), svc.settings.data_path, lang),
                                  lambda _docs: self._open_shop(ids), self._shop_failed)

    def _open_shop(self, ids: list[str]) -> None:
        svc = self.controller.svc
        self.controller.knowledge_page.refresh()
        svc.set_mode_many(ids, ReplyMode.AUTO)
        if not svc.bot_running:
            svc.start_bot()

    def _shop_failed(self, exc: BaseException) -> None:
        self.controller.show_error(exc)


class PhonePanel(QWidget):
    """The other side of the chat: pick who you are, type, and read what the bot sent back."""

    def __init__(self, sim: Simulator, controller: AppController) -> None:
        super().__init__()
        self.sim = sim
        self.lang = controller.lang
        self.sent: list[tuple[float, str, str, str]] = []  # (time, chat id, member, text)
        self.origins: dict[int, str] = {}  # outbox index of a reply's last part -> where the reply came from
        self._told = 0  # outbox entries already matched to a sent-reply event
        self.setWindowTitle(tr("Demo phone — you play the contacts"))
        self.setWindowIcon(app_icon())
        self.resize(380, 600)
        self.chat = QComboBox()
        world = sim.world
        for person in world.people.values():
            if person.kind == "friend":
                self.chat.addItem("👤 " + (person.remark or person.nick), person.pid)
        for group in world.groups.values():
            self.chat.addItem("👥 " + group.name, group.gid)
        self.member = QComboBox()
        self.at_bot = QCheckBox(tr("@ the bot"))
        self.view = QTextBrowser()
        self.view.setStyleSheet("QTextBrowser { background: #ededed; border: none; }")
        self.input = QLineEdit()
        self.input.setPlaceholderText(tr("Type a message as this contact"))
        self.send_button = QPushButton(tr("Send"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.input.returnPressed.connect(self.send)
        self.chat.currentIndexChanged.connect(self._chat_changed)
        controller.bridge.message_logged.connect(self._on_logged)

        form = QFormLayout()
        form.addRow(tr("Chat"), self.chat)
        form.addRow(tr("I am"), self.member)
        form.addRow("", self.at_bot)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._chat_changed()

    def chat_id(self) -> str:
        return self.chat.currentData()

    def _chat_changed(self) -> None:
        target = self.sim.world.find(self.chat_id())
        self.member.clear()
        is_group = isinstance(target, Group)
        if is_group:
            for pid in target.members:
                person = self.sim.world.people[pid]
                if person.kind != "self":
                    self.member.addItem(target.display_names.get(pid) or person.nick, pid)
        else:  # in a private chat you are that friend
            self.member.addItem(target.nick)
        self.member.setEnabled(is_group)
        self.at_bot.setEnabled(is_group)
        self.at_bot.setChecked(is_group)
        self.render()

    def send(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        member = self.member.currentData() if self.member.isEnabled() else None
        self.sim.inject(self.chat_id(), text, member=member, at_bot=bool(member) and self.at_bot.isChecked())
        self.sent.append((time.time(), self.chat_id(), member or "", text))
        self.input.clear()
        self.render()

    def _on_logged(self, event: MessageLogged) -> None:
        if event.by_bot and event.source is not None:  # the send thread reports each reply right after its parts
            sent = len(self.sim.outbox())
            if sent > self._told:
                self.origins[sent - 1] = answer_origin(event.source, event.passages, self.lang)
                self._told = sent
        if event.direction == "out":
            self.render()

    def render(self) -> None:
        chat = self.chat_id()
        people = self.sim.world.people
        rows = [(t, True, people[member].nick if member else "", text, "")
                for t, c, member, text in self.sent if c == chat]
        rows += [(m["time"], False, "", m["text"], self.origins.get(i, ""))
                 for i, m in enumerate(self.sim.outbox()) if m["to_id"] == chat]
        out = []
        for _t, mine, name, text, origin in sorted(rows, key=lambda r: r[0]):
            label = f'<div style="color:#888;font-size:11px">{html.escape(name)}</div>' if name else ""
            note = f'<div style="color:#888;font-size:11px">↳ {html.escape(origin)}</div>' if origin else ""
            body = html.escape(text).replace("\n", "<br>")
            out.append(f'<table width="100%"><tr><td align="{"right" if mine else "left"}">{label}'
                       f'<table cellpadding="8" style="background:{"#95ec69" if mine else "#ffffff"}">'
                       f'<tr><td>{body}</td></tr></table>{note}</td></tr></table>')
        self.view.setHtml("".join(out))
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())
        self.view.setAlignment(Qt.AlignmentFlag.AlignLeft)


def place_beside(panel: QWidget, window: QWidget, screen: QRect | None = None) -> None:
    """Put the demo phone beside the main window on the screen (its available area): to the right, else to the
    left; where neither side has room the window moves over (and narrows, as far as it can) to make room."""
    area = screen if screen is not None else window.screen().availableGeometry()
    frame = window.frameGeometry()
    border = frame.size() - window.geometry().size()  # the window manager's frame: the phone gets one too
    width, height = panel.width() + border.width(), min(panel.height() + border.height(), area.height())

    def fits_right() -> bool:
        return frame.x() + frame.width() + PHONE_GAP + width <= area.x() + area.width()

    if not fits_right() and frame.x() - PHONE_GAP - width < area.x():
        room = area.width() - PHONE_GAP - width - border.width()
        if window.width() > room:
            window.resize(max(room, window.minimumSizeHint().width()), window.height())
        window.move(area.x(), window.y())
        frame = window.frameGeometry()
    x = frame.x() + frame.width() + PHONE_GAP if fits_right() else frame.x() - PHONE_GAP - width
    x = min(max(x, area.x()), area.x() + area.width() - width)
    y = min(max(frame.y(), area.y()), area.y() + area.height() - height)
    panel.resize(panel.width(), height - border.height())
    panel.move(x, y)
