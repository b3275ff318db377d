"""The headless front-end: `wxbot run --headless` and the terminal `wxbot demo`, on the same BotService
the desktop app drives. Events are printed for a person; the QR is drawn in the terminal and saved as PNG."""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import qrcode

from wxbot.core.risk import risk_notice
from wxbot.demoshop import answer_origin, demo_shop_settings, stock_demo_shop
from wxbot.envsecrets import ask_passphrase
from wxbot.errors import WxbotError
from wxbot.events import (
    BotState,
    DraftsChanged,
    LoginPhase,
    LoginState,
    MessageLogged,
    ModelPhase,
    ModelState,
    Notice,
    QrCode,
)
from wxbot.files import replace_private
from wxbot.logs import setup_logging
from wxbot.service import BotService
from wxbot.settings import Settings, save_settings

QR_PNG = "login-qr.png"
WECHAT_QR_URL = "https://login.weixin.qq.com/l/"  # what WeChat's QR encodes: the phone opens this


class TerminalFront:
    """Prints the service's events and remembers what the command waits for."""

    def __init__(self, data_dir: Path, on_qr: Callable[[QrCode], None] | None = None) -> None:
        self.data_dir = data_dir
        self.on_qr = on_qr
        self.logged_in = threading.Event()
        self.ended = threading.Event()  # logged out / login failed: the command should finish
        self.end_reason = ""

    def __call__(self, event: object) -> None:
        if isinstance(event, QrCode):
            self._show_qr(event)
        elif isinstance(event, LoginState):
            print(f"[微信 WeChat] {_LOGIN_WORDS.get(event.state, event.state)} {event.detail}".rstrip(), flush=True)
            if event.state == LoginPhase.LOGGED_IN:
                self.forget_qr()
                self.logged_in.set()
            elif event.state in (LoginPhase.LOGGED_OUT, LoginPhase.FAILED):
                self.end_reason = event.detail
                self.ended.set()
        elif isinstance(event, ModelState) and event.state != ModelPhase.LOADING:
            print(f"[模型 model] {event.state} {event.detail}", flush=True)
        elif isinstance(event, BotState):
            print(f"[自动回复 auto-reply] {event.state} {event.detail}".rstrip(), flush=True)
        elif isinstance(event, DraftsChanged) and event.new:
            print(f"[草稿 draft] #{event.new} 等你批准 waiting for you ({event.pending} in all): "
                  f"#ok {event.new} / #no {event.new} / #edit {event.new} … in File Transfer Helper", flush=True)
        elif isinstance(event, Notice):
            print(f"[{event.level}] {event.text}", flush=True)

    def _show_qr(self, event: QrCode) -> None:
        path = replace_private(self.data_dir / QR_PNG, event.png)
        if self.on_qr is not None:
            self.on_qr(event)
            return
        print("请用手机微信扫描二维码登录 (scan with WeChat on your phone):", flush=True)
        if event.uuid:
            code = qrcode.QRCode(border=1)
            code.add_data(WECHAT_QR_URL + event.uuid)
            code.print_ascii(invert=True)
        print(f"(二维码图片 QR image: {path})", flush=True)

    def forget_qr(self) -> None:
        """The QR image logs the account in while it is valid: gone once logged in (or on the way out)."""
        (self.data_dir / QR_PNG).unlink(missing_ok=True)


_LOGIN_WORDS = {
    "waiting_scan": "等待扫码 waiting for scan", "scanned": "已扫码，请在手机上确认 confirm on your phone",
    "expired": "二维码已过期，正在刷新 QR expired, refreshing", "logged_in": "已登录 logged in as",
    "logged_out": "已退出 logged out:", "failed": "登录失败 login failed:",
}


def _start(settings: Settings, front: TerminalFront) -> BotService:
    svc = BotService(settings, front, passphrase=ask_passphrase)
    svc.acquire_instance()
    svc.open_store()
    svc.load_model()
    return svc


