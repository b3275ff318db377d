"""`wxbot --self-check`: proves that this build works on this PC, frozen or not — Qt, the encrypted store,
the model, a WeChat login against the built-in simulator and one automatic reply — without touching the
owner's data, keychain or WeChat account."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
from loguru import logger

from wxbot.errors import WxbotError
from wxbot.events import EventRecorder, LoginPhase, LoginState, MessageLogged, ModelPhase, QrCode
from wxbot.logs import setup_logging
from wxbot.messages import ReplyMode
from wxbot.service import BotService
from wxbot.settings import Settings
from wxbot.sim import Simulator
from wxbot.store.memkeyring import MemoryKeyring

SECRET = "自检 self-check 🔒"
WAIT_S = 60.0  # the longest any one step may take
FRIEND, FRIEND_NAME = "zhang", "张三-老客户"  # a friend of the simulator's default world (id, remark)
QUESTION = "你好，请问今天营业吗？"
FAQ_ANSWER = "每天 9:00-21:00 营业，欢迎光临。"
# Answer at once: the pacing that protects a real account would only make the check slow.
FAST = dict(typing_delay_base=0.0, typing_delay_per_char=0.0, min_seconds_between_replies=0.0,
            aggregate_seconds=0.0, max_reply_tokens=24, temperature=0.0)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool | None  # None: skipped
    seconds: float
    detail: str

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "-"}[self.ok]
        return f"{mark} {self.name:<6} {self.seconds:6.2f} s  {self.detail}"


def _timed(name: str, fn: Callable[[], str | None]) -> CheckResult:
    start = time.monotonic()
    try:
        detail = fn()
    except WxbotError as err:
        return CheckResult(name, False, time.monotonic() - start, err.en)
    except Exception as exc:  # the report must name any failure, whatever it is
        return CheckResult(name, False, time.monotonic() - start, f"{type(exc).__name__}: {exc}")
    if detail is None:
        return CheckResult(name, None, 0.0, "skipped")
    return CheckResult(name, True, time.monotonic() - start, detail)


def check_qt() -> str:
    """An offscreen QApplication shows a widget and can decode the image formats the window uses."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "wxbot"])
    widget = QWidget()
    widget.resize(200, 100)
    widget.show()
    app.processEvents()
    visible = widget.isVisible()
    widget.close()
    app.processEvents()
    if not visible:
        raise RuntimeError("a shown widget is not visible")
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "jpg"} - formats  # QR codes are PNG, WeChat avatars JPEG
    if missing:
        raise RuntimeError(f"Qt image formats missing: {', '.join(sorted(missing))}")
    return f"PySide6 {pyside_version}, {app.platformName()}, image formats: {len(formats)}"


def check_store(data_dir: Path) -> str:
    """Create the encrypted store, write a secret, reopen it and read it back; the file must not hold it."""
    from wxbot.store import db as dbfiles
    from wxbot.store.store import Store

    with Store.open(data_dir) as store:
        contact = store.upsert_contact("friend", "自检")
        store.add_turn(contact.id, "user", SECRET)
        store.checkpoint()
        source = store.key_source
    raw = dbfiles.db_path(data_dir).read_bytes()
    if SECRET.encode("utf-8") in raw:
        raise RuntimeError("the database file holds plain text")
    with Store.open(data_dir) as store:
        texts = [turn.text for turn in store.recent(contact.id, 5)]
    if texts != [SECRET]:
        raise RuntimeError(f"read back {len(texts)} messages, not the one written")
    return f"AES-GCM fields, key via {source} (an in-memory one for this check), {len(raw) // 1024} KB"


