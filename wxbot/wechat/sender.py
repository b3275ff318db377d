"""Sending one text message, retried through transient faults with the same ClientMsgId so that a retry
never reaches the contact twice."""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from itchat import config as itchat_config
from loguru import logger

from wxbot.errors import WeChatError
from wxbot.logs import describe
from wxbot.wechat.itchat_core import Timeouts
from wxbot.wechat.login import STEP_ERRORS


class Sender:
    """Posts the very body itchat's ``send_raw_msg`` posts, but with the ClientMsgId fixed across attempts:
    itchat mints a new one from the clock at every call, and WeChat treats a repeated ClientMsgId as the
    same message. ``send()`` is never used: it uploads a local file when the text starts with ``@fil@``,
    ``@img@`` or ``@vid@``."""

    def __init__(self, core: Any, timeouts: Timeouts, stopped: threading.Event) -> None:
        self._core, self._timeouts, self._stopped = core, timeouts, stopped
        self._ids = itertools.count(int(time.time() * 1e4))
        self._ids_lock = threading.Lock()

    def _client_msg_id(self) -> int:
        with self._ids_lock:
            return next(self._ids)

    def send_text(self, user_name: str, text: str) -> bool:
        info = self._core.loginInfo
        client_id = self._client_msg_id()
        body = json.dumps({
            "BaseRequest": info["BaseRequest"],
            "Msg": {"Type": 1, "Content": text, "FromUserName": self._core.storageClass.userName,
                    "ToUserName": user_name, "LocalID": client_id, "ClientMsgId": client_id},
            "Scene": 0,
        }, ensure_ascii=False).encode("utf-8")
        headers = {"ContentType": "application/json; charset=UTF-8", "User-Agent": itchat_config.USER_AGENT}
        give_up = time.monotonic() + self._timeouts.send_give_up
        delay = self._timeouts.retry_first
        while True:
            try:
                r = self._core.s.post(f"{info['url']}/webwxsendmsg", data=body, headers=headers)
                r.raise_for_status()
                ret = int(r.json()["BaseResponse"]["Ret"])
            except STEP_ERRORS as exc:
                if self._stopped.is_set() or time.monotonic() + delay > give_up:
                    raise WeChatError("消息发送失败：与微信的连接中断", "sending failed: the connection to "
                                      f"WeChat is down ({type(exc).__name__})") from exc
                logger.warning("send to {} failed ({}); retrying id {} in {:.1f}s", user_name,
                               type(exc).__name__, client_id, delay)
                self._stopped.wait(delay)
                delay = min(delay * 2, self._timeouts.retry_max)
                continue
            if ret != 0:  # a definite answer, e.g. 1204: this UserName is from another login
                logger.warning("WeChat refused a message to {} (Ret={}, {})", user_name, ret, describe(text))
                return False
            logger.debug("sent to {} ({}, id {})", user_name, describe(text), client_id)
            return True
