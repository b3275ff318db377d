"""One llama.cpp model in this process (loaded by loader.py): the GGUF's chat template, several replies at once,
streaming text, a thinking budget, cancel.

Not thread-safe by design: it belongs to the model process's one serving thread (see serve.py), as STYLE principle 8
asks.
"""

from __future__ import annotations

import codecs
import ctypes
import itertools
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import llama_cpp
from llama_cpp import Llama, LlamaGrammar
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from wxbot.errors import GenerationCancelled, ModelError
from wxbot.llm.api import ChatMessages
from wxbot.llm.kvshift import can_shift
from wxbot.llm.loader import load_llama
from wxbot.llm.progress import ProgressSink
from wxbot.llm.reasoning import CLOSE, CLOSED_AFTER_OPEN, OPEN, ThinkWatch, opens_reasoning, think_closed
from wxbot.llm.sequences import Finished, GenerationStats, Job, Outcome, Sequences, Token
from wxbot.llm.statecache import StateCache
from wxbot.llm.tuning import PROMPT_BATCH
from wxbot.llm.vram import GpuInfo, detect_gpu
from wxbot.settings import Settings


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Piece:
    """Text of one reply, as generated (UTF-8-safe, a ``<think>`` opened by the template first)."""

    rid: int
    text: str


class _ReplyText:
    """One reply's token bytes as text: a character split across tokens waits for its last byte (bytes still held
    when the reply ends are a character cut by the token limit: dropped rather than sent as U+FFFD). Its ThinkWatch
    sees the same text, and when the first visible character came."""

    def __init__(self, lead: str, think_budget: int | None) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._lead = lead
        self.watch = ThinkWatch(think_budget)
        self.started = time.perf_counter()
        self.first_visible_s: float | None = None

    def feed(self, piece: bytes) -> tuple[str, bool]:
        """The token's text, and whether ``</think>`` is due now (the thinking budget is spent)."""
        text = self._utf8.decode(piece)
        if text:
            text, self._lead = self._lead + text, ""
        due = self.watch.feed(text)
        if self.watch.seen and self.first_visible_s is None:
            self.first_visible_s = time.perf_counter() - self.started
        return text, due


def generation_prompt(template: str, bos: str = "", eos: str = "") -> str:
    """What a chat template appends for the assistant's turn (``add_generation_prompt``)."""
    probe: Any = [{"role": "user", "content": "?"}]  # llama-cpp-python types messages as TypedDicts
    bare = Jinja2ChatFormatter(template, eos, bos, add_generation_prompt=False)(messages=probe).prompt
    full = Jinja2ChatFormatter(template, eos, bos, add_generation_prompt=True)(messages=probe).prompt
    return full[len(bare):] if full.startswith(bare) else ""


class ChatTemplate:
    """The GGUF's own Jinja chat template, rendered the way llama-cpp-python's chat handler does."""

    def __init__(self, llama: Llama) -> None:
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError("模型文件没有内置对话模板，无法用于聊天", "the model file has no chat template")
        model = llama._model
        eos = model.token_get_text(llama.token_eos()) if llama.token_eos() != -1 else ""
        bos = model.token_get_text(llama.token_bos()) if llama.token_bos() != -1 else ""
        self._llama = llama
        self._render = Jinja2ChatFormatter(template, eos, bos, add_generation_prompt=True)
        opening = generation_prompt(template, bos, eos)
        self.opens_reasoning = opens_reasoning(opening)
        # a reasoning template (it opens <think> or cuts past thoughts out of the history) can be told not to think
        self._no_thinking = think_closed(opening) if self.opens_reasoning or CLOSE in template else ""

    def tokens(self, messages: ChatMessages, *, thinking: bool = True) -> list[int]:
        """The prompt; ``thinking`` False closes a reasoning template's think block before the answer."""
        prompt = self._render(messages=cast(Any, messages)).prompt  # ChatMessages are the TypedDicts' shape
        if not thinking:
            prompt += self._no_thinking
        return self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def text_tokens(self, text: str) -> list[int]:
        return self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)


