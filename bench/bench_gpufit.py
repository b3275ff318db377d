"""What ``auto`` puts on the GPU for the recommended DeepSeek GGUFs on common cards, against the naive rule.

Run: ``python -m bench.bench_gpufit``. The 7B rows use the real DeepSeek-R1-Distill-Qwen-7B header; the others
use header-only GGUFs with the catalog shapes and llama.cpp's Q4_K_M type mix. Free VRAM on a card is its
nominal size minus 1.3 GiB (a 3060 on an idle Windows desktop: 10,955 of 12,288 MiB free).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import gguf

from tests.assets import deepseek_header_path, smollm2_path
from tests.llm.gguf_factory import write_q4_k_m_header
from wxbot.llm.catalog import CATALOG
from wxbot.llm.gguf_meta import GGUFHeader, read_header
from wxbot.llm.gpufit import GIB, plan_offload
from wxbot.llm.vram import GpuInfo

CARDS_GB = (8, 12, 16, 24)
CONTEXTS = (4096, 8192)
DESKTOP_BYTES = int(1.3 * GIB)


def card(gb: int) -> GpuInfo:
    return GpuInfo(f"{gb} GB card", gb * GIB, gb * GIB - DESKTOP_BYTES, "CUDA")


def headers(tmp: Path) -> dict[str, GGUFHeader]:
    out = {m.key: read_header(write_q4_k_m_header(tmp / f"{m.key}.gguf", m.shape)) for m in CATALOG}
    out["r1-qwen-7b"] = read_header(deepseek_header_path())
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        models = headers(Path(tmp))
    print(f"{'model':<14}{'ctx':>6}  " + "".join(f"{f'{gb} GB card':<30}" for gb in CARDS_GB))
    auto_layers = naive_layers = naive_oom = naive_cpu_only = cases = 0
    for model in CATALOG:
        header = models[model.key]
        for ctx in CONTEXTS:
            cells = []
            for gb in CARDS_GB:
                gpu = card(gb)
                plan = plan_offload(header, ctx, gpu=gpu, gpu_layers=None)
                full = plan_offload(header, ctx, gpu=gpu, gpu_layers=plan.n_layers)
                naive = plan.n_layers if model.size_bytes <= gpu.free_bytes else 0  # "does the file fit?"
                cases += 1
                auto_layers += plan.n_gpu_layers
                naive_layers += naive
                naive_oom += naive == plan.n_layers and full.gpu_bytes > gpu.free_bytes
                naive_cpu_only += naive == 0 and plan.n_gpu_layers > 0
                cells.append(f"{plan.describe():<30}")
            print(f"{model.key:<14}{ctx:>6}  " + "".join(cells))
    print(f"\nbaseline (naive 'file size <= free VRAM' rule): auto offloads {auto_layers} layers in total vs "
          f"{naive_layers} ({auto_layers / naive_layers:.2f}x); the naive rule would run out of memory in "
          f"{naive_oom} of {cases} cases and leave {naive_cpu_only} cases entirely on the CPU that auto offloads in part")
    path = smollm2_path()
    runs = 3
    t0 = time.perf_counter()
    for _ in range(runs):
        read_header(path)
    t1 = time.perf_counter()
    for _ in range(runs):
        gguf.GGUFReader(path)  # baseline: maps the whole file and builds every tensor view
    t2 = time.perf_counter()
    print(f"header read (SmolLM2, {path.stat().st_size / 1e6:.0f} MB): read_header {(t1 - t0) / runs * 1e3:.0f} ms vs "
          f"gguf.GGUFReader {(t2 - t1) / runs * 1e3:.0f} ms (ratio {(t2 - t1) / (t1 - t0):.1f}x)")


if __name__ == "__main__":
    main()
