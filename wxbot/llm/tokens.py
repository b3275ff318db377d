"""Counting prompt tokens when the model runs on a server: the server's own tokenizer where it has one, else a
vocab-only GGUF of the same model family, else a conservative estimate (over-counting, never overflowing).

The engine asks only a few counts per reply, so one HTTP round trip per count is affordable.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import httpx2
from llama_cpp import Llama
from loguru import logger

from wxbot.errors import ConfigError, ModelError
from wxbot.llm.api import ChatMessages
from wxbot.llm.gguf_meta import read_header
from wxbot.llm.local import ChatTemplate
from wxbot.llm.reasoning import opens_reasoning
from wxbot.llm.vocab import write_vocab_only

MESSAGE_OVERHEAD = 8  # role markers and separators a chat template wraps around each message
PROMPT_OVERHEAD = 8  # the generation prompt (and a BOS) after the last message


class TokenCounter(Protocol):
    method: str  # what the owner (and a log line) is told: "server", "vocab", "estimate"

    def count(self, messages: ChatMessages) -> int: ...


# ---------------------------------------------------------------------- estimate
def estimate_text(text: str) -> float:
    """An upper-leaning guess of one text's tokens for any byte-level BPE vocabulary.

    Digits and punctuation are often one token each; English words take about a quarter token per letter;
    a character outside ASCII takes at most as many tokens as its UTF-8 bytes (CJK: 2, emoji: 3 here).
    """
    total = 0.0
    for ch in text:
        if ch.isascii():
            total += 0.5 if ch.isalpha() else 0.25 if ch.isspace() else 1.0
        else:
            size = len(ch.encode("utf-8"))
            total += size if size <= 2 else size - 1
    return total


class EstimateCounter:
    method = "estimate"
    opens_reasoning: bool | None = None

    def count(self, messages: ChatMessages) -> int:
        body = sum(estimate_text(m["content"]) + MESSAGE_OVERHEAD for m in messages)
        return int(body) + PROMPT_OVERHEAD


# ---------------------------------------------------------------------- a vocab-only GGUF
class VocabCounter:
    """The model family's real tokenizer and chat template, from a GGUF read vocab-only (no weights loaded)."""

    method = "vocab"

    def __init__(self, path: str | Path, cache_dir: Path | None = None) -> None:
        """``path``: any GGUF of the family. One llama.cpp can't open whole (the first part of a split or
        unfinished download) is copied vocab-only into ``cache_dir`` once, from its header."""
        try:
            read_header(path)
            try:
                self._llama = Llama(str(path), vocab_only=True, verbose=False)
            except ValueError:
                if cache_dir is None:
                    raise
                self._llama = Llama(str(_vocab_copy(Path(path), cache_dir)), vocab_only=True, verbose=False)
            self._template = ChatTemplate(self._llama)
        except (ModelError, ValueError) as exc:
            detail = exc.en if isinstance(exc, ModelError) else type(exc).__name__
            raise ConfigError(f"设置项 openai_tokenizer 的分词器文件无法读取：{path}",
                              f"setting openai_tokenizer: the tokenizer GGUF cannot be read: {path} ({detail})") from None
        self.opens_reasoning: bool | None = self._template.opens_reasoning
        self._lock = threading.Lock()

    def count(self, messages: ChatMessages) -> int:
        with self._lock:
            return len(self._template.tokens(messages))


def _vocab_copy(source: Path, cache_dir: Path) -> Path:
    name = hashlib.sha256(str(source.resolve()).encode("utf-8")).hexdigest()[:16]
    copy = cache_dir / f"{name}.vocab.gguf"
    if not copy.exists():
        logger.info("building a vocab-only tokenizer from the header of {}", source.name)
        write_vocab_only(source, copy)
    return copy


# ---------------------------------------------------------------------- the server's own tokenizer
Dialect = Callable[[httpx2.Client, str, ChatMessages], tuple[int, str | None]]


def _post(http: httpx2.Client, path: str, body: dict) -> dict:
    response = http.post(path, json=body)
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _llama_server(http: httpx2.Client, model: str, messages: ChatMessages) -> tuple[int, str | None]:
    """llama.cpp's llama-server: the prompt its template makes, then its tokens."""
    prompt = _post(http, "/apply-template", {"messages": messages})["prompt"]
    tokens = _post(http, "/tokenize", {"content": prompt, "add_special": True})["tokens"]
    return len(tokens), prompt


def _vllm(http: httpx2.Client, model: str, messages: ChatMessages) -> tuple[int, str | None]:
    """vLLM: /tokenize applies the chat template itself."""
    data = _post(http, "/tokenize", {"model": model, "messages": messages, "add_generation_prompt": True})
    return int(data["count"]), None


def _llama_cpp_python(http: httpx2.Client, model: str, messages: ChatMessages) -> tuple[int, str | None]:
    """llama-cpp-python's server tokenizes plain text only: the template's wrapping is estimated."""
    text = "\n".join(f"{m['role']}\n{m['content']}" for m in messages)
    count = int(_post(http, "/extras/tokenize/count", {"input": text, "model": model})["count"])
    return count + MESSAGE_OVERHEAD * len(messages) + PROMPT_OVERHEAD, None


EXACT = (("llama-server", _llama_server), ("vllm", _vllm))  # the server applies its own chat template
APPROXIMATE = (("llama-cpp-python", _llama_cpp_python),)


class ServerCounter:
    """Counts with the server's own tokenizer; a failing call falls back to the estimate (the reply itself
    then reports what is wrong with the server)."""

    method = "server"

    def __init__(self, http: httpx2.Client, model: str, dialect: tuple[str, Dialect]) -> None:
        self._http, self._model = http, model
        self.dialect, self._call = dialect
        self.opens_reasoning: bool | None = None
        self._fallback = EstimateCounter()

    def count(self, messages: ChatMessages) -> int:
        try:
            n, prompt = self._call(self._http, self._model, messages)
        except (httpx2.HTTPError, ValueError, KeyError, TypeError) as exc:
            logger.warning("server token count failed ({}); estimating", type(exc).__name__)
            return self._fallback.count(messages)
        if prompt is not None:
            self.opens_reasoning = opens_reasoning(prompt)
        return n


def probe_server(http: httpx2.Client, model: str, dialects: tuple[tuple[str, Dialect], ...]) -> ServerCounter | None:
    """The first of these tokenizer endpoints the server answers, tried with one short message."""
    probe = [{"role": "user", "content": "hi"}]
    for dialect in dialects:
        try:
            dialect[1](http, model, probe)
        except (httpx2.HTTPError, ValueError, KeyError, TypeError):
            continue
        counter = ServerCounter(http, model, dialect)
        counter.count(probe)  # learns whether the template opens <think>
        logger.info("token counting: the server's own tokenizer ({})", dialect[0])
        return counter
    return None


def pick_counter(http: httpx2.Client, model: str, tokenizer_path: str,
                 cache_dir: Path | None = None) -> TokenCounter:
    """The server's template and tokenizer, else the configured vocab-only GGUF, else the server's plain-text
    tokenizer with the template estimated, else the estimate."""
    if (exact := probe_server(http, model, EXACT)) is not None:
        return exact
    if tokenizer_path:
        return VocabCounter(tokenizer_path, cache_dir)
    if (approximate := probe_server(http, model, APPROXIMATE)) is not None:
        return approximate
    logger.info("token counting: estimate (no server tokenizer, no tokenizer GGUF set)")
    return EstimateCounter()
