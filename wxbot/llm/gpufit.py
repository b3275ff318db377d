"""Decide how many layers go on the GPU, from the GGUF tensor table and the free VRAM (llama-cpp-python can't).

The estimate follows Ollama's classic estimator (``llm/memory.go`` + ``fs/ggml/ggml.go``, until Nov 2025):

* weights: each block's ``blk.N.*`` bytes from the tensor table; the output layer is ``output_norm`` +
  ``output`` (or ``token_embd`` when tied). ``token_embd`` itself always stays in host RAM (llama.cpp).
* KV cache per offloaded block, f16: ``context × (key_length + value_length) × head_count_kv × 2`` bytes.
* compute graph: Ollama's closed forms for qwen2 and llama (batch ``b = min(context, PROMPT_BATCH)``, the batch
  the model loads with), "partial" when
  some layers stay on the CPU, "full" when all are on the GPU; other architectures ``gqa × kv_total / 6``.
* reserve: CUDA's minimum (457 MiB, Ollama's ``MinimumMemory``) plus one block's weights and KV as headroom.

Layers are counted as llama.cpp counts ``n_gpu_layers``: the blocks plus 1 for the output layer; N layers means
the output layer and the last N-1 blocks. Auto picks the largest N whose estimate fits in free VRAM; where the
free VRAM can't be read (Metal, AMD), auto stays on the CPU and a fixed ``gpu_layers`` is used as given.
Where Ollama places the output layer last, we charge it first, because that is where llama.cpp puts it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wxbot.llm.api import placement_text
from wxbot.llm.gguf_meta import GGUFHeader
from wxbot.llm.tuning import CPU_SEQUENCES, GPU_SEQUENCES, PROMPT_BATCH, RAM_SHARE
from wxbot.llm.vram import GpuInfo

MIB = 1 << 20
GIB = 1 << 30
CUDA_MINIMUM_BYTES = 457 * MIB
KV_BYTES_PER_ELEMENT = 2  # f16 cache, llama-cpp-python's default
FALLBACK_FRACTIONS = (0.75, 0.5, 0.25)


@dataclass(frozen=True)
class OffloadPlan:
    n_gpu_layers: int
    n_layers: int  # repeating blocks + 1 for the output layer
    gpu_bytes: int  # estimated VRAM the model will take (weights, KV, compute, CUDA reserve)
    device: str  # "CPU" or "CUDA: <name>"
    reason: str

    def describe(self) -> str:
        return placement_text(self.n_gpu_layers, self.n_layers, self.gpu_bytes)


def kv_bytes_per_block(header: GGUFHeader, context_size: int) -> int:
    """f16 K and V for one block at this context."""
    return context_size * (header.key_length + header.value_length) * header.head_count_kv * KV_BYTES_PER_ELEMENT


def graph_bytes(header: GGUFHeader, context_size: int) -> tuple[int, int]:
    """Ollama's compute-buffer estimate: (partial offload, full offload) bytes."""
    ctx, b = context_size, min(context_size, PROMPT_BATCH)
    e, h, hkv, v = header.embedding_length, header.head_count, header.head_count_kv, header.vocab_size
    arch = header.architecture
    if arch in ("qwen2", "qwen3"):
        full = max(4 * b * (e + v), 4 * b * (1 + 2 * e + ctx + ctx * h))
        partial = max(4 * b * (e + v) + e * v * 105 // 128, 4 * (b * (1 + 2 * e + ctx * (1 + h)) + e * (1 + ctx)))
        return partial, full
    if arch == "llama":
        head_dim = header.key_length
        full = max(4 * b * (1 + 4 * e + ctx * (1 + h)), 4 * b * (e + v))
        partial = 4 * b * e + max(
            4 * b * (1 + e + max(ctx, e)) + e * e * 9 // 16 + 4 * ctx * (b * h + head_dim * hkv),
            4 * b * (e + v) + e * v * 105 // 128)
        return partial, full
    gqa = h // max(hkv, 1)
    partial = gqa * kv_bytes_per_block(header, context_size) * header.block_count // 6
    return partial, partial


class _Estimate:
    """VRAM needed for N offloaded layers of one model at one context."""

    def __init__(self, header: GGUFHeader, context_size: int) -> None:
        kv = kv_bytes_per_block(header, context_size)
        self.blocks = [size + kv for size in header.layer_bytes()]
        self.output = header.output_bytes()
        self.n_layers = len(self.blocks) + 1
        self.partial, self.full = graph_bytes(header, context_size)
        self.headroom = max(self.blocks, default=0)

    def gpu_bytes(self, n: int) -> int:
        if n <= 0:
            return 0
        offloaded = self.blocks[len(self.blocks) - (n - 1):] if n > 1 else []
        graph = self.full if n >= self.n_layers else self.partial
        return CUDA_MINIMUM_BYTES + graph + self.output + sum(offloaded)

    def auto(self, free: int) -> tuple[int, str]:
        floor = CUDA_MINIMUM_BYTES + max(self.partial, self.full) + 2 * self.headroom
        if free < floor:  # Ollama's test: graph, minimum and two layers must fit, or the GPU is not worth it
            return 0, f"auto: {_gib(free)} free VRAM is below the {_gib(floor)} needed to offload anything"
        budget = free - self.headroom
        for n in range(self.n_layers, 0, -1):
            if self.gpu_bytes(n) <= budget:
                what = "all layers fit" if n == self.n_layers else f"{n} of {self.n_layers} layers fit"
                return n, f"auto: {what} in {_gib(free)} free VRAM"
        return 0, f"auto: no layer fits in {_gib(free)} free VRAM"


def _gib(n: int) -> str:
    return f"{n / GIB:.1f} GiB"


def plan_offload(header: GGUFHeader, context_size: int, *, gpu: GpuInfo | None, gpu_layers: int | None) -> OffloadPlan:
    """How many layers to offload: ``gpu_layers`` None = fit to free VRAM, a number = exactly that (clamped).

    ``gpu`` None: this llama.cpp build can't offload. A GPU whose free memory is unknown gets the owner's
    number, and nothing under auto (a guess could fill the card)."""
    n_layers = header.block_count + 1
    if gpu is None:
        return OffloadPlan(0, n_layers, 0, "CPU", "this llama.cpp build has no GPU offload")
    estimate = _Estimate(header, context_size)
    if gpu_layers is not None:
        n, reason = max(0, min(gpu_layers, n_layers)), f"gpu_layers set to {gpu_layers}"
    elif gpu.free_bytes is None:
        n, reason = 0, "auto: the GPU's free memory can't be read (no NVIDIA driver tools); set gpu_layers to offload"
    else:
        n, reason = estimate.auto(gpu.free_bytes)
    device = f"{gpu.backend}: {gpu.name}" if n else "CPU"
    return OffloadPlan(n, n_layers, estimate.gpu_bytes(n), device, reason)


def ram_bytes(header: GGUFHeader, context_size: int) -> int:
    """RAM a model on the CPU takes at this context (all sequences together): weights, KV cache, and the compute
    buffer of a model whole on one device."""
    _, whole = graph_bytes(header, context_size)
    return header.model_bytes + kv_bytes_per_block(header, context_size) * header.block_count + whole


def auto_sequences(header: GGUFHeader, context_size: int, *, gpu: GpuInfo | None, gpu_layers: int | None,
                   free_ram: int | None = None) -> int:
    """Replies decoded together under ``parallel_replies = 0``. On a CPU at most CPU_SEQUENCES, as many as fit
    in RAM_SHARE of ``free_ram`` with the weights (else 1; unknown free RAM: CPU_SEQUENCES); on a GPU the most of
    GPU_SEQUENCES with which the model still fits whole next to that many contexts, else 1 (the memory a context
    would take goes to layers on the GPU instead)."""
    if gpu is None or gpu_layers == 0:
        if free_ram is None:
            return CPU_SEQUENCES
        return next((n for n in fewer_sequences(CPU_SEQUENCES)
                     if ram_bytes(header, context_size * n) <= free_ram * RAM_SHARE), 1)
    for n_seq in GPU_SEQUENCES:
        plan = plan_offload(header, context_size * n_seq, gpu=gpu, gpu_layers=gpu_layers)
        if plan.n_gpu_layers == plan.n_layers:
            return n_seq
    return 1


def fewer_sequences(n_seq: int) -> list[int]:
    """``n_seq`` and the counts to retry with after an out-of-memory load: halved each time, down to 1."""
    counts = [n_seq]
    while counts[-1] > 1:
        counts.append(counts[-1] // 2)
    return counts


def fallback_layer_counts(plan: OffloadPlan) -> list[int]:
    """Layer counts to retry after an out-of-memory load, fewer each time, ending on the CPU (0)."""
    n = plan.n_gpu_layers
    counts = {int(n * f) for f in FALLBACK_FRACTIONS} | {0}
    return sorted((c for c in counts if c < n), reverse=True)
