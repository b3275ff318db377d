"""One llama.cpp model in this process: load with GPU fit and room for several replies at once, the GGUF's chat
template, streaming text, cancel.

Not thread-safe by design: it belongs to the model process's one serving thread (see serve.py), as STYLE principle 8
asks.
"""

from __future__ import annotations

import codecs
import ctypes
import itertools
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import llama_cpp
import llama_cpp.llama_cpp as lib
from llama_cpp import Llama, LlamaGrammar
from llama_cpp.llama_chat_format import Jinja2ChatFormatter
from loguru import logger

from wxbot.errors import GenerationCancelled, ModelError, ModelOutOfMemory
from wxbot.llm import gpufit
from wxbot.llm.api import ChatMessages, Engine, LocalPlacement, ModelInfo
from wxbot.llm.gguf_meta import check_model_file
from wxbot.llm.kvshift import can_shift
from wxbot.llm.progress import LoadWatch, ProgressSink
from wxbot.llm.reasoning import OPEN, opens_reasoning
from wxbot.llm.sequences import Finished, GenerationStats, Job, Outcome, Sequences, Token
from wxbot.llm.statecache import StateCache
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
    when the reply ends are a character cut by the token limit: dropped rather than sent as U+FFFD)."""

    def __init__(self, lead: str) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._lead = lead

    def feed(self, piece: bytes) -> str:
        text = self._utf8.decode(piece)
        if text:
            text, self._lead = self._lead + text, ""
        return text


@contextmanager
def _sequences_in_context(n_seq: int) -> Iterator[None]:
    """Make the context ``Llama`` builds hold ``n_seq`` sequences (its constructor has no such parameter)."""
    original = lib.llama_context_default_params

    def params_with_sequences() -> lib.llama_context_params:
        params = original()
        params.n_seq_max = n_seq
        return params

    lib.llama_context_default_params = params_with_sequences
    try:
        yield
    finally:
        lib.llama_context_default_params = original


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
        self.opens_reasoning = opens_reasoning(generation_prompt(template, bos, eos))

    def tokens(self, messages: ChatMessages) -> list[int]:
        prompt = self._render(messages=cast(Any, messages)).prompt  # ChatMessages are the TypedDicts' shape
        return self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)


class LocalModel:
    """Owns exactly one ``llama_cpp.Llama`` whose context holds several sequences; implements ChatModel for one
    caller (``stream_chat``) and, for the model process, several replies at once (``submit`` + ``step``)."""

    def __init__(self, settings: Settings, model_path: str | Path, *, on_progress: ProgressSink | None = None,
                 max_gpu_layers: int | None = None, on_attempt: Callable[[int], None] | None = None,
                 gpu_probe: Callable[[], GpuInfo | None] = detect_gpu) -> None:
        self._gpu_probe = gpu_probe
        self.last_stats = GenerationStats()
        self.load_note = ""  # how the model was placed, e.g. after an out-of-memory fallback
        self._llama, self.info = self._load(settings, str(model_path), on_progress, max_gpu_layers, on_attempt)
        self._template = ChatTemplate(self._llama)
        self.opens_reasoning = self._template.opens_reasoning
        self._vocab = self._llama._model.vocab
        self._piece_buf = ctypes.create_string_buffer(256)
        self._sequences = Sequences(self._llama.ctx, self._vocab, n_seq=self.info.parallel,
                                    n_batch=gpufit.PROMPT_BATCH, cache=StateCache(settings.state_cache_mb << 20),
                                    shift=settings.context_shift and can_shift(self._llama.ctx))
        self._texts: dict[int, _ReplyText] = {}
        self._own_rids = itertools.count(-1, -1)  # stream_chat's; the model process numbers its requests from 1

    # ------------------------------------------------------------------ loading
    def _load(self, settings: Settings, path: str, on_progress: ProgressSink | None, max_gpu_layers: int | None,
              on_attempt: Callable[[int], None] | None) -> tuple[Llama, ModelInfo]:
        header = check_model_file(path)
        gpu = self._gpu_probe()
        n_seq = settings.parallel_replies or gpufit.auto_sequences(header, settings.context_size, gpu=gpu,
                                                                   gpu_layers=settings.gpu_layers_value())
        plan = gpufit.plan_offload(header, settings.context_size * n_seq, gpu=gpu,
                                   gpu_layers=settings.gpu_layers_value())
        attempts = [plan.n_gpu_layers, *gpufit.fallback_layer_counts(plan)] if plan.n_gpu_layers else [0]
        if max_gpu_layers is not None:
            attempts = [n for n in attempts if n <= max_gpu_layers] or [0]
        watch = LoadWatch(on_progress)
        watch.report(0.0)
        threads = settings.threads or None
        failures: list[str] = []
        for n_layers in attempts:
            if on_attempt is not None:
                on_attempt(n_layers)
            try:
                with watch.hooked(), _sequences_in_context(n_seq):
                    llama = Llama(model_path=path, n_ctx=settings.context_size * n_seq, n_batch=gpufit.PROMPT_BATCH,
                                  n_ubatch=gpufit.PROMPT_BATCH, n_gpu_layers=n_layers, n_threads=threads,
                                  n_threads_batch=threads, verbose=False)
            except (ValueError, RuntimeError) as exc:
                reason = watch.reason() or str(exc)
                logger.warning("model load with {} GPU layers failed: {}", n_layers, reason)
                if not watch.memory_failure():
                    raise ModelError(f"模型加载失败：{reason}", f"the model failed to load: {reason}") from None
                failures.append(f"{n_layers} layers")
                continue
            watch.report(1.0)
            if failures:
                self.load_note = f"out of memory with {', '.join(failures)}; loaded with {n_layers} GPU layers"
            device = plan.device if n_layers else "CPU"
            gpu_bytes = plan.gpu_bytes * n_layers // plan.n_gpu_layers if plan.n_gpu_layers else 0
            name = str(header.metadata.get("general.name") or Path(path).stem)
            placement = LocalPlacement(path=path, n_layers=plan.n_layers, gpu_layers=n_layers,
                                       gpu_bytes=gpu_bytes, device=device)
            info = ModelInfo(name=name, context_size=llama_cpp.llama_n_ctx_seq(llama.ctx), engine=Engine.LOCAL,
                             description=placement.text, local=placement, parallel=n_seq,
                             parameters=header.parameters)
            logger.info("model {} loaded: {}, context {} tokens, {} replies at once", name, device,
                        info.context_size, n_seq)
            return llama, info
        raise ModelOutOfMemory(
            f"内存不足，无法加载模型（已尝试 {', '.join(failures)}）。请减小上下文长度或换用更小的模型。",
            f"not enough memory to load the model (tried {', '.join(failures)}); "
            "lower the context size or use a smaller model")

    # ------------------------------------------------------------------ several replies (the model process)
    def submit(self, rid: int, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
               repeat_penalty: float = 1.0, cache_key: str | None = None, grammar: str | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> None:
        """Queue a reply; ``step`` generates it. Raises ModelError when the prompt does not fit the context.

        ``grammar`` (GBNF) constrains the output; tests use it to make a small model think aloud."""
        prompt = self._template.tokens(messages)
        room = self._sequences.room
        if len(prompt) >= room:
            raise ModelError(f"对话太长：提示有 {len(prompt)} 个词元，上下文只能容纳 {room} 个",
                             f"the prompt has {len(prompt)} tokens; the context holds {room}")
        sampler = self._llama._init_sampler(
            temp=temperature, top_p=top_p, repeat_penalty=repeat_penalty,
            grammar=LlamaGrammar.from_string(grammar, verbose=False) if grammar else None)
        self._texts[rid] = _ReplyText(OPEN if self.opens_reasoning else "")
        self._sequences.add(Job(rid, prompt, max_tokens, cache_key, sampler, cancelled))

    @property
    def busy(self) -> bool:
        return self._sequences.busy

    def step(self) -> list[Piece | Finished]:
        """One model pass over every reply in progress: new text, and the replies that ended."""
        out: list[Piece | Finished] = []
        for event in self._sequences.step():
            if isinstance(event, Token):
                if text := self._texts[event.rid].feed(self._piece(event.token)):
                    out.append(Piece(event.rid, text))
            else:
                self._texts.pop(event.rid, None)
                self.last_stats = event.stats
                out.append(event)
        return out

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        return len(self._template.tokens(messages))

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: CancelFlag | threading.Event | None = None,
                    cache_key: str | None = None, grammar: str | None = None) -> Generator[str, None, None]:
        """Yield raw UTF-8-safe text pieces of one reply; a ``<think>`` opened by the template comes first."""
        rid, closed = next(self._own_rids), threading.Event()
        self.submit(rid, messages, max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                    repeat_penalty=repeat_penalty, cache_key=cache_key, grammar=grammar,
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