class LocalModel:
    """Owns exactly one ``llama_cpp.Llama`` whose context holds several sequences; implements ChatModel for one
    caller (``stream_chat``) and, for the model process, several replies at once (``submit`` + ``step``)."""

    def __init__(self, settings: Settings, model_path: str | Path, *, on_progress: ProgressSink | None = None,
                 max_gpu_layers: int | None = None, on_attempt: Callable[[int], None] | None = None,
                 gpu_probe: Callable[[], GpuInfo | None] = detect_gpu) -> None:
        self.last_stats = GenerationStats()
        self._llama, self.info, self.load_note = load_llama(settings, str(model_path), gpu=gpu_probe(),
                                                            on_progress=on_progress, max_gpu_layers=max_gpu_layers,
                                                            on_attempt=on_attempt)
        self._template = ChatTemplate(self._llama)
        self.opens_reasoning = self._template.opens_reasoning
        self._vocab = self._llama._model.vocab
        self._piece_buf = ctypes.create_string_buffer(256)
        self._sequences = Sequences(self._llama.ctx, self._vocab, n_seq=self.info.parallel,
                                    n_batch=PROMPT_BATCH, cache=StateCache(settings.state_cache_mb << 20),
                                    shift=settings.context_shift and can_shift(self._llama.ctx))
        self._texts: dict[int, _ReplyText] = {}
        self._own_rids = itertools.count(-1, -1)  # stream_chat's; the model process numbers its requests from 1

    # ------------------------------------------------------------------ several replies (the model process)
    def submit(self, rid: int, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
               repeat_penalty: float = 1.0, cache_key: str | None = None, grammar: str | None = None,
               think_budget: int | None = None, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Queue a reply; ``step`` generates it. Raises ModelError when the prompt does not fit the context.

        ``think_budget``: tokens before the first visible character, after which ``</think>`` is forced (None: no
        limit; 0 also closes a reasoning template's think block in the prompt). ``grammar`` (GBNF) constrains the
        output; tests use it to make a small model think aloud."""
        prompt = self._template.tokens(messages, thinking=think_budget != 0)
        room = self._sequences.room
        if len(prompt) >= room:
            raise ModelError(f"对话太长：提示有 {len(prompt)} 个词元，上下文只能容纳 {room} 个",
                             f"the prompt has {len(prompt)} tokens; the context holds {room}")
        sampler = self._llama._init_sampler(
            temp=temperature, top_p=top_p, repeat_penalty=repeat_penalty,
            grammar=LlamaGrammar.from_string(grammar, verbose=False) if grammar else None)
        self._texts[rid] = _ReplyText(OPEN if self.opens_reasoning and think_budget != 0 else "", think_budget)
        self._sequences.add(Job(rid, prompt, max_tokens, cache_key, sampler, cancelled, grammar=bool(grammar)))

    @property
    def busy(self) -> bool:
        return self._sequences.busy

    def step(self) -> list[Piece | Finished]:
        """One model pass over every reply in progress: new text, and the replies that ended."""
        out: list[Piece | Finished] = []
        for event in self._sequences.step():
            if isinstance(event, Token):
                reply = self._texts[event.rid]
                text, due = reply.feed(self._piece(event.token))
                if due and self._sequences.force(event.rid, self._template.text_tokens(CLOSED_AFTER_OPEN)):
                    reply.watch.forced(CLOSED_AFTER_OPEN)
                    text += CLOSED_AFTER_OPEN
                if text:
                    out.append(Piece(event.rid, text))
            else:
                ended = self._texts.pop(event.rid, None)
                if ended is not None:
                    event.stats.tokens_before_visible = ended.watch.before_visible
                    event.stats.first_visible_seconds = ended.first_visible_s
                self.last_stats = event.stats
                out.append(event)
        return out

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        return len(self._template.tokens(messages))

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: CancelFlag | threading.Event | None = None,
                    cache_key: str | None = None, grammar: str | None = None,
                    think_budget: int | None = None) -> Generator[str, None, None]:
        """Yield raw UTF-8-safe text pieces of one reply; a ``<think>`` opened by the template comes first."""
        rid, closed = next(self._own_rids), threading.Event()
        self.submit(rid, messages, max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                    repeat_penalty=repeat_penalty, cache_key=cache_key, grammar=grammar, think_budget=think_budget,
                    cancelled=lambda: closed.is_set() or (cancel is not None and cancel.is_set()))
        end: Finished | None = None
        try:
            while end is None:
                for event in self.step():
                    if event.rid != rid:
                        continue
                    if isinstance(event, Piece):
                        yield event.text
                    else:
                        end = event
        finally:
            closed.set()  # the caller stopped reading (or a step failed): the reply stops too
            while end is None and self._sequences.holds(rid):
                end = next((e for e in self.step() if isinstance(e, Finished) and e.rid == rid), None)
            self._texts.pop(rid, None)
        if end is None:
            return
        if end.outcome is Outcome.CANCELLED:
            raise GenerationCancelled()
        if end.error is not None:
            raise end.error

    def close(self) -> None:
        self._sequences.close()
        self._llama.close()

    # ------------------------------------------------------------------ internals
    def _piece(self, token: int) -> bytes:
        n = llama_cpp.llama_token_to_piece(self._vocab, token, self._piece_buf, len(self._piece_buf), 0, False)
        if n < 0:  # a piece longer than the buffer: grow it once
            self._piece_buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, self._piece_buf, -n, 0, False)
        return self._piece_buf.raw[:n]

