"""The receive loop that rides out transient faults (itchat's own gives up after a few errors and wipes the
login) and ends only on WeChat's real logout signals."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from itchat.components.contact import update_local_chatrooms, update_local_friends
from itchat.components.messages import produce_msg
from loguru import logger

from wxbot.events import Notice, NoticeLevel
from wxbot.wechat.itchat_core import Timeouts, synccheck
from wxbot.wechat.login import STEP_ERRORS
from wxbot.wechat.normalize import skip_unreadable

LOGOUT_REASONS = {  # synccheck retcodes that end the web session
    "1100": ("微信已从手机端退出网页登录（1100）", "WeChat ended this web login from the phone (1100)"),
    "1101": ("微信强制下线（1101）：帐号可能在别处登录了网页微信，或被微信风控",
             "WeChat forced this login offline (1101): logged in elsewhere, or a risk-control action"),
    "1102": ("微信登录已失效（1102），可能被微信风控", "WeChat invalidated this login (1102), possibly risk control"),
}


class _Backoff:
    def __init__(self, timeouts: Timeouts, emit: Callable[[object], None]) -> None:
        self._t, self._emit = timeouts, emit
        self._failures, self._since, self._noticed = 0, 0.0, False

    def failed(self) -> float:
        """Records a failure; returns how long to wait before the next try."""
        if self._failures == 0:
            self._since = time.monotonic()
        self._failures += 1
        if not self._noticed and time.monotonic() - self._since >= self._t.outage_notice:
            self._noticed = True
            self._emit(Notice(NoticeLevel.WARNING, "与微信的连接中断，正在自动重试 (lost the connection to WeChat; retrying)"))
        return min(self._t.retry_first * 2 ** (self._failures - 1), self._t.retry_max)

    def ok(self) -> None:
        if self._noticed:
            self._emit(Notice(NoticeLevel.INFO, "与微信的连接已恢复 (the connection to WeChat is back)"))
        self._failures, self._noticed = 0, False


class Receiver:
    """Long-polls synccheck, fetches with webwxsync, processes with itchat's produce_msg. deliver(list of itchat message dicts) is called on the loop thread after every webwxsync with
    messages; ended(retcode) when WeChat ends the session."""

    def __init__(self, core: Any, timeouts: Timeouts, emit: Callable[[object], None],
                 deliver: Callable[[list[dict]], None], ended: Callable[[str], None]) -> None:
        self._core, self._deliver, self._ended = core, deliver, ended
        self._backoff = _Backoff(timeouts, emit)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wxbot-wechat-receive", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                retcode, selector = synccheck(self._core)
                if retcode in LOGOUT_REASONS:
                    if not self._stop.is_set():
                        self._ended(retcode)
                    return
                if retcode != "0":
                    raise ValueError(f"synccheck retcode {retcode}")
                if selector != "0":
                    self._sync()
                self._backoff.ok()
            except STEP_ERRORS as exc:
                delay = self._backoff.failed()
                logger.warning("WeChat receive step failed ({}); retrying in {:.1f}s", type(exc).__name__, delay)
                self._stop.wait(delay)

    def _sync(self) -> None:
        info = self._core.loginInfo
        position = (info["SyncKey"], info["synckey"])
        try:
            msgs, contacts = self._core.get_msg()
        except STEP_ERRORS:
            info["SyncKey"], info["synckey"] = position  # a half-read answer: fetch the same messages again
            raise
        if msgs is None and contacts is None:
            raise ValueError("webwxsync refused")
        self._update_contacts(contacts)
        processed = [m for raw in (msgs if isinstance(msgs, list) else []) if (m := self._produce(raw)) is not None]
        if processed:
            self._deliver(processed)

    def _produce(self, raw: object) -> dict | None:
        """itchat's processing of ONE message: a malformed one is skipped, never refetched forever."""
        try:
            return produce_msg(self._core, [raw])[0]
        except Exception as exc:  # itchat trips over any odd field (null Content, RecommendInfo…)
            skip_unreadable(raw, exc)
            return None

    def _update_contacts(self, contacts: object) -> None:
        for contact in contacts if isinstance(contacts, list) else []:
            try:
                update = update_local_chatrooms if "@@" in contact["UserName"] else update_local_friends
                update(self._core, [contact])
            except Exception as exc:  # one malformed contact update must not block receiving
                logger.warning("unreadable contact update skipped ({})", type(exc).__name__)
