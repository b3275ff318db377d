"""itchat-uos without its side effects: a quiet import, one bounded ``Core`` per login, the module-global
``BASE_URL`` set only under a lock, and the core's state as plain JSON for hot reload."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

with contextlib.redirect_stdout(io.StringIO()):  # importing itchat writes a block character to stdout
    import itchat
    from itchat import config as itchat_config
    from itchat.storage.templates import User

itchat.set_logging(showOnCmd=False)  # its handler prints tracebacks to the console; we log ourselves
logging.getLogger("itchat").propagate = False

WECHAT_BASE_URL = itchat_config.BASE_URL
_BASE_URL_LOCK = threading.Lock()  # guards itchat's one module-global: the login server address
_LONG_POLLS = ("/synccheck", "/mmwebwx-bin/login")
MEDIA_PATHS = ("/webwxgetvoice", "/webwxgetmsgimg")  # a message's voice (MP3) or picture, read by the bot
_SYNCCHECK = re.compile(r'window.synccheck=\{retcode:"(\d+)",selector:"(\d+)"\}')
LOGIN_INFO_KEYS = ("url", "fileUrl", "syncUrl", "deviceid", "logintime", "skey", "wxsid", "wxuin",
                   "pass_ticket", "BaseRequest", "InviteStartCount", "SyncKey", "synckey")


@dataclass(frozen=True)
class Timeouts:
    """Every WeChat request is bounded (itchat leaves login polling, webwxinit, contacts and sends unbounded)."""

    connect: float = 10.0
    request: float = 30.0  # ordinary calls: init, contacts, send
    long_poll: float = 40.0  # synccheck and login polling, which WeChat holds for about 25 s
    retry_first: float = 1.0  # first pause after a transient failure; doubles up to retry_max
    retry_max: float = 30.0
    send_give_up: float = 90.0  # a send keeps retrying (same ClientMsgId) this long before it fails
    outage_notice: float = 60.0  # tell the owner when receiving has failed this long
    media_bytes: int = 20 * 1024 * 1024  # the most a voice message or picture may download (a 20 MP photo fits)
    media_tries: int = 3  # a media download that fails transiently is tried this often in all


class MediaTooLarge(requests.RequestException):
    """A voice message or picture bigger than ``Timeouts.media_bytes``: cut off while it streams."""


class _BoundedAdapter(HTTPAdapter):
    def __init__(self, timeouts: Timeouts) -> None:
        super().__init__()
        self._timeouts = timeouts

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        path = (request.path_url or "").split("?", 1)[0]
        read = self._timeouts.long_poll if path.endswith(_LONG_POLLS) else self._timeouts.request
        kwargs["timeout"] = (self._timeouts.connect, read)
        response = super().send(request, **kwargs)
        if path.endswith(MEDIA_PATHS):
            _bound_media(response, self._timeouts.media_bytes)
        return response


def _bound_media(response: requests.Response, cap: int) -> None:
    """itchat's download function reads the whole body with ``iter_content`` and never looks at the status:
    refuse an error answer, and cut a body off (announced or streamed) beyond ``cap`` bytes."""
    if response.status_code >= 400:
        response.close()
        raise requests.HTTPError(f"media answer {response.status_code}", response=response)
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > cap:
        response.close()
        raise MediaTooLarge(f"media of {announced} bytes")
    stream = response.iter_content

    def capped(chunk_size: int = 1, decode_unicode: bool = False) -> Iterator[bytes]:
        total = 0
        for block in stream(chunk_size, decode_unicode):
            total += len(block)
            if total > cap:
                response.close()
                raise MediaTooLarge("media larger than the cap")
            yield block

    response.iter_content = capped  # type: ignore[method-assign]


def new_core(timeouts: Timeouts) -> Any:
    """A fresh itchat Core whose every HTTP call is bounded; not kept in ``itchat.instanceList``."""
    with _BASE_URL_LOCK:
        core = itchat.new_instance()
        itchat.instanceList.remove(core)
    adapter = _BoundedAdapter(timeouts)
    core.s.mount("http://", adapter)
    core.s.mount("https://", adapter)
    return core


@contextlib.contextmanager
def base_url(url: str) -> Iterator[None]:
    """Point itchat's module-global login server at ``url`` for one call, then restore it."""
    with _BASE_URL_LOCK:
        saved = itchat_config.BASE_URL
        itchat_config.BASE_URL = (url or WECHAT_BASE_URL).rstrip("/")
        try:
            yield
        finally:
            itchat_config.BASE_URL = saved


def synccheck(core: Any) -> tuple[str, str]:
    """(retcode, selector). itchat's own sync_check folds a kick and a garbled body into one None; the
    channel must tell them apart. Raises requests errors and ValueError for an unparsable body."""
    info = core.loginInfo
    params = {"r": int(time.time() * 1000), "skey": info["skey"], "sid": info["wxsid"], "uin": info["wxuin"],
              "deviceid": info["deviceid"], "synckey": info["synckey"], "_": info["logintime"]}
    info["logintime"] += 1
    url = info.get("syncUrl", info["url"]) + "/synccheck"
    r = core.s.get(url, params=params, headers={"User-Agent": itchat_config.USER_AGENT})
    r.raise_for_status()
    match = _SYNCCHECK.search(r.text)
    if match is None:
        raise ValueError("unparsable synccheck answer")
    return match.group(1), match.group(2)


def snapshot(core: Any) -> dict[str, Any]:
    """What hot reload needs, as JSON-able data (never itchat's pickle)."""
    info = {k: core.loginInfo[k] for k in LOGIN_INFO_KEYS if k in core.loginInfo}
    cookies = [{"name": c.name, "value": c.value, "domain": c.domain, "path": c.path}
               for c in core.s.cookies]
    user = core.loginInfo.get("User") or {}
    return {"login_info": info, "cookies": cookies,
            "user": {"UserName": user.get("UserName", ""), "NickName": user.get("NickName", "")}}


def restore(core: Any, data: dict[str, Any], *, with_sid: bool = True) -> None:
    """Load a snapshot into a fresh core. ``with_sid=False`` keeps only what a push login needs."""
    core.loginInfo = {k: v for k, v in data["login_info"].items() if k in LOGIN_INFO_KEYS}
    for c in data["cookies"]:
        if with_sid or c["name"] != "wxsid":
            core.s.cookies.set(str(c["name"]), str(c["value"]), domain=str(c["domain"]), path=str(c["path"]))
    user = User(data["user"])
    core.loginInfo["User"] = user
    core.storageClass.userName = user["UserName"]
    core.storageClass.nickName = user["NickName"]
