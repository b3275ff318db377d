"""The WeChat channel the bot talks to: login (QR, hot reload, push), contacts, receiving and sending,
over one itchat-uos core per login. Events (QrCode, LoginState, Notice) go to ``on_event``."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import requests
from loguru import logger

from wxbot.crashpoint import crash_point
from wxbot.errors import PathError, WeChatError
from wxbot.events import LoginPhase, LoginState
from wxbot.messages import ContactKind, Message
from wxbot.settings import Settings
from wxbot.wechat import itchat_core, models
from wxbot.wechat.clock import WeChatClock
from wxbot.wechat.itchat_core import Timeouts
from wxbot.wechat.login import LoginFlow
from wxbot.wechat.media import MediaFetch
from wxbot.wechat.models import Account, Contact
from wxbot.wechat.normalize import skip_unreadable, to_message
from wxbot.wechat.receiver import LOGOUT_REASONS, Receiver
from wxbot.wechat.sender import Sender
from wxbot.wechat.session import SessionFile

SEEN_IDS = 5000  # MsgIds remembered per session to drop re-deliveries


class WeChatChannel:
    def __init__(self, settings: Settings, session: SessionFile | None, on_event: Callable[[object], None],
                 *, timeouts: Timeouts | None = None) -> None:
        self._url = settings.wechat_base_url.rstrip("/") or itchat_core.WECHAT_BASE_URL
        self._session, self._emit = session, on_event
        self._timeouts = timeouts or Timeouts()
        self._lock = threading.Lock()  # guards core/receiver swaps and session saves
        self._core: Any = None
        self._sender: Sender | None = None
        self._receiver: Receiver | None = None
        self._stopped = threading.Event()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._clock = WeChatClock()
        self._holding: Callable[[], bool] = lambda: False
        self.account: Account | None = None

    # ------------------------------------------------------------------ login
    def login(self, *, hot_reload: bool = True, cancel: threading.Event | None = None) -> Account:
        self._drop_login(forget_session=False)
        flow = LoginFlow(self._url, self._timeouts, self._emit, cancel or threading.Event())
        saved = self._session.load() if (hot_reload and self._session) else None
        core = flow.resume(saved) if saved else None
        if core is None:
            core = flow.qr_login()
        core.s.hooks["response"].append(self._clock.observe_response)  # WeChat's Date: its clock
        with self._lock:
            self._core, self._stopped = core, threading.Event()
            self._sender = Sender(core, self._timeouts, self._stopped)
            self._seen.clear()
            self.account = Account(core.storageClass.userName, models.text_of(core.storageClass.nickName))
        self.save_session()
        logger.info("logged in to WeChat ({} contacts)", len(core.memberList) + len(core.chatroomList))
        self._emit(LoginState(LoginPhase.LOGGED_IN, self.account.nick_name))
        return self.account

    def save_session(self) -> None:
        """Persist what hot reload needs (called at login and after each batch of messages). Not while the
        consumer holds a message it could not commit: the sync position is cumulative, so saving it now, even
        after a later batch or on close, would skip that message after a restart."""
        with self._lock:
            if self._session is None or self._core is None or self._stopped.is_set() or self._holding():
                return
            data = itchat_core.snapshot(self._core) | {"base_url": self._url}
            try:
                self._session.save(data)
            except (OSError, PathError) as exc:  # a full or read-only disk must not stop receiving
                logger.warning("saving the WeChat session failed: {}", type(exc).__name__)

    # ------------------------------------------------------------------ contacts
    def contacts(self) -> list[Contact]:
        core = self._require_core()
        own = core.storageClass.userName
        with core.storageClass.updateLock:
            friends = [dict(f) for f in core.memberList if f["UserName"] != own]
            publics = [dict(m) for m in core.mpList]
            rooms = [dict(r, MemberList=[dict(m) for m in r["MemberList"]]) for r in core.chatroomList]
        out = [models.from_itchat(r, ContactKind.GROUP, own) for r in rooms]
        out += [models.from_itchat(p, ContactKind.PUBLIC, own) for p in publics]
        listed = {c.user_name for c in out}
        for friend in friends:
            kind = ContactKind.SPECIAL if friend["UserName"] in models.SPECIAL_NAMES else ContactKind.FRIEND
            out.append(models.from_itchat(friend, kind, own))
            listed.add(friend["UserName"])
        out += [models.special_contact(name) for name in models.ALWAYS_LISTED if name not in listed]
        return out

    # ------------------------------------------------------------------ receiving
    def start_receiving(self, on_message: Callable[[Message], bool | None],
                        holding: Callable[[], bool] = lambda: False) -> None:
        """Receive in the background. ``on_message`` returns False when it could not commit the message
        (the session, with its sync position, is then not saved, so WeChat sends the batch again); ``holding()``
        True: such a message is still only in memory, so no later save may cover it."""
        self._holding = holding
        core = self._require_core()
        stopped = self._stopped
        if stopped.is_set():
            raise WeChatError("微信已下线，请重新登录", "WeChat is logged out; log in again")

        def deliver(raw: list[dict]) -> None:
            """One webwxsync's messages. ``on_message`` commits each to the inbox; only then is the sync
            position saved, so a crash before that makes WeChat send them again after the restart."""
            messages = [m if m.media is None else dataclasses.replace(m, media=MediaFetch(m.media, self._timeouts,
                                                                                        stopped))
                        for m in self._normalize(core, raw)]
            if not messages:
                self.save_session()
                return
            crash_point("wechat.received")
            self._clock.observe(m.time for m in messages)
            handled = True
            for msg in messages:
                if stopped.is_set() or not self._first_time(msg.msg_id):
                    continue
                try:
                    committed = on_message(dataclasses.replace(msg, time=self._clock.to_local(msg.time)))
                except Exception:  # the consumer's bug must not stop receiving for everyone
                    logger.exception("message handler failed on {}", msg.msg_id)
                    committed = False
                handled = handled and committed is not False
            if not handled:  # not committed: keep the saved position, so a restart fetches them again
                return
            self.save_session()
            crash_point("wechat.cursor_saved")

        with self._lock:
            if self._receiver is not None and self._receiver.running:
                return
            self._receiver = Receiver(core, self._timeouts, self._emit, deliver, self._ended)
            self._receiver.start()

    @staticmethod
    def _normalize(core: Any, raw: list[dict]) -> list[Message]:
        own = core.storageClass.userName
        publics = {m.get("UserName") for m in core.mpList}
        out = []
        for item in raw:
            try:
                msg = to_message(item, own, publics)
            except Exception as exc:  # one message the bot can't read must not stop the rest of its batch
                skip_unreadable(item, exc)
                continue
            if msg is not None:
                out.append(msg)
        return out

    def _first_time(self, msg_id: str) -> bool:
        if msg_id in self._seen:
            return False
        self._seen[msg_id] = None
        if len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        return True

    def _ended(self, retcode: str) -> None:
        zh, en = LOGOUT_REASONS[retcode]
        logger.warning("WeChat ended the session (retcode {})", retcode)
        self._drop_login(forget_session=True)
        self._emit(LoginState(LoginPhase.LOGGED_OUT, f"{zh} ({en})", risk=True))

    # ------------------------------------------------------------------ sending
    def send_text(self, user_name: str, text: str) -> bool:
        """Sends ONE text message; False when WeChat refuses it (e.g. a stale UserName)."""
        sender = self._sender
        if sender is None or self._stopped.is_set():
            raise WeChatError("未登录微信，无法发送", "not logged in to WeChat; can't send")
        return sender.send_text(user_name, text)

    def who_is(self, user_name: str) -> bool:
        """Ask WeChat (webwxbatchgetcontact) about a sender in no contact list; True when it knows them. A send to
        an id it does not know is refused (Ret 1204), so such a sender is not answered."""
        core = self._require_core()
        try:
            found = core.update_friend(user_name)
        except (requests.RequestException, ValueError, TypeError, KeyError) as exc:
            logger.warning("webwxbatchgetcontact failed: {}", type(exc).__name__)
            return False
        return isinstance(found, dict) and found.get("UserName") == user_name

    # ------------------------------------------------------------------ logout
    def logout(self) -> None:
        """Log out on purpose: ends the web session and forgets the saved one."""
        with self._lock:
            core, self._core, self.account = self._core, None, None
        if core is None:
            return
        self._drop_login(forget_session=True)
        try:
            core.logout()  # webwxlogout, then itchat wipes cookies and contacts
        except requests.RequestException as exc:
            logger.warning("webwxlogout failed: {}", type(exc).__name__)
        self._emit(LoginState(LoginPhase.LOGGED_OUT, "已退出微信登录 (logged out of WeChat)"))

    def close(self) -> None:
        """The app is closing: stop receiving but keep the web session and its file for a hot reload."""
        if self._core is None:
            return
        self.save_session()
        self._drop_login(forget_session=False)

    def _drop_login(self, forget_session: bool) -> None:
        with self._lock:
            self._stopped.set()
            receiver, self._receiver = self._receiver, None
            self._sender, self.account = None, None
        if receiver is not None:
            receiver.stop()  # it ends when its current long poll returns, and stays silent
        if forget_session and self._session is not None:
            self._session.clear()

    def _require_core(self) -> Any:
        if self._core is None:
            raise WeChatError("尚未登录微信", "not logged in to WeChat yet")
        return self._core
