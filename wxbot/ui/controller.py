"""Wires the window, the tray and the pages to one BotService: runs its blocking calls on worker threads,
turns its events (through the bridge) into what the owner sees, and turns clicks into service calls."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from wxbot.errors import PassphraseNeeded, WeakPassphrase, WrongKeyError, WxbotError
from wxbot.events import (
    BotPhase,
    BotState,
    DraftsChanged,
    HandoffChanged,
    LoginPhase,
    LoginState,
    MessageLogged,
    ModelPhase,
    ModelState,
    Notice,
)
from wxbot.llm.catalog import MIN_CUSTOMER_PARAMETERS
from wxbot.llm.vram import detect_gpu
from wxbot.messages import Actor, ReplyMode
from wxbot.service import BotService
from wxbot.settings import Settings
from wxbot.store.db import db_path
from wxbot.store.keys import keychain_works
from wxbot.ui.bridge import EventBridge
from wxbot.ui.guide import FirstRunGuide, apply_choices
from wxbot.ui.i18n import one_language, tr
from wxbot.ui.pages.contacts import ContactsPage
from wxbot.ui.pages.conversations import ConversationsPage
from wxbot.ui.pages.dashboard import DashboardPage
from wxbot.ui.pages.drafts import DraftsPage
from wxbot.ui.pages.gaps import GapsPage
from wxbot.ui.pages.knowledge import KnowledgePage
from wxbot.ui.pages.login import LoginPage, login_text
from wxbot.ui.pages.models import ModelsPage
from wxbot.ui.pages.oplog import OplogPage
from wxbot.ui.pages.settings_page import SettingsPage
from wxbot.ui.passphrase import ask_passphrase
from wxbot.ui.tasks import Tasks
from wxbot.ui.tray import Tray
from wxbot.ui.window import MainWindow
from wxbot.views import ContactView


def bot_text(state: BotState, contacts_on: int | None = None) -> str:
    """The status line; while running, how many contacts it answers (``None``: not known yet)."""
    if state.state == BotPhase.RUNNING:
        return tr("Auto-reply running") if contacts_on is None else \
            tr("Auto-reply running (contacts on: %d)") % contacts_on
    text = {"stopped": tr("Auto-reply stopped"), "paused": tr("Auto-reply paused"),
            "error": tr("Auto-reply stopped by an error")}.get(state.state, state.state)
    return f"{text}: {one_language(state.detail)}" if state.detail else text


class AppController(QObject):
    finished = Signal()  # the service is closed; the app may quit

    def __init__(self, settings: Settings, lang: str, *, use_tray: bool | None = None) -> None:
        super().__init__()
        self.lang = lang
        self.bridge = EventBridge(self)
        self.tasks = Tasks(self)
        self.svc = BotService(settings, self.bridge.post)
        self.login_busy = False
        self.user_logout = False
        self.closing = False
        self.closed = False
        self.told_about_tray = False
        self.bot_state = BotState(BotPhase.STOPPED)
        self.contacts_on: int | None = None  # contacts with a reply mode other than off, once the list is read

        self.login_page = LoginPage()
        self.contacts_page = ContactsPage(self.svc, self.tasks)
        self.conversations_page = ConversationsPage(self.svc, self.tasks, lang)
        self.drafts_page = DraftsPage(self.svc, self.tasks, lang)
        self.knowledge_page = KnowledgePage(self.svc, self.tasks, lang)
        self.gaps_page = GapsPage(self.svc, self.tasks, lang)
        self.settings_page = SettingsPage(settings, lang)
        self.dashboard_page = DashboardPage(self.svc, self.tasks)
        self.oplog_page = OplogPage(self.svc, self.tasks)
        self.models_page = ModelsPage(self.svc, self.tasks, lang)
        self.window = MainWindow({"login": self.login_page, "dashboard": self.dashboard_page,
                                  "contacts": self.contacts_page, "drafts": self.drafts_page, "gaps": self.gaps_page,
                                  "conversations": self.conversations_page, "knowledge": self.knowledge_page,
                                  "models": self.models_page, "oplog": self.oplog_page, "settings": self.settings_page})
        use_tray = Tray.available() if use_tray is None else use_tray
        self.tray = Tray(self) if use_tray else None
        self._connect()

    def _connect(self) -> None:
        b = self.bridge
        b.qr_code.connect(self._on_qr)
        b.login_state.connect(self._on_login_state)
        b.bot_state.connect(self._on_bot_state)
        b.model_state.connect(self._on_model_state)
        b.message_logged.connect(self._on_message)
        b.contacts_changed.connect(lambda _e: self.refresh_contacts())
        b.notice.connect(self._on_notice)
        b.drafts_changed.connect(self._on_drafts)
        b.settings_changed.connect(lambda _e: self.settings_page.changed_elsewhere(self.svc.settings))
        b.handoff_changed.connect(self._on_handoff)
        self.drafts_page.shown.connect(self._show_drafts_count)
        self.login_page.login_requested.connect(lambda: self.login(hot_reload=False))
        self.login_page.logout_requested.connect(self.logout)
        self.contacts_page.open_conversation.connect(self._open_conversation)
        self.contacts_page.loaded.connect(self._show_waiting)  # the badge after a restart, too
        self.contacts_page.loaded.connect(self.conversations_page.set_contacts)
        self.contacts_page.loaded.connect(self._on_contacts)
        for page in (self.contacts_page, self.conversations_page, self.knowledge_page, self.drafts_page,
                     self.dashboard_page, self.oplog_page, self.models_page, self.gaps_page):
            page.error.connect(self.show_error)
        self.settings_page.apply_requested.connect(self.apply_settings)
        self.settings_page.guide_requested.connect(lambda: self.apply_settings(self.run_guide()))
        self.window.close_requested.connect(self._on_window_close)
        self.window.nav.currentRowChanged.connect(self._on_page)
        if self.tray is not None:
            self.tray.start_requested.connect(self.start_bot)
            self.tray.stop_requested.connect(self.stop_bot)
            self.tray.toggle_window.connect(self.toggle_window)
            self.tray.quit_requested.connect(self.quit)

    def _on_page(self, _row: int) -> None:
        page = self.window.current_page()  # the dashboard and the log are read each time they are opened
        if page == "dashboard":
            self.dashboard_page.refresh()
        elif page == "oplog":
            self.oplog_page.refresh()
        elif page == "gaps":
            self.gaps_page.refresh()
        elif page == "models":
            self.models_page.refresh()

    # ------------------------------------------------------------------ start-up
    def start(self) -> None:
        """Show the window (and tray), open the store, then load the model and log in, each off the GUI thread."""
        self.window.show()
        if self.tray is not None:
            self.tray.show()
        self._open_store()

    def _store_failed(self, exc: BaseException) -> None:
        """A passphrase that is missing, wrong or too short is asked for again (a new store's twice, with a
        strength hint); a cancelled ask leaves a banner button that asks once more, never a stuck app."""
        if not isinstance(exc, (PassphraseNeeded, WeakPassphrase, WrongKeyError)) or (
                isinstance(exc, WrongKeyError) and self.svc.passphrase is None):
            self.show_error(exc)
            return
        fresh = not db_path(self.svc.settings.data_path).exists()  # else the owner chose a passphrase before
        prompt = (tr("Wrong passphrase. Try again:") if isinstance(exc, WrongKeyError) else
                  tr("No system keychain is available. Choose a passphrase that protects your chat history; "
                     "you will type it at every start:") if fresh else
                  tr("Enter the passphrase that protects your chat history:"))
        error = self.error_text(exc) if isinstance(exc, WeakPassphrase) else ""
        text = ask_passphrase(self.window, prompt, new=fresh, error=error)
        if text is None:
            self.window.banner.show_message("error", self.error_text(exc),
                                            (tr("Enter passphrase"), self._open_store), topic="passphrase")
            return
        self.svc.passphrase = lambda: text
        self._open_store()

    def _open_store(self) -> None:
        self.tasks.run("open-store", self.svc.open_store, self._store_ready, self._store_failed)

    def _store_ready(self, _result: object) -> None:
        if self.closing:  # quit while the store opened: start nothing more
            return
        self.settings_page.load(self.svc.settings)  # personal fields come from the store
        self.refresh_contacts()
        self.knowledge_page.refresh()
        self.drafts_page.refresh()  # drafts kept from the last run
        self.tasks.run("load-model", self.svc.load_model)
        self.login(hot_reload=True)

    # ------------------------------------------------------------------ WeChat login
    def login(self, hot_reload: bool = True) -> None:
        if self.login_busy or self.closing:
            return
        self.login_busy = True
        self.user_logout = False
        self._on_login_state(LoginState(LoginPhase.CONNECTING))
        self.tasks.run("login", lambda: self.svc.login(hot_reload=hot_reload), self._login_done,
                       self._login_error)

    def _login_done(self, _result: object) -> None:
        self.login_busy = False
        if self.closing:  # the window closed while the login ran: its pages may be gone
            return
        if self.svc.login_state.state != LoginPhase.LOGGED_IN:
            self.login_page.show_state(self.svc.login_state)

    def _login_error(self, exc: BaseException) -> None:
        self.login_busy = False
        if self.closing:
            return
        if self.svc.store is None and isinstance(exc, (PassphraseNeeded, WeakPassphrase, WrongKeyError)):
            self.login_page.show_state(LoginState(LoginPhase.LOGGED_OUT))
            self._store_failed(exc)  # the store is not open: its passphrase first, then the login follows
            return
        self.login_page.show_state(LoginState(LoginPhase.FAILED, self.error_text(exc)))
        self.show_error(exc)

    def logout(self) -> None:
        self.user_logout = True
        self.tasks.run("logout", self.svc.logout, None, self.show_error)

    def _on_qr(self, event) -> None:
        self.login_page.show_qr(event)
        self.window.show_page("login")

    def _on_login_state(self, state: LoginState) -> None:
        self.login_page.show_state(state)
        text = login_text(state)
        self.window.set_login_status(state.state, text)
        if state.state == LoginPhase.LOGGED_IN:
            self.window.banner.hide()
            self.refresh_contacts()
            if self.window.current_page() == "login":
                self.window.show_page("dashboard")
            self._set_tray("stopped" if not self.svc.bot_running else "running", text)
        elif state.state == LoginPhase.LOGGED_OUT:
            self._set_tray("logged_out", text)
            if not self.user_logout and not self.closing:
                self.window.banner.show_message("error" if state.risk else "warning",
                                                tr("WeChat logged you out: %s") % one_language(state.detail or "-"))
                # the Login page with its Log in button, no QR code: after WeChat ended the session (its risk
                # control) the owner checks the phone first and logs in again only by choice
                self.window.show_page("login")
        elif state.state == LoginPhase.FAILED:
            self._set_tray("error", text)
            if state.detail:
                self.window.banner.show_message("error", text)

    # ------------------------------------------------------------------ bot, model, messages
    def start_bot(self) -> None:
        try:
            self.svc.start_bot(by=Actor.TRAY)
        except WxbotError as exc:
            self.show_error(exc)

    def stop_bot(self) -> None:
        self.svc.stop_bot(by=Actor.TRAY)

    def _on_bot_state(self, state: BotState) -> None:
        self.bot_state = state
        text = bot_text(state, self.contacts_on)
        self.window.set_bot_status(state.state, text, answering=self.contacts_on != 0)
        if self.svc.login_state.state == LoginPhase.LOGGED_IN or state.state != BotPhase.STOPPED:
            self._set_tray(state.state, text)

    def _on_model_state(self, state: ModelState) -> None:
        server = state.info is not None and state.info.engine == "openai"
        if state.state == ModelPhase.LOADING:
            self.window.set_model_status(tr("Loading model %s…") % state.detail, state.progress)
        elif state.state == ModelPhase.READY and state.info is not None and state.info.local is not None:
            path = state.info.local.path
            self.window.set_model_status(tr("Model: %s (%s)") % (Path(path).name, state.detail), None)
            self._model_size(state.info.parameters)
        elif state.state == ModelPhase.READY:
            self.window.set_model_status((tr("Server model: %s (reachable)") if server else tr("Model ready: %s"))
                                         % state.detail, None)
        elif state.state == ModelPhase.UNREACHABLE:
            self.window.set_model_status(tr("Server model: %s (unreachable)") % state.info.description, None)
            self.window.banner.show_message("warning", one_language(state.detail))
        elif state.state == ModelPhase.NONE:
            self.window.set_model_status(tr("No model"), None)
            # the core's detail names the folders it looked in; the fallback says the same in the UI language
            self.window.banner.show_message("warning", one_language(state.detail) or tr(
                "No model yet. Put a DeepSeek .gguf file in the models folder, or choose one on the Settings page."))
        else:
            self.window.set_model_status(tr("Model failed"), None)
            self.window.banner.show_message("error", tr("The model could not be loaded: %s") % one_language(state.detail))

    def _model_size(self, parameters: int) -> None:
        """A model too small to talk to customers is named in a warning that stays until a bigger one loads."""
        if not parameters or parameters >= MIN_CUSTOMER_PARAMETERS:  # 0: not known
            self.window.banner.withdraw("small-model")
            return
        self.window.banner.show_message(
            "warning", tr("The model in use has only %s parameters: too small to answer customers (its answers "
                          "are often wrong). Use it to try wxbot; for customers, download the model recommended "
                          "for this PC.") % f"{parameters / 1e6:.0f}M",
            (tr("Open the Models page"), lambda: self.window.show_page("models")), topic="small-model")

    def _on_message(self, event: MessageLogged) -> None:
        self.conversations_page.on_message(event)
        if event.by_bot:
            self.window.set_replies_today(self.svc.replies_today())

    def _on_notice(self, notice: Notice) -> None:
        text = one_language(notice.text)
        self.window.banner.show_message(notice.level, text)
        if self.tray is not None and not self.window.isVisible() and notice.level != "info":
            self.tray.message("wxbot", text)

    def _on_drafts(self, event: DraftsChanged) -> None:
        """A draft came or went: the page re-reads them; a new one is announced in the tray."""
        self._show_drafts_count(event.pending)
        self.drafts_page.refresh()
        self.conversations_page.on_drafts()
        if event.new and self.tray is not None:
            self.tray.message(tr("New draft"), tr("Draft #%d for %s is waiting for you") % (event.new, event.contact))

    def _on_handoff(self, event: HandoffChanged) -> None:
        """A customer was handed to the owner (or resolved): the badge, the tray and a notification say so."""
        self.contacts_page.refresh()
        if event.contact:
            text = tr("%s is waiting for you: the assistant stopped answering them") % event.name
            self.window.banner.show_message("warning", text)
            if self.tray is not None:
                self.tray.message(tr("Waiting for the owner"), text)

    def _show_waiting(self, contacts: list) -> None:
        n = sum(c.waiting for c in contacts)
        self.window.set_waiting_count(n)
        if self.tray is not None:
            self.tray.set_waiting(n)

    def _show_drafts_count(self, n: int) -> None:
        self.window.set_drafts_count(n)
        if self.tray is not None:
            self.tray.set_drafts(n)

    def _on_contacts(self, contacts: list[ContactView]) -> None:
        """The status says how many contacts are answered; logged in with none on, the window says so and
        offers to choose (the Contacts page: select several, set a mode, or what new contacts get)."""
        self.contacts_on = sum(c.mode is not ReplyMode.OFF for c in contacts)
        self._on_bot_state(self.bot_state)
        if self.contacts_on:
            self.window.banner.withdraw("nobody-on")
        elif contacts and self.svc.login_state.state == LoginPhase.LOGGED_IN:
            self.window.banner.show_message(
                "warning", tr("No contact is on: wxbot answers nobody yet. Choose whom it answers: select "
                              "contacts and set Auto or Drafts, or choose what new contacts get."),
                (tr("Choose contacts"), lambda: self.window.show_page("contacts")), topic="nobody-on")

    def refresh_contacts(self) -> None:
        self.contacts_page.refresh()  # the Conversations list follows when the contacts are loaded
        self.window.set_replies_today(self.svc.replies_today())

    def _open_conversation(self, contact_id: str) -> None:
        self.window.show_page("conversations")
        self.conversations_page.show_contact(contact_id)

    # ------------------------------------------------------------------ settings
    def run_guide(self) -> Settings:
        """Show the first-run guide (modal) and return the settings it leads to; a passphrase chosen in it
        protects the store about to be made (the key step is left out once a store exists)."""
        fresh = not db_path(self.svc.settings.data_path).exists()
        guide = FirstRunGuide(self.svc.settings, detect_gpu(), key_step=fresh, keychain=fresh and keychain_works(),
                              lang=self.lang, parent=self.window)
        guide.exec()
        text = guide.choices.passphrase
        if text is not None:
            self.svc.keychain = False
            self.svc.passphrase = lambda: text
        self.window.show_page("login")
        return apply_choices(self.svc.settings, guide.choices)

    def apply_settings(self, new: Settings) -> None:
        def done(_r: object) -> None:
            self.settings_page.applied(self.svc.settings)
            self.contacts_page.new_default.set_mode(self.svc.settings.new_contact_mode)

        key = self.settings_page.engine.new_key()
        loaded = self.settings_page.base  # what the form showed: only the owner's changes are applied over it
        self.tasks.run("apply-settings", lambda: self.svc.apply_settings(new, api_key=key, loaded=loaded), done,
                       self.settings_page.failed)

    # ------------------------------------------------------------------ errors
    def error_text(self, exc: BaseException) -> str:
        return exc.message(self.lang) if isinstance(exc, WxbotError) else tr("Unexpected error: %s") % exc

    def show_error(self, exc: BaseException) -> None:
        self.window.banner.show_message("error", self.error_text(exc))

    # ------------------------------------------------------------------ window, tray, quitting
    def _set_tray(self, state: str, text: str) -> None:
        if self.tray is not None:
            self.tray.set_state(state, text)

    def toggle_window(self) -> None:
        if self.window.isVisible():
            self.window.hide()
        else:
            self.bring_to_front()
        if self.tray is not None:
            self.tray.set_window_visible(self.window.isVisible())

    def bring_to_front(self) -> None:
        self.window.show()
        self.window.setWindowState(self.window.windowState() & ~Qt.WindowState.WindowMinimized)
        self.window.raise_()
        self.window.activateWindow()

    def _on_window_close(self) -> None:
        if self.tray is None:
            self.quit()
            return
        self.window.hide()
        self.tray.set_window_visible(False)
        if not self.told_about_tray:
            self.told_about_tray = True
            self.tray.message(tr("wxbot keeps running"),
                              tr("wxbot is still answering in the background. Use the tray icon to open the "
                                 "window or quit."))

    def quit(self) -> None:
        """Close the service off the GUI thread (the model worker and WeChat may take a moment), then finish."""
        if self.closing:
            return
        self.closing = True
        self.window.hide()
        if self.tray is not None:
            self.tray.icon.hide()
        self.tasks.run("close", self._close_service, lambda _r: self.finished.emit(),
                       lambda exc: self.finished.emit())

    def _close_service(self) -> None:
        if not self.closed:
            self.closed = True
            self.svc.close()

    def close_now(self) -> None:
        """Blocking close, for tests and the end of run_app (safe after quit())."""
        self.closing = True
        self._close_service()
        self.window.hide()
        if self.tray is not None:
            self.tray.icon.hide()
