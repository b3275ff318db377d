"""GPU fit: how many layers auto offloads for real DeepSeek shapes on 4–24 GiB of free VRAM.

The 7B numbers come from the real DeepSeek-R1-Distill-Qwen-7B Q4_K_M header; the other shapes are header-only
GGUFs with the published config values and llama.cpp's Q4_K_M type mix (its 7B twin is checked byte-identical to
the real tensor table). Expected byte counts below are re-derived by hand: Q4_K stores 256 weights in 144 bytes,
Q6_K in 210 bytes, f32 in 4 bytes per weight.
"""

from __future__ import annotations

import shutil

import llama_cpp
import pytest

from tests.assets import deepseek_header_path
from tests.llm.gguf_factory import write_q4_k_m_header
from wxbot.llm import vram
from wxbot.llm.catalog import CATALOG, find_model
from wxbot.llm.gguf_meta import GGUFHeader, read_header
from wxbot.llm.gpufit import (
    CPU_SEQUENCES,
    CUDA_MINIMUM_BYTES,
    PROMPT_BATCH,
    OffloadPlan,
    auto_sequences,
    fallback_layer_counts,
    fewer_sequences,
    graph_bytes,
    kv_bytes_per_block,
    plan_offload,
    ram_bytes,
)
from wxbot.llm.tuning import RAM_SHARE
from wxbot.llm.vram import UNKNOWN_GPU, GpuInfo, detect_gpu, parse_nvidia_smi

MIB, GIB = 1 << 20, 1 << 30


def gpu(free_gib: float) -> GpuInfo:
    return GpuInfo("NVIDIA GeForce RTX 3060", 12 * GIB, int(free_gib * GIB), "CUDA")


def q4_k(n: int) -> int:
    return n * 144 // 256


def q6_k(n: int) -> int:
    return n * 210 // 256


@pytest.fixture(scope="module")
def real_7b() -> GGUFHeader:
    return read_header(deepseek_header_path())


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict[str, GGUFHeader]:
    root = tmp_path_factory.mktemp("shapes")
    return {m.key: read_header(write_q4_k_m_header(root / f"{m.key}.gguf", m.shape)) for m in CATALOG}


def test_factory_7b_twin_matches_the_real_tensor_table(real_7b, shapes):
    twin = shapes["r1-qwen-7b"]
    assert [(t.name, t.shape, t.ggml_type, t.offset) for t in twin.tensors] == \
        [(t.name, t.shape, t.ggml_type, t.offset) for t in real_7b.tensors]


def test_factory_sizes_match_the_published_files(shapes):
    # the published file = tensor data + a 6–8 MB header (the tokenizer vocab), so the tensors alone are a bit less
    for model in CATALOG:
        tensors = shapes[model.key].model_bytes
        assert 0 < model.size_bytes - tensors < 10_000_000, model.key


def test_7b_byte_counts_by_hand(real_7b):
    e, kv_dim, ff = 3584, 4 * 128, 18944
    base = 2 * 4 * e + 2 * q4_k(e * e) + q4_k(e * kv_dim) + 2 * q4_k(e * ff) + 4 * (e + 2 * kv_dim)
    plain = base + q4_k(e * kv_dim) + q4_k(ff * e)  # attn_v and ffn_down in Q4_K
    more_bits = base + q6_k(e * kv_dim) + q6_k(ff * e)  # ... or in Q6_K (14 of the 28 blocks)
    assert sorted(set(real_7b.layer_bytes())) == [plain, more_bits] == [131_135_488, 149_112_832]
    assert real_7b.output_bytes() == q6_k(e * 152064) + 4 * e == 447_082_496
    # KV: 4096 tokens × (128 + 128) × 4 KV heads × 2 bytes = 8 MiB per block, 224 MiB for 28 blocks
    assert kv_bytes_per_block(real_7b, 4096) == 8 * MIB
    # Ollama's qwen2 graph with b = 256, the batch the model loads with: partial = 4·b·(e+v) + e·v·105/128 (the
    # output matmul dominates); full = max(4·b·(e+v), 4·b·(1 + 2e + ctx + ctx·heads) = 129 MB) = the logits term
    assert PROMPT_BATCH == 256
    partial, full = graph_bytes(real_7b, 4096)
    assert partial == 4 * 256 * (e + 152064) + e * 152064 * 105 // 128 == 606_451_712
    assert full == 4 * 256 * (e + 152064) == 159_383_552


