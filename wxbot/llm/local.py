"""One llama.cpp model in this process: load with GPU fit, the GGUF's chat template, streaming, cancel, state reuse.

Not thread-safe by design: it belongs to one worker process (see worker.py), as STYLE principle 8 asks.
"""

from __future__ import annotations

import codecs
import ctypes
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import llama_cpp
from llama_cpp import Llama, LlamaGrammar
from llama_cpp.llama_chat_format import Jinja2ChatFormatter
from loguru import logger

from wxbot.errors import GenerationCancelled, ModelError, ModelOutOfMemory
from wxbot.llm import gpufit
from wxbot.llm.api import ChatMessages, Engine, LocalPlacement, ModelInfo
from wxbot.llm.gguf_meta import check_model_file
from wxbot.llm.kvshift import apply_shift, can_shift, plan_shift
from wxbot.llm.progress import LoadWatch, ProgressSink
from wxbot.llm.reasoning import OPEN, opens_reasoning
from wxbot.llm.statecache import SavedState, StateCache, common_prefix
from wxbot.llm.vram import GpuInfo, detect_gpu
from wxbot.settings import Settings


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0  # decoded this turn; the rest came from the context or the state cache
    generated_tokens: int = 0
    restored_state: bool = False  # a cached state of this conversation was loaded into the context
    shifted_out: int = 0  # tokens of dropped turns cut out of the context (the rest moved down, not evaluated)
    prompt_seconds: float = 0.0  # until the first token was sampled
    decode_seconds: float = 0.0  # from the first to the last token