class SelfCheck:
    """One run: a temp data dir, the simulator on 127.0.0.1 and a BotService driven like the window does."""

    def __init__(self, root: Path, model_path: str | None, sim: Simulator) -> None:
        self.root, self.model_path, self.sim = root, model_path, sim
        faq = [] if model_path else [{"match": "contains", "pattern": "营业", "answer": FAQ_ANSWER}]
        self.settings = Settings(data_dir=str(root / "data"), model_path=model_path or "",
                                 wechat_base_url=sim.base_url, faq_rules=faq, **FAST)
        self.settings.validate()
        self.events = EventRecorder()
        self.service = BotService(self.settings, self.events)

    def checks(self) -> list[tuple[str, Callable[[], str | None]]]:
        return [("qt", check_qt), ("store", lambda: check_store(self.root / "store-check")),
                ("model", self.check_model), ("login", self.check_login), ("reply", self.check_reply)]

    def check_model(self) -> str | None:
        if not self.model_path:
            return None
        self.service.load_model(self.model_path)
        state = self.service.model_state
        if state.state != ModelPhase.READY:
            raise RuntimeError(f"model {state.state}: {state.detail}")
        info = state.info
        return f"{info.name}, {info.description}"

    def check_login(self) -> str:
        """Log in with the real itchat-uos client: the phone scans the QR code and confirms."""
        self.service.acquire_instance()
        errors: list[BaseException] = []
        login = threading.Thread(target=_catching(self.service.login, errors), kwargs={"hot_reload": False},
                                 name="selfcheck-login", daemon=True)
        login.start()
        self.events.wait_for(lambda e: isinstance(e, QrCode), WAIT_S, what="QR code")
        self.sim.scan()
        self.sim.confirm()
        done = self.events.wait_for(lambda e: isinstance(e, LoginState) and e.state in (LoginPhase.LOGGED_IN, LoginPhase.FAILED),
                                    WAIT_S, what="login")
        login.join(WAIT_S)
        if errors:
            raise errors[0]
        if login.is_alive():
            raise TimeoutError(f"login did not finish within {WAIT_S:.0f} s")
        if done.state != LoginPhase.LOGGED_IN or self.service.channel is None:
            raise RuntimeError(f"login {done.state}: {done.detail}")
        return f"itchat-uos as {done.detail}, {len(self.service.contacts())} contacts, on {self.sim.base_url}"

    def check_reply(self) -> str:
        """A friend writes; the bot must answer through WeChat (the model, or an FAQ rule without one)."""
        if self.service.channel is None:
            raise RuntimeError("not logged in")
        friend = next(c for c in self.service.contacts() if c.name == FRIEND_NAME)
        self.service.set_mode(friend.contact_id, ReplyMode.AUTO)
        start = time.monotonic()
        self.sim.inject(FRIEND, QUESTION)
        self.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.direction == "out" and e.by_bot,
                             WAIT_S, what="reply")
        sent = [m for m in self.sim.outbox() if m["to_id"] == FRIEND]
        if not sent or not sent[0]["text"].startswith(self.settings.reply_prefix):
            raise RuntimeError(f"the simulator received {len(sent)} replies for the friend")
        text = sent[0]["text"][len(self.settings.reply_prefix):]
        if not self.model_path and text != FAQ_ANSWER:
            raise RuntimeError("the reply is not the FAQ answer")
        source = "model" if self.model_path else "FAQ rule"
        return f"{source} answered in {time.monotonic() - start:.1f} s ({len(text)} chars)"

    def close(self) -> str:
        self.service.close()
        return "store, model process and WeChat session closed"


def _catching(fn: Callable[..., object], errors: list[BaseException]) -> Callable[..., None]:
    """``fn`` for a thread: its exception is kept for the check to report, not printed by threading."""
    def run(*args: object, **kwargs: object) -> None:
        try:
            fn(*args, **kwargs)
        except BaseException as exc:
            errors.append(exc)
    return run


def run_self_check(model_path: str | None) -> int:
    """Run every check, print one line each, and return 0 only if none failed."""
    _utf8_stdout()
    real_keyring = keyring.get_keyring()
    os.environ.setdefault("LOGURU_LEVEL", "WARNING")  # the model process's own console log
    print(f"wxbot self-check: {sys.executable} (frozen: {bool(getattr(sys, 'frozen', False))}), "
          f"system keychain: {type(real_keyring).__module__}", flush=True)
    results: list[CheckResult] = []
    with tempfile.TemporaryDirectory(prefix="wxbot-自检-", ignore_cleanup_errors=True) as tmp:
        setup_logging(Path(tmp) / "logs", "WARNING")
        keyring.set_keyring(MemoryKeyring())
        sim = Simulator(hold_seconds=0.5).start()
        run = SelfCheck(Path(tmp), model_path, sim)
        try:
            for name, fn in [*run.checks(), ("close", run.close)]:
                blocked = name == "reply" and any(r.ok is False for r in results)
                results.append(CheckResult(name, False, 0.0, "not run: an earlier check failed") if blocked
                               else _timed(name, fn))
                print(results[-1].line(), flush=True)
        finally:
            sim.stop()
            keyring.set_keyring(real_keyring)
            logger.remove()  # close the log file before its temp folder goes
    failed = [r.name for r in results if r.ok is False]
    print(f"self-check {'FAILED: ' + ', '.join(failed) if failed else 'passed'}", flush=True)
    return 1 if failed else 0


def _utf8_stdout() -> None:
    # A Windows console or pipe may use a legacy code page without "✓"; never let the report crash on it.
    if sys.stdout is not None and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