def test_7b_fits_fully_in_8_gib_at_4096(real_7b):
    # 457 MiB + full graph 152 MiB + output 426 MiB + blocks 3,742 MiB + KV 224 MiB = 4.88 GiB,
    # plus one block (150 MiB) of headroom: well under 8 GiB
    plan = plan_offload(real_7b, 4096, gpu=gpu(8), gpu_layers=None)
    assert (plan.n_gpu_layers, plan.n_layers) == (29, 29)
    assert plan.gpu_bytes == CUDA_MINIMUM_BYTES + 159_383_552 + 447_082_496 + 3_923_476_480 + 28 * 8 * MIB
    assert plan.describe() == "29/29 layers on GPU (4.9 GB)"
    assert plan.device == "CUDA: NVIDIA GeForce RTX 3060"


def test_7b_partial_in_4_gib(real_7b):
    # budget 4 GiB − 150 MiB headroom = 3,946 MiB; fixed part 457 + partial graph 578 + output 426 = 1,461 MiB;
    # the last blocks cost 133 or 150 MiB each with their KV: 17 blocks (9 × 150 + 8 × 133 = 2,416 MiB) fit,
    # an 18th (133) does not
    plan = plan_offload(real_7b, 4096, gpu=gpu(4), gpu_layers=None)
    assert plan.n_gpu_layers == 18
    assert plan.gpu_bytes <= 4 * GIB - 157_501_440 < plan.gpu_bytes + 131_135_488 + 8 * MIB


def test_14b_fits_in_12_gib_but_not_8(shapes):
    h14 = shapes["r1-qwen-14b"]
    # all 49: 457 MiB + full graph 174 MiB + output 609 MiB + 48 blocks 7,539 MiB + KV 768 MiB = 9.32 GiB (< 12 − 0.18)
    assert plan_offload(h14, 4096, gpu=gpu(12), gpu_layers=None).n_gpu_layers == 49
    # 8 GiB − 182 MiB headroom = 8,010 MiB; 457 + partial graph 763 + output 609 = 1,829 MiB fixed;
    # 35 blocks at 164–182 MiB each (KV included) take 6,029 MiB; a 36th would overshoot by 12 MiB: 36 layers in all
    plan = plan_offload(h14, 4096, gpu=gpu(8), gpu_layers=None)
    assert (plan.n_gpu_layers, plan.n_layers) == (36, 49)
    # twice the context doubles the KV (16 → 32 MiB per block): 3 blocks fewer
    assert plan_offload(h14, 8192, gpu=gpu(8), gpu_layers=None).n_gpu_layers == 33


def test_32b_needs_a_24_gib_card(shapes):
    h32 = shapes["r1-qwen-32b"]
    # all 65 at 4096: 18.1 GiB of weights on the GPU + 1 GiB KV + graph + reserve = 19.86 GiB
    assert plan_offload(h32, 4096, gpu=gpu(24), gpu_layers=None).n_gpu_layers == 65
    # at 8192 on 16 GiB: 46 of 65 layers (about 70 %), the rest run on the CPU
    assert plan_offload(h32, 8192, gpu=gpu(16), gpu_layers=None).n_gpu_layers == 46


def test_llama_8b_uses_the_llama_graph(shapes):
    h8 = shapes["r1-llama-8b"]
    partial, full = graph_bytes(h8, 8192)
    e, v, b, ctx = 4096, 128256, PROMPT_BATCH, 8192
    assert full == 4 * b * (1 + 4 * e + ctx * 33) == 293_602_304
    assert partial == 4 * b * e + 4 * b * (e + v) + e * v * 105 // 128 == 570_662_912
    assert plan_offload(h8, 4096, gpu=gpu(8), gpu_layers=None).n_gpu_layers == 33
    assert plan_offload(h8, 8192, gpu=gpu(6), gpu_layers=None).n_gpu_layers == 30


