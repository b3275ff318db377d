"""A chat model served by an OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio, the DeepSeek API).

Reasoning that arrives in ``reasoning_content`` / ``reasoning`` fields is dropped here; inline ``<think>`` goes on
to the engine's filter, as the local model's does. Failures become EngineError in words. A request is retried
with backoff only before any of its text arrived, so one message never gets two replies.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import httpx2
import openai
from loguru import logger
from openai.types.chat import ChatCompletionMessageParam

from wxbot.errors import EngineError, GenerationCancelled
from wxbot.llm.api import ChatMessages, Engine, ModelInfo
from wxbot.llm.bounded import bounded_client
from wxbot.llm.reasoning import OPEN
from wxbot.llm.server_errors import server_error, timeout_error
from wxbot.llm.tokens import TokenCounter, pick_counter
from wxbot.settings import Settings

ATTEMPTS = 3  # one request and two retries
BACKOFF_S = (1.0, 3.0)  # waits before the retries; a server's Retry-After is honoured up to MAX_BACKOFF_S
MAX_BACKOFF_S = 15.0
CONNECT_TIMEOUT_S = 10.0
_WAIT_S = 0.05  # how often a caller waiting for the next piece looks at its cancel flag and the deadline
_END = object()
LLAMA_CPP_DIALECTS = ("llama-server", "llama-cpp-python")  # servers that read llama.cpp's sampling fields
# servers that pass chat_template_kwargs to their Jinja template (Qwen3's enable_thinking switch); the DeepSeek API
# and OpenAI refuse fields they do not know
TEMPLATE_SWITCH_DIALECTS = ("llama-server", "vllm")
TOKENIZER_DIR = "tokenizers"  # in the data dir: vocab-only copies of partial GGUFs (no personal data)

HealthSink = Callable[[bool, str], None]  # (reachable, what the owner reads)


@dataclass(frozen=True)
class _Sampling:
    max_tokens: int
    temperature: float
    top_p: float
    extra: dict[str, Any] | None  # fields only some servers read (llama.cpp's sampling, template switches)


# replies sent at once under parallel_replies = auto: llama-server's default slot count (more wait in its queue)
SERVER_PARALLEL = 4


def server_root(base_url: str) -> str:
    """``http://host:8080/v1`` -> ``http://host:8080``: where /tokenize and /apply-template live."""
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


