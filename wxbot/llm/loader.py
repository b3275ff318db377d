"""Load one GGUF into llama.cpp with room for several replies at once: the GPU fit, the number of sequences (against
free VRAM or RAM), and the out-of-memory fallbacks (fewer GPU layers, down to the CPU, then fewer sequences)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import llama_cpp
import llama_cpp.llama_cpp as lib
from llama_cpp import Llama
from loguru import logger

from wxbot.errors import ModelError, ModelOutOfMemory
from wxbot.llm import gpufit
from wxbot.llm.api import Engine, LocalPlacement, ModelInfo
from wxbot.llm.gguf_meta import check_model_file
from wxbot.llm.progress import LoadWatch, ProgressSink
from wxbot.llm.ram import free_ram_bytes
from wxbot.llm.tuning import PROMPT_BATCH
from wxbot.llm.vram import GpuInfo
from wxbot.settings import Settings


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


def load_llama(settings: Settings, path: str, *, gpu: GpuInfo | None, on_progress: ProgressSink | None = None,
               max_gpu_layers: int | None = None,
               on_attempt: Callable[[int], None] | None = None) -> tuple[Llama, ModelInfo, str]:
    """The loaded model, what it is, and a note for the owner when it loaded only after an out-of-memory
    failure (with fewer GPU layers or fewer replies at once). Raises ModelError / ModelOutOfMemory."""
    header = check_model_file(path)
    gpu_layers = settings.gpu_layers_value()
    n_seq = settings.parallel_replies or gpufit.auto_sequences(header, settings.context_size, gpu=gpu,
                                                               gpu_layers=gpu_layers, free_ram=free_ram_bytes())
    watch = LoadWatch(on_progress)
    watch.report(0.0)
    threads = settings.threads or None
    failures: list[str] = []
    for sequences in gpufit.fewer_sequences(n_seq):
        plan = gpufit.plan_offload(header, settings.context_size * sequences, gpu=gpu, gpu_layers=gpu_layers)
        attempts = [plan.n_gpu_layers, *gpufit.fallback_layer_counts(plan)] if plan.n_gpu_layers else [0]
        if max_gpu_layers is not None:
            attempts = [n for n in attempts if n <= max_gpu_layers] or [0]
        for n_layers in attempts:
            if on_attempt is not None:
                on_attempt(n_layers)
            try:
                with watch.hooked(), _sequences_in_context(sequences):
                    llama = Llama(model_path=path, n_ctx=settings.context_size * sequences, n_batch=PROMPT_BATCH,
                                  n_ubatch=PROMPT_BATCH, n_gpu_layers=n_layers, n_threads=threads,
                                  n_threads_batch=threads, verbose=False)
            except (ValueError, RuntimeError, MemoryError) as exc:  # MemoryError: llama-cpp-python's own arrays
                reason = watch.reason() or str(exc) or type(exc).__name__
                logger.warning("model load with {} GPU layers, {} sequences failed: {}", n_layers, sequences, reason)
                if not (isinstance(exc, MemoryError) or watch.memory_failure()):
                    raise ModelError(f"模型加载失败：{reason}", f"the model failed to load: {reason}") from None
                failures.append(f"{n_layers} GPU layers × {sequences} replies at once")
                continue
            watch.report(1.0)
            note = (f"out of memory with {', '.join(failures)}; loaded with {n_layers} GPU layers, {sequences} "
                    "replies at once") if failures else ""
            device = plan.device if n_layers else "CPU"
            gpu_bytes = plan.gpu_bytes * n_layers // plan.n_gpu_layers if plan.n_gpu_layers else 0
            name = str(header.metadata.get("general.name") or Path(path).stem)
            placement = LocalPlacement(path=path, n_layers=plan.n_layers, gpu_layers=n_layers,
                                       gpu_bytes=gpu_bytes, device=device)
            info = ModelInfo(name=name, context_size=llama_cpp.llama_n_ctx_seq(llama.ctx), engine=Engine.LOCAL,
                             description=placement.text, local=placement, parallel=sequences,
                             parameters=header.parameters)
            logger.info("model {} loaded: {}, context {} tokens, {} replies at once", name, device,
                        info.context_size, sequences)
            return llama, info, note
    tried = ", ".join(failures)
    raise ModelOutOfMemory(
        f"内存不足，无法加载模型（已尝试 {tried}）。请减小上下文长度或换用更小的模型。",
        f"not enough memory to load the model (tried {tried}); lower the context size or use a smaller model")
