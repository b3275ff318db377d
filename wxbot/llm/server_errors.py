"""A model server's failures in words for the owner (Chinese and English), and whether asking again is safe.

Never the server's own body: it may quote the chat.
"""

from __future__ import annotations

import httpx2
import openai
from loguru import logger

from wxbot.errors import EngineError
from wxbot.llm.bounded import RESPONSE_MAX_BYTES, ResponseTooLarge


def timeout_error(where: str, seconds: float) -> EngineError:
    return EngineError(f"模型服务器 {where} 在 {seconds:.0f} 秒内没有完成回复（可在设置中调大 openai_timeout）",
                       f"the model server {where} did not finish a reply within {seconds:.0f} s "
                       "(raise openai_timeout in Settings)", reachable=False)


def server_error(exc: BaseException, where: str, model: str, timeout: float) -> EngineError:
    """A failed request in words for the owner; never the server's body (it may quote the chat)."""
    cause = exc.__cause__ if isinstance(exc, openai.APIConnectionError) else exc  # the client wraps what it read
    if isinstance(exc, openai.APITimeoutError) or isinstance(cause, httpx2.TimeoutException):
        return timeout_error(where, timeout)
    if isinstance(cause, ResponseTooLarge):
        return EngineError(f"模型服务器 {where} 的回应超过 {RESPONSE_MAX_BYTES >> 20} MB，已中断",
                           f"the model server {where} sent more than {RESPONSE_MAX_BYTES >> 20} MB in one answer; "
                           "it was cut off")
    if isinstance(exc, openai.APIConnectionError):
        return EngineError(f"连不上模型服务器 {where}：请确认它已启动、地址和端口正确",
                           f"cannot reach the model server {where}: is it running, and are the address and port "
                           "right?", reachable=False, retriable=True)
    if not isinstance(exc, openai.APIStatusError):
        logger.error("model server {}: unexpected {}", where, type(exc).__name__)
        return EngineError(f"模型服务器 {where} 的回应无法读取（{type(exc).__name__}）",
                           f"the reply of the model server {where} could not be read ({type(exc).__name__})")
    status = exc.status_code
    if status in (401, 403):
        return EngineError(f"模型服务器 {where} 拒绝了 API 密钥（{status}）：请在设置中检查密钥",
                           f"the model server {where} refused the API key ({status}): check the key in Settings",
                           status=status)
    if status == 404:
        return EngineError(f"模型服务器 {where} 上找不到模型 {model} 或接口（404）：请检查模型名，地址通常以 /v1 结尾",
                           f"the model server {where} has no model {model!r} or no such API (404): check the model "
                           "name; the address usually ends in /v1", status=status)
    if status == 429:
        return EngineError(f"模型服务器 {where} 繁忙或已达调用上限（429）",
                           f"the model server {where} is busy or over its rate limit (429)", status=status,
                           retriable=True, retry_after=_retry_after(exc))
    if status >= 500:
        return EngineError(f"模型服务器 {where} 出错（{status}）", f"the model server {where} failed ({status})",
                           status=status, retriable=True, retry_after=_retry_after(exc))
    return EngineError(f"模型服务器 {where} 拒绝了请求（{status}），可能是对话超出了它的上下文长度",
                       f"the model server {where} refused the request ({status}); the conversation may be longer "
                       "than its context", status=status)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    try:
        return float(exc.response.headers.get("retry-after", ""))
    except ValueError:
        return None