class OpenAIModel:
    """Implements ChatModel over HTTP; thread-safe (each reply streams on its own connection).

    ``on_health`` hears when the server stops or starts answering again, from the thread of the reply that saw it.
    """

    def __init__(self, settings: Settings, api_key: str, *, on_health: HealthSink | None = None) -> None:
        self._base = settings.openai_base_url.rstrip("/")
        self.where = urlsplit(self._base).netloc or self._base  # host:port, shown to the owner
        self._model = settings.openai_model
        self._timeout = settings.openai_timeout
        self._tokenizer_path = settings.openai_tokenizer
        self._tokenizer_cache = settings.data_path / TOKENIZER_DIR
        timeout = httpx2.Timeout(self._timeout, connect=min(self._timeout, CONNECT_TIMEOUT_S))
        # no key: a dummy, since local servers started without --api-key accept anything
        self._client = openai.OpenAI(base_url=self._base, api_key=api_key or "none", timeout=timeout, max_retries=0,
                                     http_client=bounded_client(self._timeout, timeout=timeout))
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = bounded_client(self._timeout, base_url=server_root(self._base), headers=headers, timeout=timeout)
        self._on_health = on_health
        self._reachable: bool | None = None
        self._counter: TokenCounter | None = None
        self.load_note = ""
        self._parallel = settings.parallel_replies or SERVER_PARALLEL
        self.info = self._describe(self._model or "?", settings.context_size)
        self._context_size = settings.context_size

    def _describe(self, name: str, context_size: int) -> ModelInfo:
        return ModelInfo(name=name, context_size=context_size, engine=Engine.OPENAI,
                         description=f"{name} @ {self.where}", parallel=self._parallel)

    # ------------------------------------------------------------------ connecting
    def connect(self) -> OpenAIModel:
        """Ask the server for its models: proves it is reachable and takes our key; picks the model when none
        is configured, and the server's tokenizer. Raises EngineError (the model stays usable for retries)."""
        try:
            listed = self._client.models.list().data
        except openai.OpenAIError as exc:
            err = self._error(exc)
            self._reachable = err.reachable
            raise err from None
        self._reachable = True
        if not self._model:
            if not listed:
                raise EngineError(f"模型服务器 {self.where} 没有提供任何模型",
                                  f"the model server {self.where} lists no models")
            self._model = listed[0].id
        served = next((m for m in listed if m.id == self._model), None)
        limit = getattr(served, "max_model_len", None)  # vLLM tells its context length
        context = min(self._context_size, limit) if isinstance(limit, int) and limit > 0 else self._context_size
        self.info = self._describe(self._model, context)
        self._counter = pick_counter(self._http, self._model, self._tokenizer_path, self._tokenizer_cache)
        logger.info("model server {} answers; model {}, tokens counted by {}", self.where, self._model,
                    self._counter.method)
        return self

    @property
    def reachable(self) -> bool | None:
        return self._reachable

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        if self._counter is None:
            self._counter = pick_counter(self._http, self._model, self._tokenizer_path, self._tokenizer_cache)
        return self._counter.count(messages)

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: threading.Event | None = None,
                    cache_key: str | None = None, think_budget: int | None = None) -> Generator[str, None, None]:
        """Visible text and inline ``<think>`` pieces as the server streams them; reasoning fields are dropped.
        ``repeat_penalty`` goes only to llama.cpp's servers (known by their tokenizer endpoints), as their own
        field: other servers may refuse a field they don't know. ``think_budget`` 0 asks llama-server and vLLM
        to render the template without thinking (``chat_template_kwargs``); a budget above 0 cannot be enforced
        through the OpenAI API, so the server thinks as it likes (see docs/engines.md)."""
        deadline = time.monotonic() + self._timeout
        dialect = getattr(self._counter, "dialect", "")
        extra: dict[str, Any] = {}
        if dialect in LLAMA_CPP_DIALECTS and repeat_penalty != 1.0:
            extra["repeat_penalty"] = repeat_penalty
        if think_budget == 0 and dialect in TEMPLATE_SWITCH_DIALECTS:
            extra["chat_template_kwargs"] = {"enable_thinking": False}
        sampling = _Sampling(max_tokens, temperature, top_p, extra or None)
        for attempt in range(ATTEMPTS):
            got_text = False
            try:
                for piece in self._stream_once(messages, sampling, cancel, deadline):
                    got_text = True
                    yield piece
                self._healthy()
                return
            except EngineError as err:
                last = attempt + 1 == ATTEMPTS or time.monotonic() + _delay(err, attempt) >= deadline
                if got_text or not err.retriable or last:
                    raise self._failed(err) from None
                delay = _delay(err, attempt)
                logger.warning("model server {}: {}; retry {} in {:.1f} s", self.where, err.en, attempt + 1, delay)
                if cancel is not None and cancel.wait(delay):
                    raise GenerationCancelled() from None
                if cancel is None:
                    time.sleep(delay)

    def close(self) -> None:
        self._client.close()
        self._http.close()

    # ------------------------------------------------------------------ one streamed request
    def _stream_once(self, messages: ChatMessages, sampling: _Sampling, cancel: threading.Event | None,
                     deadline: float) -> Iterator[str]:
        """One request read on a thread of its own, so a cancel or the deadline can close the stream at once
        (the server then sees the disconnect and stops generating)."""
        pieces: queue.Queue[Any] = queue.Queue()
        holder: dict[str, Any] = {}
        stop = threading.Event()

        def read() -> None:
            try:
                stream = self._client.chat.completions.create(
                    model=self._model, messages=cast("list[ChatCompletionMessageParam]", messages), stream=True,
                    max_tokens=sampling.max_tokens, temperature=sampling.temperature, top_p=sampling.top_p,
                    extra_body=sampling.extra)
                holder["stream"] = stream
                if stop.is_set():
                    stream.close()
                    return
                for chunk in stream:
                    pieces.put(chunk)
                    if stop.is_set():
                        break
                stream.close()
                pieces.put(_END)
            except Exception as exc:  # handed to the caller's thread, which maps it to words
                pieces.put(exc)

        threading.Thread(target=read, name="wxbot-openai-stream", daemon=True).start()
        opens = getattr(self._counter, "opens_reasoning", None)
        lead = OPEN if opens else ""  # the template opened <think>: what comes first is reasoning
        count, finished = 0, False
        try:
            while True:
                try:
                    item = pieces.get(timeout=_WAIT_S)
                except queue.Empty:
                    if cancel is not None and cancel.is_set():
                        raise GenerationCancelled() from None
                    if time.monotonic() > deadline:
                        raise timeout_error(self.where, self._timeout) from None
                    continue
                if item is _END:
                    if not finished:  # EOF without a finish_reason: the server died or dropped us mid-reply
                        raise EngineError(f"模型服务器 {self.where} 的回复中途断开",
                                          f"the model server {self.where} broke off a reply", retriable=True)
                    return
                if isinstance(item, Exception):
                    raise self._error(item) from None
                if cancel is not None and cancel.is_set():
                    raise GenerationCancelled()
                finished = finished or _finish_reason(item) is not None
                content, reasoning = _delta(item)
                if reasoning:
                    lead = ""  # the server separates reasoning itself: the content is the answer
                if content:
                    if count >= sampling.max_tokens:  # a server that ignores max_tokens is not read forever
                        logger.warning("model server {} went past max_tokens; reply cut", self.where)
                        return
                    count += 1
                    yield lead + content
                    lead = ""
        finally:
            stop.set()
            stream = holder.get("stream")
            if stream is not None:
                stream.close()

    # ------------------------------------------------------------------ errors and health
    def _error(self, exc: BaseException) -> EngineError:
        return server_error(exc, self.where, self._model, self._timeout)

    def _failed(self, err: EngineError) -> EngineError:
        if not err.reachable:
            self._set_health(False, str(err))
        elif err.status is not None:
            self._healthy()
        return err

    def _healthy(self) -> None:
        self._set_health(True, self.info.description)

    def _set_health(self, reachable: bool, text: str) -> None:
        if reachable == self._reachable:
            return
        if reachable and self._counter is not None and self._counter.method == "estimate":
            self._counter = None  # picked while the server was away: ask it for its tokenizer again
        self._reachable = reachable
        if self._on_health is not None:
            self._on_health(reachable, text)


def _delta(chunk: Any) -> tuple[str, str]:
    """(content, reasoning) of one stream chunk; reasoning comes as ``reasoning_content`` (DeepSeek API, older
    vLLM) or ``reasoning`` (newer vLLM)."""
    choices = getattr(chunk, "choices", None) or []
    if not choices or choices[0].delta is None:
        return "", ""
    delta = choices[0].delta
    reasoning = getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning", None) or ""
    return delta.content or "", reasoning if isinstance(reasoning, str) else ""


def _finish_reason(chunk: Any) -> str | None:
    choices = getattr(chunk, "choices", None) or []
    return choices[0].finish_reason if choices else None


def _delay(err: EngineError, attempt: int) -> float:
    wanted = err.retry_after if err.retry_after is not None else BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
    return max(0.0, min(wanted, MAX_BACKOFF_S))
