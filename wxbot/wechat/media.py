"""A voice message's or picture's bytes, fetched through itchat's own download function with the limits of
every WeChat call (the adapter's timeouts and size cap in ``itchat_core``) and the retries of a transient fault.
It runs where the bot reads the media (its media thread), never on the receive thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests
from loguru import logger

from wxbot.errors import WeChatError
from wxbot.wechat.itchat_core import MediaTooLarge, Timeouts

_TOO_LARGE = ("语音或图片太大，未下载", "the voice message or picture is too large; not downloaded")
_FAILED = ("语音或图片下载失败", "downloading the voice message or picture failed")


class MediaFetch:
    """Calling it returns the bytes or raises WeChatError (too large, refused, logged out, or still failing
    after ``Timeouts.media_tries`` tries)."""

    def __init__(self, download: Callable[[], bytes], timeouts: Timeouts, stopped: threading.Event) -> None:
        self._download, self._timeouts, self._stopped = download, timeouts, stopped

    def __call__(self) -> bytes:
        delay = self._timeouts.retry_first
        for attempt in range(1, self._timeouts.media_tries + 1):
            if self._stopped.is_set():
                raise WeChatError("微信已下线，无法下载语音或图片", "logged out of WeChat; can't download the media")
            try:
                data = self._download()
            except MediaTooLarge as exc:
                raise WeChatError(*_TOO_LARGE) from exc
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status < 500:  # refused (unknown message, expired skey): trying again won't help
                    raise WeChatError(*_FAILED) from exc
                logger.warning("media download try {} failed (HTTP {})", attempt, status)
            except requests.RequestException as exc:
                logger.warning("media download try {} failed ({})", attempt, type(exc).__name__)
            else:
                if isinstance(data, bytes) and data:
                    return data
                logger.warning("media download try {} gave no bytes", attempt)
            if attempt < self._timeouts.media_tries:
                self._stopped.wait(delay)
                delay = min(delay * 2, self._timeouts.retry_max)
        raise WeChatError(*_FAILED)
