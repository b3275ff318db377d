"""The bot as one object the desktop app and the headless mode both drive: the composition root.

BotService owns the settings, the encrypted store, the knowledge base, the engine (the local model worker or
a model server), the WeChat channel and the Bot, and reports everything through events (wxbot.events). Its
blocking methods (open_store, load_model, login) are meant to run off the GUI thread; the rest return quickly
and are safe from any thread. What the window and the CLI read (contacts, history, drafts, the dashboard, the
operation log) is wxbot/views.py's WindowViews, which BotService extends with the parts it builds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import fields

from loguru import logger

from wxbot.core.answering import Decision
from wxbot.core.bot import Bot
from wxbot.core.drafts import Keep
from wxbot.core.engine import ReplyEngine
from wxbot.core.faqbook import kept_rule, merge_rules, with_rule
from wxbot.core.firstchar import FirstCharTimes
from wxbot.core.instance import InstanceLock
from wxbot.core.metrics import Metrics
from wxbot.core.roster import Roster
from wxbot.core.storeinbox import StoreInbox
from wxbot.core.summary import DailySummary
from wxbot.errors import ConfigError, StoreError, WxbotError
from wxbot.events import (
    BotPhase,
    BotState,
    ContactsChanged,
    DraftDecided,
    LoginPhase,
    LoginState,
    ModelPhase,
    ModelState,
    Notice,
    NoticeLevel,
    SettingsChanged,
)
from wxbot.kb.desk import KnowledgeDesk
from wxbot.llm.api import Engine
from wxbot.llm.backends import ENGINE_FIELDS, engine_label, open_engine
from wxbot.llm.sequences import GenerationStats
from wxbot.media.reader import LocalMediaReader
from wxbot.messages import Actor, OpKind
from wxbot.settings import Settings, personal_fields, save_settings
from wxbot.store import Store
from wxbot.store.apikey import load_api_key, save_api_key
from wxbot.views import WindowViews
from wxbot.wechat import SessionFile, WeChatChannel

EventSink = Callable[[object], None]
SESSION_FILE = "session.bin"
OWNER_PAUSED = "owner_paused"  # in the store: the owner stopped auto-reply (#pause, the tray) until they start it
SUMMARY_TICK_SECONDS = 30.0  # how often the daily summary checks whether its hour has come
RETENTION_EVERY_SECONDS = 86400.0  # retention runs at start-up and then daily, so a long-running app purges too
PERSONAL_FIELDS = personal_fields()


class BotService(WindowViews):
    def __init__(self, settings: Settings, on_event: EventSink,
                 passphrase: Callable[[], str] | None = None) -> None:
        self.settings = settings
        self.on_event = on_event
        self.passphrase = passphrase
        self.keychain = True  # False: a new store's key goes under the passphrase (the first-run guide's choice)
        self.lock = InstanceLock(settings.data_path)
        self.store = None
        self.model = None
        self.channel = None
        self.roster: Roster | None = None
        self.engine: ReplyEngine | None = None
        self.knowledge: KnowledgeDesk | None = None
        self.bot: Bot | None = None
        self._want_running = True  # start auto-reply after login unless the owner (or a risk signal) stopped it
        self.login_state = LoginState(LoginPhase.LOGGED_OUT)
        self.model_state = ModelState(ModelPhase.NONE)
        self._login_cancel = threading.Event()
        self.summary: DailySummary | None = None
        self.metrics: Metrics | None = None
        self.first_chars = FirstCharTimes()
        self._summary_stop = threading.Event()
        self._purged_at = 0.0  # time.monotonic() of the last retention run
        self._actor = Actor.SYSTEM  # who asked for the next start/stop (the operation log)
        self._logout_by = Actor.WECHAT  # a logout nobody here asked for is WeChat's
        self._logged_running = False
        self._logged_in = False
        self._life = threading.RLock()  # a login finishing and close() don't interleave
        self._settings_lock = threading.RLock()  # one settings write at a time (a Settings save, a kept rule)
        self._closed = False
        self._model_problem = ""  # why the model can't be used: auto-reply stays stopped until one loads
        if settings.metrics_port:
            self._serve_metrics(settings.metrics_port)

    def _serve_metrics(self, port: int) -> None:
        metrics = Metrics()
        try:
            host, bound = metrics.serve(port)
        except OSError as exc:  # e.g. the port is taken: the bot runs on, the owner is told
            self._emit(Notice(NoticeLevel.WARNING, f"无法在 127.0.0.1:{port} 提供监控指标：{exc.strerror or exc} "
                                                   f"(metrics not served on 127.0.0.1:{port}: {exc.strerror or exc})"))
            return
        metrics.running.set(1 if self.bot_running else 0)  # switched on while the bot already runs
        self.metrics = metrics
        logger.info("metrics on http://{}:{}/metrics", host, bound)

    def _emit(self, event: object) -> None:
        if isinstance(event, LoginState):
            self.login_state = event
        elif isinstance(event, ModelState):
            self.model_state = event
        try:
            self._log_operation(event)
        except StoreError as err:  # a full or read-only disk must not stop the event (the outage notice itself)
            logger.warning("operation log not written: {}", err.en)
        if self.metrics is not None:
            self.metrics.observe(event)
        if self._closed:  # closed: nobody listens any more (the window may be gone)
            return
        try:
            self.on_event(event)
        except Exception:  # a broken listener must not break the bot
            logger.exception("event listener failed")

    # ------------------------------------------------------------------ start-up
    def acquire_instance(self) -> None:
        """Refuse to run twice on one data dir (raises AlreadyRunningError)."""
        self.lock.acquire()

    def open_store(self) -> None:
        """Open (or create) the encrypted store and take the personal settings from it. close() waits for an
        unlock under way, and after close() nothing opens again (the app is quitting)."""

        with self._life:
            if self.store is None and not self._closed:
                self._open_store()

    def _open_store(self) -> None:
        self.store = Store.open(self.settings.data_path, passphrase=self.passphrase, keychain=self.keychain)
        self.passphrase = None  # the key is unwrapped: the passphrase is not kept for the rest of the run
        personal = {name: self.store.get_personal(name, getattr(self.settings, name)) for name in PERSONAL_FIELDS}
        self.settings = self.settings.replace(**self._usable(personal))
        self._purge_old()
        self.roster = Roster(self.store, self.settings, lambda cid: self._emit(ContactsChanged((cid,))))
        self.knowledge = KnowledgeDesk(self.store, self.settings)
        if self.knowledge.embedding_error:
            self._emit(Notice(NoticeLevel.WARNING, self.knowledge.embedding_error))
        self.engine = ReplyEngine(self.settings, self.model, self.store, self.knowledge)
        self._want_running = self._want_running and not self.store.get_personal(OWNER_PAUSED, False)
        self.bot = Bot(self.settings, self, self.engine, StoreInbox(self.store), self.roster, self.roster,
                       self._emit, self.store, control=self)
        self.bot.drafts.keep = self._keep_correction
        self._read_media()
        self.bot.drafts.recover()
        self.bot.start_threads()
        self.summary = DailySummary(self.settings, self.store, self.send_text,
                                    gaps=lambda: [(g.question, g.count) for g in self.gaps(1)[:3]])
        threading.Thread(target=self._daily_timer, name="wxbot-daily", daemon=True).start()

    def _read_media(self) -> None:
        """Voice messages and pictures are read on this PC (speech model, OCR) by the bot's media stage."""
        reader = LocalMediaReader(self.settings)
        if reader.problem:
            self._emit(Notice(NoticeLevel.WARNING, reader.problem))
        self.bot.media.reader = reader

    def _usable(self, personal: dict[str, object]) -> dict[str, object]:
        """The stored personal settings that today's rules accept (one saved by an older version, e.g. a longer
        persona or a backtracking FAQ regex, must not keep the app from opening): the rest fall back to their
        default, and the owner is told which and why."""
        usable: dict[str, object] = {}
        for name, value in personal.items():
            try:
                self.settings.replace(**{name: value})
            except ConfigError as err:
                self._emit(Notice(NoticeLevel.WARNING, f"保存的设置 {name} 已不可用，在设置中修改前使用默认值：{err.zh} "
                                                       f"(the saved {name} can't be used; the default applies until "
                                                       f"you change it in Settings: {err.en})"))
                continue
            usable[name] = value
        return usable

    def _purge_old(self) -> None:
        """Delete history older than ``retention_days`` (if set), and note when."""
        self._purged_at = time.monotonic()
        if self.settings.retention_days and self.store is not None:
            self.store.purge_older_than(self.settings.retention_days)

    def _daily_timer(self) -> None:
        """Offers the daily summary its chance once every SUMMARY_TICK_SECONDS, and applies retention once every
        RETENTION_EVERY_SECONDS, until the service closes."""
        while not self._summary_stop.wait(SUMMARY_TICK_SECONDS):
            summary = self.summary
            if summary is None:
                return
            if time.monotonic() - self._purged_at >= RETENTION_EVERY_SECONDS:
                try:
                    self._purge_old()
                except WxbotError as err:  # e.g. the store can't be written: tried again the next day
                    logger.warning("retention not applied: {}", err.en)
            try:
                summary.tick()
            except WxbotError as err:  # e.g. the store can't be read: tried again at the next tick
                logger.warning("daily summary not sent: {}", err.en)

    def load_model(self, path: str | None = None) -> None:
        """Start (or replace) the configured engine: the local model in its worker process, or a model server.
        Reports through ModelState events."""

        try:
            label = engine_label(self.settings, path)
        except WxbotError as err:
            self._emit(ModelState(ModelPhase.NONE, detail=str(err)))
            if self.settings.model_path:  # the owner named a model that isn't there
                self._model_unusable(str(err))
            return
        self._emit(ModelState(ModelPhase.LOADING, 0.0, detail=label))
        old, self.model = self.model, None
        if self.engine is not None:
            self.engine.set_model(None, loading=True)
        if old is not None:
            old.close()
        try:
            opened = open_engine(self.settings, path=path, api_key=load_api_key(self.settings.data_path, self.settings.openai_base_url),
                                 on_progress=lambda p: self._emit(ModelState(ModelPhase.LOADING, p.fraction,
                                                                             detail=label)),
                                 on_health=self._on_engine_health, on_crash=self._on_model_crash,
                                 on_restarted=lambda: self._on_engine_health(True, ""),
                                 on_generated=self._observe_generation)
        except WxbotError as err:
            if self.engine is not None:
                self.engine.set_model(None)
            self._emit(ModelState(ModelPhase.ERROR, detail=str(err)))
            self._emit(Notice(NoticeLevel.ERROR, str(err)))
            self._model_unusable(str(err))
            return
        model = opened.model
        if self._closed:  # the app quit while the model loaded
            model.close()
            return
        self.model = model
        if self.engine is not None:
            self.engine.set_model(model)
        if opened.problem is not None and opened.problem.reachable:  # the server refused us (key, model name)
            self._emit(ModelState(ModelPhase.ERROR, detail=str(opened.problem), info=model.info))
            self._emit(Notice(NoticeLevel.ERROR, str(opened.problem)))
            self._model_unusable(str(opened.problem))
            return
        self._model_problem = ""
        if opened.problem is not None:  # no answer yet: replies try again, and say so, until the server is back
            self._emit(ModelState(ModelPhase.UNREACHABLE, detail=str(opened.problem), info=model.info))
            self._emit(Notice(NoticeLevel.ERROR, str(opened.problem)))
        else:
            self._emit(ModelState(ModelPhase.READY, 1.0, detail=model.info.description, info=model.info))
        if self._want_running and not self.bot_running and self.channel is not None:
            self.start_bot()  # auto-reply waited for a usable model
        if model.load_note:  # loaded only after out-of-memory retries with fewer GPU layers
            self._emit(Notice(NoticeLevel.WARNING, f"显存不足，已减少放到 GPU 上的层数：{model.info.description} "
                                                   f"(not enough GPU memory: {model.load_note})"))

    def _on_engine_health(self, reachable: bool, text: str) -> None:
        """A model server stopped or started answering again (told from the reply worker's thread)."""
        model = self.model
        if model is None:
            return
        if reachable:
            self._emit(ModelState(ModelPhase.READY, 1.0, detail=model.info.description, info=model.info))
        else:
            self._emit(ModelState(ModelPhase.UNREACHABLE, detail=text, info=model.info))

    def _on_model_crash(self, err: WxbotError) -> None:
        """The model process died after loading (told from the reply worker's thread): the status bar stops
        saying ready; the next request starts it again (then ``_on_engine_health`` says ready)."""
        model = self.model
        self._emit(ModelState(ModelPhase.ERROR, detail=str(err), info=model.info if model is not None else None))
        self._emit(Notice(NoticeLevel.ERROR, str(err)))

    def _model_unusable(self, reason: str) -> None:
        """A model that can't be loaded leaves auto-reply stopped, with the reason, until one loads."""
        self._model_problem = reason
        if self.bot is not None and self.bot.running:
            self.bot.stop(_model_stop_text(reason))

    # ------------------------------------------------------------------ WeChat
    def login(self, hot_reload: bool = True) -> None:
        """Blocking: QR (or hot reload) login, contact sync, then receiving. Reports through events."""

        self.open_store()
        if self.store is None:  # closed while the login was starting
            return
        self._login_cancel.clear()
        session = SessionFile(self.settings.data_path / SESSION_FILE, cipher=self.store.cipher)
        channel = WeChatChannel(self.settings, session, self._on_channel_event)
        try:
            account = channel.login(hot_reload=hot_reload, cancel=self._login_cancel)
        except WxbotError as err:
            self._emit(LoginState(LoginPhase.FAILED, str(err), risk=getattr(err, "risk", False)))
            self._emit(Notice(NoticeLevel.ERROR, str(err)))
            return
        with self._life:  # close() waits for this part, and a login that finishes after close() stops here
            if self._closed:
                channel.close()
                return
            self.channel = channel
            flagged = self.roster.sync(channel.contacts(), account.nick_name)
            self._emit(ContactsChanged())
            if flagged:
                self._emit(Notice(NoticeLevel.WARNING, f"有 {len(flagged)} 个联系人需要确认（改名或重名），确认前不会自动回复 "
                                             f"({len(flagged)} contacts need confirming; no auto-reply until then)"))
            if self._want_running:  # before any message flows, or the first ones are stored as "bot_stopped"
                self.start_bot()
            # interrupted work first: a copy WeChat sends again then finds it in the inbox and is dropped
            bot = self.bot
            bot.resume_interrupted(self.store.inbox_resume(self.settings.inbox_expire_minutes * 60))
            channel.start_receiving(bot.on_message, lambda: bot.holding)
            bot.drafts.tell_interrupted()

    def cancel_login(self) -> None:
        self._login_cancel.set()

    def logout(self, by: Actor = Actor.WINDOW) -> None:
        self._logout_by = by
        self.stop_bot(remember=False, by=by)
        channel, self.channel = self.channel, None
        if channel is not None:
            channel.logout()
        self._emit(LoginState(LoginPhase.LOGGED_OUT, "已退出登录 (logged out)"))

    def send_text(self, user_name: str, text: str) -> bool:
        """The bot's Sender: the channel of the current login."""
        channel = self.channel
        return channel is not None and channel.send_text(user_name, text)

    def who_is(self, user_name: str) -> bool:
        channel = self.channel
        return channel is not None and channel.who_is(user_name)

    def _on_channel_event(self, event: object) -> None:
        if isinstance(event, LoginState) and event.state == LoginPhase.LOGGED_OUT:
            self.channel = None
            if event.risk:  # WeChat's risk control: stop, tell the owner, never log back in by ourselves
                self._want_running = False
                self._emit(Notice(NoticeLevel.ERROR, f"微信已将此账号登出，自动回复已停止，请在手机上检查账号状态后再手动登录："
                                           f"{event.detail} (WeChat logged the account out; auto-reply stopped)"))
            if self.bot is not None and self.bot.running:
                self.bot.stop(event.detail, risk=event.risk, cut_off=True)
        self._emit(event)

    # ------------------------------------------------------------------ the bot
    @property
    def bot_running(self) -> bool:
        return self.bot is not None and self.bot.running

    def _observe_generation(self, stats: GenerationStats) -> None:
        """The decode speed and the wait for the first character of a reply the local model just generated (told
        by the reply's own thread)."""
        self.first_chars.add(stats)
        if (metrics := self.metrics) is not None:
            metrics.generation(stats)

    def _log_operation(self, event: object) -> None:
        """Bot started/stopped (by whom: a risk signal, the pending actor, else wxbot itself), logins and logouts
        (by the window, the tray, a risk signal or WeChat), drafts approved, edited or rejected."""
        if self.store is None:
            return
        if isinstance(event, BotState):
            running = event.state == BotPhase.RUNNING
            if running != self._logged_running:  # transitions only, not every repeated "stopped"
                self._logged_running = running
                self.store.log_operation(OpKind.BOT_STARTED if running else OpKind.BOT_STOPPED,
                                         Actor.RISK if event.risk else self._actor, event.detail)
        elif isinstance(event, LoginState) and event.state in (LoginPhase.LOGGED_IN, LoginPhase.LOGGED_OUT):
            logged_in = event.state == LoginPhase.LOGGED_IN
            if logged_in != self._logged_in:  # a logout is reported by the window and by the channel: once
                self._logged_in = logged_in
                by = Actor.SYSTEM if logged_in else Actor.RISK if event.risk else self._logout_by
                self.store.log_operation(OpKind.LOGIN if logged_in else OpKind.LOGOUT, by, event.detail)
            self._logout_by = Actor.WECHAT
        elif isinstance(event, DraftDecided):
            self.store.log_operation(event.kind, event.by, f"#{event.draft_id} {event.contact}")

    def start_bot(self, by: Actor = Actor.SYSTEM) -> None:
        self._actor = by  # the BotState this emits (synchronously) is logged as theirs
        try:
            self._start_bot()
        finally:
            self._actor = Actor.SYSTEM

    def _start_bot(self) -> None:
        self._want_running = True
        self._remember_paused(False)
        if self.bot is None:
            return
        if self.channel is None:
            self._emit(BotState(BotPhase.STOPPED, "未登录微信 (not logged in)"))
            return
        if self._model_problem:
            self._emit(BotState(BotPhase.STOPPED, _model_stop_text(self._model_problem)))
            return
        self.bot.start()

    def stop_bot(self, remember: bool = True, by: Actor = Actor.SYSTEM) -> None:
        """Stop auto-reply; ``remember``: the owner's choice, kept across restarts and re-logins."""
        if remember:
            self._want_running = False
            self._remember_paused(True)
        if self.bot is not None and self.bot.running:
            self._actor = by
            try:
                self.bot.stop()
            finally:
                self._actor = Actor.SYSTEM

    def _remember_paused(self, paused: bool) -> None:
        if self.store is not None and self.store.get_personal(OWNER_PAUSED, False) != paused:
            self.store.set_personal(OWNER_PAUSED, paused)

    # BotControl for #pause / #resume / #status from File Transfer Helper
    @property
    def paused(self) -> bool:
        return not self.bot_running

    def set_paused(self, paused: bool) -> None:
        self.stop_bot(by=Actor.PHONE) if paused else self.start_bot(by=Actor.PHONE)

    def replies_today(self) -> int:
        return self.bot.replies_today() if self.bot is not None else 0

    # ------------------------------------------------------------------ knowledge base
    def kb(self) -> KnowledgeDesk:
        """The knowledge base: list, add, re-import, remove, search. Its calls block (run them off the GUI
        thread); StoreError until the store is open."""
        if self.knowledge is None:
            raise StoreError("数据还没有打开，请稍候", "the store is not open yet")
        return self.knowledge

    def try_question(self, question: str) -> Decision:
        """What would answer ``question`` now (a rule, passages, the model, the fallback, a draft) and why: the
        window's 「试一试」. Blocks (a search); StoreError until the store is open."""
        if self.engine is None:
            raise StoreError("数据还没有打开，请稍候", "the store is not open yet")
        return self.engine.decide(question)

    def _keep_correction(self, kind: Keep, question: str, answer: str) -> None:
        """A corrected draft, kept so the same question gets this answer next time (first: it wins over the rule
        that made the draft wrong)."""
        if kind is Keep.FAQ:
            with self._settings_lock:  # read, add, write: a Settings save at the same time waits
                rules = with_rule(self.settings.faq_rules, kept_rule(question, answer))
                self.apply_settings(self.settings.replace(faq_rules=rules))
            return
        self.kb().kb.add_note(f"问：{question[:40]}", f"问：{question}\n答：{answer}")  # named apart from files

    # ------------------------------------------------------------------ settings
    def apply_settings(self, new: Settings, api_key: str | None = None, by: Actor = Actor.WINDOW,
                       loaded: Settings | None = None) -> None:
        """Validate, persist (personal text into the encrypted store, a new model-server ``api_key`` into the
        keychain) and apply; start the engine anew when it changed (no restart needed). Every writer of
        settings, FAQ rules included, comes through here. ``loaded``: what a form showed when the owner began
        editing; then only what they changed is applied over the current settings (a rule kept meanwhile stays)."""
        with self._settings_lock:
            if loaded is not None:
                new = _rebase(new, loaded, self.settings)
            reload_model = self._apply_settings(new, api_key, by)
        self._emit(SettingsChanged())
        if reload_model:  # switching engines needs no restart
            self.load_model()

    def _apply_settings(self, new: Settings, api_key: str | None, by: Actor) -> bool:
        new.validate()
        if api_key is not None:
            save_api_key(new.data_path, api_key, new.openai_base_url)
        reload_model = any(getattr(new, k) != getattr(self.settings, k) for k in ENGINE_FIELDS) or \
            (api_key is not None and new.llm_backend == Engine.OPENAI)
        switched = new.llm_backend != self.settings.llm_backend
        changed = [f.name for f in fields(Settings) if getattr(new, f.name) != getattr(self.settings, f.name)]
        save_settings(new)
        if self.store is not None and (changed or api_key is not None):  # names only: values may be personal
            self.store.log_operation(OpKind.SETTINGS, by, ", ".join(changed + ["api_key"] * (api_key is not None)))
        if self.store is not None:
            for name in PERSONAL_FIELDS:
                if getattr(new, name) != getattr(self.settings, name):
                    self.store.set_personal(name, getattr(new, name))
        previous, self.settings = self.settings, new
        if self.roster is not None:
            self.roster.settings = new
        if self.bot is not None:
            self.bot.apply_settings(new)
        if self.summary is not None:
            self.summary.settings = new
        if new.metrics_port != previous.metrics_port:  # the endpoint moves, starts or stops at once
            if self.metrics is not None:
                self.metrics.close()
                self.metrics = None
            if new.metrics_port:
                self._serve_metrics(new.metrics_port)
        if self.knowledge is not None:
            self.knowledge.apply_settings(new)
        return reload_model and (self.model is not None or switched)

    def close(self) -> None:
        self.cancel_login()
        with self._life:
            self._closed = True
            self._close_parts()

    def _close_parts(self) -> None:
        self._summary_stop.set()
        if self.metrics is not None:
            self.metrics.close()
        self.summary = None
        if self.bot is not None:
            self.bot.close()
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.model is not None:
            self.model.close()
            self.model = None
        if self.knowledge is not None:
            self.knowledge.close()
            self.knowledge = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.lock.held:
            self.lock.release()


def _rebase(new: Settings, loaded: Settings, current: Settings) -> Settings:
    """The settings a form's save leaves: what the owner changed from ``loaded``, over ``current``; the FAQ rules
    merged rule by rule, so a rule kept meanwhile (from the Drafts page or the phone) is not written away."""
    changes = {f.name: getattr(new, f.name) for f in fields(Settings)
               if getattr(new, f.name) != getattr(loaded, f.name)}
    changes["faq_rules"] = merge_rules(loaded.faq_rules, new.faq_rules, current.faq_rules)
    return current.replace(**changes)


def _model_stop_text(reason: str) -> str:
    return f"模型无法使用，自动回复未开始：{reason} (the model can't be used, so auto-reply is stopped)"