def test_small_model_and_tiny_gpu(shapes):
    assert plan_offload(shapes["r1-qwen-1.5b"], 4096, gpu=gpu(4), gpu_layers=None).n_gpu_layers == 29
    # 1 GiB can't hold the reserve, the 763 MiB graph and two blocks: stay on the CPU
    plan = plan_offload(shapes["r1-qwen-14b"], 4096, gpu=gpu(1), gpu_layers=None)
    assert (plan.n_gpu_layers, plan.gpu_bytes, plan.device, plan.describe()) == (0, 0, "CPU", "CPU")
    assert "below" in plan.reason


def test_fixed_gpu_layers_are_respected(real_7b):
    plan = plan_offload(real_7b, 4096, gpu=gpu(1), gpu_layers=10)  # the owner's number wins over the estimate
    assert plan.n_gpu_layers == 10
    # 10 layers = the output layer + the last 9 blocks (4 at 131 MB, 5 at 149 MB: blocks 19–27)
    blocks = real_7b.layer_bytes()[19:]
    assert plan.gpu_bytes == CUDA_MINIMUM_BYTES + 606_451_712 + 447_082_496 + sum(blocks) + 9 * 8 * MIB
    assert plan_offload(real_7b, 4096, gpu=gpu(8), gpu_layers=500).n_gpu_layers == 29
    assert plan_offload(real_7b, 4096, gpu=gpu(8), gpu_layers=0).describe() == "CPU"


def test_no_gpu_offload_means_cpu(real_7b):
    plan = plan_offload(real_7b, 4096, gpu=None, gpu_layers=None)
    assert plan == OffloadPlan(0, 29, 0, "CPU", plan.reason)
    assert plan_offload(real_7b, 4096, gpu=None, gpu_layers=20).n_gpu_layers == 0


def test_fixed_gpu_layers_are_honoured_when_vram_cannot_be_read(real_7b, monkeypatch):
    # a Metal (macOS) or AMD build: llama.cpp can offload, but neither NVML nor nvidia-smi can say how much is free
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    monkeypatch.setattr(vram, "_query_nvml", lambda: None)
    monkeypatch.setattr(vram, "_query_nvidia_smi", lambda: None)
    card = detect_gpu()
    assert card == UNKNOWN_GPU
    plan = plan_offload(real_7b, 4096, gpu=card, gpu_layers=20)
    assert (plan.n_gpu_layers, plan.device) == (20, "GPU: free memory unknown")
    auto = plan_offload(real_7b, 4096, gpu=card, gpu_layers=None)  # no guess that could overfill the card
    assert (auto.n_gpu_layers, auto.device) == (0, "CPU") and "gpu_layers" in auto.reason


def test_fallback_layer_counts():
    def counts(n: int) -> list[int]:
        return fallback_layer_counts(OffloadPlan(n, 29, 1, "CUDA: x", ""))

    assert counts(29) == [21, 14, 7, 0]
    assert counts(3) == [2, 1, 0]
    assert counts(1) == [0]
    assert counts(0) == []
    for n in range(1, 66):
        got = counts(n)
        assert got[-1] == 0 and all(a > b for a, b in zip([n, *got], got, strict=False))


def test_detect_gpu_is_none_when_llama_cpp_cannot_offload(monkeypatch):
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)
    assert detect_gpu() is None


def test_vram_queries_fail_quietly_without_a_driver(monkeypatch):
    # no NVIDIA driver: NVML refuses to start, and nvidia-smi is missing or fails; both answer None, no exception
    pynvml = pytest.importorskip("pynvml")

    def no_driver() -> None:
        raise pynvml.NVMLError(pynvml.NVML_ERROR_DRIVER_NOT_LOADED)

    monkeypatch.setattr(pynvml, "nvmlInit", no_driver)
    assert vram._query_nvml() is None
    failing = shutil.which("false")  # a program that exits 1, like nvidia-smi without a driver
    monkeypatch.setattr(vram.shutil, "which", lambda name: None)
    assert vram._query_nvidia_smi() is None
    if failing:
        monkeypatch.setattr(vram.shutil, "which", lambda name: failing)
        assert vram._query_nvidia_smi() is None


@pytest.mark.gpu
def test_detect_gpu_reads_the_card():
    card = detect_gpu()
    assert card is not None
    if card.free_bytes is not None:  # an NVIDIA card: the free memory is known and plausible
        assert 0 < card.free_bytes <= card.total_bytes


