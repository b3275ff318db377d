"""Logging in with itchat-uos step by step (its ``auto_login`` can ``sys.exit``): QR login with automatic
QR renewal, hot reload from a saved session, and push login (confirm on the phone, no QR)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests
from itchat.components.login import push_login
from loguru import logger

from wxbot.errors import WeChatError
from wxbot.events import LoginPhase, LoginState, QrCode
from wxbot.wechat import itchat_core
from wxbot.wechat.itchat_core import Timeouts

# What a failing login step raises: transport errors, and itchat choking on an unexpected answer.
STEP_ERRORS = (requests.RequestException, ValueError, KeyError, TypeError, AttributeError)
REFUSED = WeChatError(
    "微信拒绝了网页登录：为了帐号安全，此微信号不能登录网页微信。请换一个微信号（建议使用小号）。",
    "WeChat refused the web login: this account may not log in to web WeChat (ret 1203). "
    "Use another account (a secondary account is safer).")


def _ignore_qr(**_: object) -> None:
    pass


class LoginFlow:
    def __init__(self, base_url: str, timeouts: Timeouts, emit: Callable[[object], None],
                 cancel: threading.Event) -> None:
        self._url, self._timeouts, self._emit, self._cancel = base_url, timeouts, emit, cancel

    # ------------------------------------------------------------------ QR login
    def qr_login(self) -> Any:
        core = itchat_core.new_core(self._timeouts)
        failures = 0
        while True:
            self._check_cancel()
            try:
                with itchat_core.base_url(self._url):
                    uuid = core.get_QRuuid()
            except requests.RequestException as exc:
                logger.warning("getting a login QR failed: {}", type(exc).__name__)
                uuid = None
            if not uuid:
                failures += 1
                if failures >= 3:
                    raise WeChatError("无法连接微信登录服务器，请检查网络", "can't reach the WeChat login server; "
                                      "check the network")
                self._cancel.wait(self._timeouts.retry_first * failures)
                continue
            failures = 0
            # A qrCallback keeps itchat from writing QR.png and opening a viewer; we take the PNG it returns.
            png = core.get_QR(uuid, qrCallback=_ignore_qr).getvalue()
            self._emit(QrCode(png, uuid))
            self._emit(LoginState(LoginPhase.WAITING_SCAN, "请用手机微信扫码登录 (scan the QR code with WeChat)"))
            if self._poll(core, uuid, scanned=False):
                return self._finish(core)
            self._emit(LoginState(LoginPhase.EXPIRED, "二维码已过期，已换新码 (QR code expired; here is a new one)"))

    # ------------------------------------------------------------------ hot reload
    def resume(self, saved: dict[str, Any]) -> Any | None:
        """A logged-in core from a saved session (same cookies), else via push login, else None."""
        if saved.get("base_url") != self._url:
            logger.info("saved WeChat session is for another server; not resuming it")
            return None
        core = itchat_core.new_core(self._timeouts)
        itchat_core.restore(core, saved)
        sync = (saved["login_info"]["SyncKey"], saved["login_info"]["synckey"])
        try:
            return self._finish(core, sync_from=sync)
        except WeChatError:
            logger.info("saved WeChat session no longer valid; trying push login")
        core = itchat_core.new_core(self._timeouts)
        itchat_core.restore(core, saved, with_sid=False)
        try:
            with itchat_core.base_url(self._url):
                uuid = push_login(core)
        except STEP_ERRORS as exc:
            logger.info("push login unavailable: {}", type(exc).__name__)
            return None
        if not uuid:
            return None
        self._emit(LoginState(LoginPhase.SCANNED, "请在手机上确认登录 (confirm the login on your phone)"))
        return self._finish(core) if self._poll(core, uuid, scanned=True) else None

    # ------------------------------------------------------------------ steps
    def _poll(self, core: Any, uuid: str, scanned: bool) -> bool:
        """Poll until confirmed (True) or the QR/push request expired (False)."""
        errors = 0
        while True:
            self._check_cancel()
            try:
                with itchat_core.base_url(self._url):
                    status = core.check_login(uuid)
            except KeyError as exc:  # UOS patch: the login page set no wxsid cookie = login refused
                logger.warning("WeChat refused the login (missing {})", exc)
                self._emit(LoginState(LoginPhase.FAILED, str(REFUSED), risk=True))
                raise REFUSED from exc
            except requests.RequestException as exc:
                errors += 1
                logger.warning("login polling failed ({}), attempt {}", type(exc).__name__, errors)
                if errors >= 5:
                    return False
                self._cancel.wait(self._timeouts.retry_first)
                continue
            errors = 0
            if status == "200":
                return True
            if status == "201" and not scanned:
                scanned = True
                self._emit(LoginState(LoginPhase.SCANNED, "已扫码，请在手机上确认登录 (scanned; confirm on your phone)"))
            elif status not in ("201", "408"):
                return False

    def _finish(self, core: Any, sync_from: tuple[Any, str] | None = None) -> Any:
        """webwxinit, status notify, contacts and group members; a resumed session keeps its sync position."""
        try:
            core.web_init()
            if sync_from is None:
                core.show_mobile_login()
            else:  # resume from the saved position: what arrived while we were away is delivered again
                core.loginInfo["SyncKey"], core.loginInfo["synckey"] = sync_from
            core.get_contact(True)
            rooms = [room["UserName"] for room in core.chatroomList]
            for start in range(0, len(rooms), 50):
                core.update_chatroom(rooms[start:start + 50])
        except STEP_ERRORS as exc:
            raise WeChatError("登录后加载微信数据失败，请重试", "loading WeChat data after login failed; "
                              f"try again ({type(exc).__name__})") from exc
        core.alive = True
        return core

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise WeChatError("已取消登录", "login cancelled")