def _risk_notice_once(settings: Settings) -> Settings:
    """Print the account-risk notice at the first start; remember that the owner has seen it."""
    if settings.risk_acknowledged:
        return settings
    print("\n".join(risk_notice(settings)), flush=True)
    settings = settings.replace(risk_acknowledged=True)
    save_settings(settings)
    return settings


def run_headless(settings: Settings) -> int:
    setup_logging(settings.log_dir, settings.log_level)
    settings = _risk_notice_once(settings)
    front = TerminalFront(settings.data_path)
    try:
        svc = _start(settings, front)
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    login = threading.Thread(target=svc.login, name="wxbot-login", daemon=True)
    login.start()
    try:
        while not stop.is_set() and not front.ended.is_set():
            stop.wait(0.5)
    finally:
        print("正在停止 stopping …", flush=True)
        svc.close()
        front.forget_qr()
    return 0 if stop.is_set() else 3


def run_demo(settings: Settings) -> int:
    """Log in to the built-in simulator as the demo shop and let the person at the terminal play a customer;
    each reply is followed by where it came from (FAQ rule, knowledge base, model)."""
    from wxbot.sim import Simulator

    data_dir = Path(settings.data_dir) if settings.data_dir else Path(tempfile.mkdtemp(prefix="wxbot-demo-"))
    sim = Simulator(hold_seconds=1.0).start()
    settings = demo_shop_settings(settings).replace(
        data_dir=str(data_dir), wechat_base_url=sim.base_url, new_contact_mode="auto", typing_delay_base=0.3,
        typing_delay_per_char=0.01, min_seconds_between_replies=0, aggregate_seconds=0.5)
    setup_logging(settings.log_dir, "WARNING")
    front = TerminalFront(data_dir, on_qr=lambda _: (sim.scan(), sim.confirm()))
    replies = threading.Condition()
    sent: list[MessageLogged] = []
    try:
        svc = _start(settings, front)
        documents = stock_demo_shop(svc.kb(), data_dir)
    except WxbotError as err:
        print(f"wxbot: {err}", file=sys.stderr)
        sim.stop()
        return 2
    print(f"演示店铺 demo shop: {len(settings.faq_rules)} 条 FAQ 规则 rules; 知识库 knowledge base: "
          f"{', '.join(documents)}", flush=True)
    threading.Thread(target=svc.login, name="wxbot-login", daemon=True).start()
    front.logged_in.wait(30)
    friend = sim.world.find("zhang")
    print(f"\n演示模式 demo: 你现在是顾客「{friend.nick}」，输入消息后回车；Ctrl-D 退出 "
          f"(you are the customer {friend.nick}; type a message, Ctrl-D quits)\n"
          f"试试 try: 你好 / 几点上班 / 包邮吗 / 羊绒围巾多少钱 / 真丝围巾怎么洗 / 讲个笑话\n", flush=True)

    def reply_sent(event: object) -> None:
        if isinstance(event, MessageLogged) and event.by_bot:
            with replies:
                sent.append(event)
                replies.notify_all()

    svc.on_event = _chain(svc.on_event, reply_sent)
    shown, told = 0, 0
    try:
        while True:
            try:
                text = input(f"{friend.nick}> ")
            except EOFError:
                break
            if not text.strip():
                continue
            sim.inject(friend.pid, text)
            with replies:
                replies.wait_for(lambda told=told: len(sent) > told, timeout=120)
                new, told = sent[told:], len(sent)
            for item in sim.outbox()[shown:]:
                print(f"助理 bot> {item['text']}", flush=True)
            shown = len(sim.outbox())
            for event in new:
                print(f"  ↳ 来源 from: {answer_origin(event.source, event.passages)}", flush=True)
    finally:
        svc.close()
        sim.stop()
    return 0


def _chain(first: Callable[[object], None], second: Callable[[object], None]) -> Callable[[object], None]:
    def both(event: object) -> None:
        first(event)
        second(event)

    return both