class _Llama(Llama):
    """Llama whose prompt evaluation stops on a cancel flag: between batches, and inside one on CPU."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cancel: CancelFlag | None = None
        self.evaluated = 0
        self._abort_cb = llama_cpp.ggml_abort_callback(self._should_abort)
        self._no_abort_cb = llama_cpp.ggml_abort_callback()  # NULL: no per-graph-node call while decoding

    def _should_abort(self, _data: object) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def eval(self, tokens: Sequence[int]) -> None:
        for start in range(0, len(tokens), self.n_batch):
            if self._should_abort(None):
                raise GenerationCancelled()
            batch = tokens[start:start + self.n_batch]
            # llama.cpp calls the abort hook at every graph node (CPU backend only): worth it for a
            # prompt batch, too costly for one generated token.
            hook = self._abort_cb if len(batch) > 1 else self._no_abort_cb
            llama_cpp.llama_set_abort_callback(self.ctx, hook, None)
            try:
                super().eval(batch)
            except RuntimeError:
                if self._should_abort(None):  # llama_decode returned 2: aborted by the hook
                    raise GenerationCancelled() from None
                raise
            self.evaluated += len(batch)


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
    """Owns exactly one ``llama_cpp.Llama``; implements ChatModel."""

    def __init__(self, settings: Settings, model_path: str | Path, *, on_progress: ProgressSink | None = None,
                 max_gpu_layers: int | None = None, on_attempt: Callable[[int], None] | None = None,
                 gpu_probe: Callable[[], GpuInfo | None] = detect_gpu) -> None:
        self._gpu_probe = gpu_probe
        self.last_stats = GenerationStats()
        self.load_note = ""  # how the model was placed, e.g. after an out-of-memory fallback
        self._cache = StateCache(settings.state_cache_mb << 20)
        self._owner: str | None = None  # the conversation whose tokens the context holds
        self._llama, self.info = self._load(settings, str(model_path), on_progress, max_gpu_layers, on_attempt)
        self._template = ChatTemplate(self._llama)
        self._shift = settings.context_shift and can_shift(self._llama.ctx)
        self.opens_reasoning = self._template.opens_reasoning
        self._vocab = self._llama._model.vocab
        self._piece_buf = ctypes.create_string_buffer(256)

    # ------------------------------------------------------------------ loading
    def _load(self, settings: Settings, path: str, on_progress: ProgressSink | None, max_gpu_layers: int | None,
              on_attempt: Callable[[int], None] | None) -> tuple[_Llama, ModelInfo]:
        header = check_model_file(path)
        plan = gpufit.plan_offload(header, settings.context_size, gpu=self._gpu_probe(),
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
                with watch.hooked():
                    llama = _Llama(model_path=path, n_ctx=settings.context_size, n_batch=gpufit.PROMPT_BATCH,
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
            info = ModelInfo(name=name, context_size=llama.n_ctx(), engine=Engine.LOCAL,
                             description=placement.text, local=placement)
            logger.info("model {} loaded: {}, context {} tokens", name, device, info.context_size)
            return llama, info
        raise ModelOutOfMemory(
            f"内存不足，无法加载模型（已尝试 {', '.join(failures)}）。请减小上下文长度或换用更小的模型。",
            f"not enough memory to load the model (tried {', '.join(failures)}); "
            "lower the context size or use a smaller model")

    # ------------------------------------------------------------------ ChatModel
    def count_tokens(self, messages: ChatMessages) -> int:
        return len(self._template.tokens(messages))

    def stream_chat(self, messages: ChatMessages, *, max_tokens: int, temperature: float, top_p: float = 1.0,
                    repeat_penalty: float = 1.0, cancel: CancelFlag | threading.Event | None = None, cache_key: str | None = None,
                    grammar: str | None = None) -> Generator[str, None, None]:
        """Yield raw UTF-8-safe text pieces; a ``<think>`` opened by the template comes first.

        ``grammar`` (GBNF) constrains the output; tests use it to make a small model think aloud.
        """
        llama = self._llama
        prompt = self._template.tokens(messages)
        room = llama.n_ctx() - len(prompt)
        if room <= 0:
            raise ModelError(f"对话太长：提示有 {len(prompt)} 个词元，上下文只能容纳 {llama.n_ctx()} 个",
                             f"the prompt has {len(prompt)} tokens; the context holds {llama.n_ctx()}")
        stats = self.last_stats = GenerationStats(prompt_tokens=len(prompt))
        stats.restored_state = self._switch_to(cache_key, prompt)
        stats.shifted_out = self._shift_out_dropped(prompt)
        llama.cancel, llama.evaluated = cancel, 0
        utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        lead = OPEN if self.opens_reasoning else ""
        started = time.perf_counter()
        tokens = llama.generate(prompt, temp=temperature, top_p=top_p, repeat_penalty=repeat_penalty,
                                grammar=LlamaGrammar.from_string(grammar, verbose=False) if grammar else None)
        try:
            for token in tokens:
                if not stats.generated_tokens:
                    stats.prompt_tokens_evaluated = llama.evaluated
                    stats.prompt_seconds = time.perf_counter() - started
                if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                    break
                stats.generated_tokens += 1
                text = utf8.decode(self._piece(token))
                if text:
                    yield lead + text
                    lead = ""
                if stats.generated_tokens >= min(max_tokens, room):
                    break
            # bytes still held by the decoder are a character cut by the token limit: drop them
            # rather than send U+FFFD to a contact
        finally:
            tokens.close()
            llama.cancel = None
            if not stats.generated_tokens:  # stopped inside the prompt (or at once): what got evaluated
                stats.prompt_tokens_evaluated = llama.evaluated
            else:
                stats.decode_seconds = time.perf_counter() - started - stats.prompt_seconds

    def close(self) -> None:
        self._cache.clear()
        self._llama.close()

    # ------------------------------------------------------------------ internals
    def _piece(self, token: int) -> bytes:
        n = llama_cpp.llama_token_to_piece(self._vocab, token, self._piece_buf, len(self._piece_buf), 0, False)
        if n < 0:  # a piece longer than the buffer: grow it once
            self._piece_buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, self._piece_buf, -n, 0, False)
        return self._piece_buf.raw[:n]

    def _switch_to(self, key: str | None, prompt: list[int]) -> bool:
        """Park the context's conversation in the cache and bring back ``key``'s if it shares more of
        the prompt than the context does. Returns whether a saved state was loaded."""
        llama = self._llama
        if key == self._owner:
            return False
        if self._owner is not None and llama.n_tokens:
            self._cache.put(self._owner, self._save())
        self._owner = key
        if key is None:
            return False
        saved = self._cache.peek(key)
        if saved is None or self._reusable(saved.tokens, prompt) <= self._reusable(llama._input_ids, prompt):
            return False
        self._cache.pop(key)
        self._restore(saved)
        return True

    def _reusable(self, cached: Sequence[int] | Any, prompt: list[int]) -> int:
        """Prompt tokens a context holding ``cached`` would not evaluate again."""
        plan = plan_shift(cached, prompt) if self._shift else None
        return plan.usable if plan is not None else common_prefix(cached, prompt)

    def _shift_out_dropped(self, prompt: list[int]) -> int:
        """Cut turns the prompt no longer has out of the context and move the rest down; returns how
        many tokens went. The prefix match in ``Llama.generate`` then finds the moved turns."""
        llama = self._llama
        plan = plan_shift(llama._input_ids, prompt) if self._shift else None
        if plan is None or not apply_shift(llama.ctx, 0, plan, llama.n_tokens):
            return 0
        n, end = llama.n_tokens, plan.keep + plan.drop
        llama.input_ids[plan.keep:n - plan.drop] = llama.input_ids[end:n].copy()
        llama.n_tokens = n - plan.drop
        llama._requires_eval = True  # the last logits belong to the old layout
        return plan.drop

    def _save(self) -> SavedState:
        ctx = self._llama.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        data = bytearray(size)  # llama.cpp writes straight into it: no second copy of the KV bytes
        written = llama_cpp.llama_state_seq_get_data(ctx, (ctypes.c_uint8 * size).from_buffer(data), size, 0)
        del data[written:]
        return SavedState(tokens=self._llama._input_ids.copy(), data=data)

    def _restore(self, saved: SavedState) -> None:
        llama = self._llama
        llama._ctx.kv_cache_seq_rm(0, 0, -1)
        data = (ctypes.c_uint8 * len(saved.data)).from_buffer(saved.data)
        if not llama_cpp.llama_state_seq_set_data(llama.ctx, data, len(saved.data), 0):
            llama.n_tokens = 0  # the context is unusable as a prefix: evaluate everything
            llama._ctx.kv_cache_seq_rm(0, 0, -1)
            logger.warning("restoring a saved model state failed; evaluating the prompt in full")
            return
        n = len(saved.tokens)
        llama.input_ids[:n] = saved.tokens
        llama.n_tokens = n
        llama._requires_eval = True  # no logits were saved: the next decode must produce them