def test_parse_nvidia_smi():
    info = parse_nvidia_smi("NVIDIA GeForce RTX 3060, 12288, 10955\nNVIDIA T4, 15360, 15000\n")
    assert info == GpuInfo("NVIDIA GeForce RTX 3060", 12288 * MIB, 10955 * MIB, "CUDA")
    assert parse_nvidia_smi("No devices were found\n") is None
    assert parse_nvidia_smi("GPU, [N/A], [N/A]\n") is None


def test_catalog_min_vram_matches_the_fit(shapes):
    # each model's stated minimum card holds every layer at 4096 with 1.3 GiB of it taken by the desktop
    for model in CATALOG:
        plan = plan_offload(shapes[model.key], 4096, gpu=gpu(model.min_vram_gb - 1.3), gpu_layers=None)
        assert plan.n_gpu_layers == plan.n_layers, model.key
    assert find_model("nope") is None


def test_auto_sequences_fill_the_card_but_keep_the_model_whole(real_7b, shapes):
    """parallel_replies = auto: on a GPU as many sequences (8, 4, 2) as fit next to the whole model; the
    KV cache of every sequence counts."""
    for free in (5.5, 6, 7, 9, 11):
        n = auto_sequences(real_7b, 4096, gpu=gpu(free), gpu_layers=None)
        whole = plan_offload(real_7b, 4096 * n, gpu=gpu(free), gpu_layers=None)
        assert whole.n_gpu_layers == whole.n_layers, free
        if n < 8:  # the next bigger count would push layers off the card
            bigger = plan_offload(real_7b, 4096 * {1: 2, 2: 4, 4: 8}[n], gpu=gpu(free), gpu_layers=None)
            assert bigger.n_gpu_layers < bigger.n_layers, free
    assert auto_sequences(real_7b, 4096, gpu=gpu(11), gpu_layers=None) == 8  # a 12 GB RTX 3060 takes 8 at 4096
    assert auto_sequences(real_7b, 32768, gpu=gpu(11), gpu_layers=None) < 8  # long contexts: fewer of them
    assert auto_sequences(shapes["r1-qwen-32b"], 4096, gpu=gpu(11), gpu_layers=None) == 1  # never whole: 1
    assert auto_sequences(real_7b, 4096, gpu=None, gpu_layers=None) == CPU_SEQUENCES
    assert auto_sequences(real_7b, 4096, gpu=gpu(11), gpu_layers=0) == CPU_SEQUENCES  # the owner chose the CPU


def test_auto_sequences_on_a_cpu_fit_the_free_ram(real_7b, shapes):
    """N8: on a CPU, auto sizes the sequences from free RAM (weights + every sequence's KV cache + compute buffer in
    RAM_SHARE of it), and falls back to one sequence rather than to an out-of-memory load."""
    qwen14 = shapes["r1-qwen-14b"]
    # the review's case: the 14B (8.4 GiB of weights) at 4096 needs 0.75 GiB of KV per sequence; 16 GiB free take 4 …
    assert auto_sequences(qwen14, 4096, gpu=None, gpu_layers=None, free_ram=16 * GIB) == 4
    # … a 16 GB PC with 12 GiB free holds one context beside the weights, not four (3 GiB of KV)
    assert auto_sequences(qwen14, 4096, gpu=None, gpu_layers=None, free_ram=12 * GIB) == 1
    for n in (4, 2, 1):
        free = int(ram_bytes(qwen14, 4096 * n) / RAM_SHARE) + 1  # just enough for n
        assert auto_sequences(qwen14, 4096, gpu=None, gpu_layers=None, free_ram=free) == n
    assert auto_sequences(qwen14, 4096, gpu=None, gpu_layers=None, free_ram=GIB) == 1  # nothing fits: one
    assert auto_sequences(real_7b, 4096, gpu=gpu(11), gpu_layers=0, free_ram=GIB) == 1  # the owner chose the CPU
    assert ram_bytes(qwen14, 4096 * 4) - ram_bytes(qwen14, 4096) == 3 * kv_bytes_per_block(qwen14, 4096) * 48 + (
        graph_bytes(qwen14, 4096 * 4)[1] - graph_bytes(qwen14, 4096)[1])
    assert fewer_sequences(4) == [4, 2, 1] and fewer_sequences(1) == [1]
