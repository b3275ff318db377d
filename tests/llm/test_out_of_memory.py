"""A real out-of-memory load (the process's address space is capped) walks the fallback: fewer GPU layers,
then the CPU, then a readable error. The GPU itself can't run here, so only its detection is simulated."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# the child caps its address space from /proc/self/status (RLIMIT_AS): Linux only
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and RLIMIT_AS (Linux)")

CHILD = textwrap.dedent("""
    import json, resource, sys
    from wxbot.errors import ModelOutOfMemory
    from wxbot.llm.local import LocalModel
    from wxbot.llm.vram import GpuInfo
    from wxbot.settings import Settings

    card = GpuInfo("Simulated RTX 3060", 12 << 30, 11 << 30, "CUDA") if sys.argv[2] == "gpu" else None
    with open("/proc/self/status") as fh:
        vm_kb = int(next(line for line in fh if line.startswith("VmSize")).split()[1])
    # room for the weights and Python, not for a 64k-token KV cache
    resource.setrlimit(resource.RLIMIT_AS, ((vm_kb + 700 * 1024) * 1024, resource.RLIM_INFINITY))
    attempts, parallel = [], 0
    settings = Settings(context_size=int(sys.argv[3]), parallel_replies=int(sys.argv[4]), threads=1)
    try:
        model = LocalModel(settings, sys.argv[1], on_attempt=attempts.append, gpu_probe=lambda: card)
        outcome, parallel = "loaded: " + model.load_note, model.info.parallel
    except ModelOutOfMemory as err:
        outcome = str(err)
    print(json.dumps({"attempts": attempts, "outcome": outcome, "parallel": parallel}, ensure_ascii=False))
""")


def run_child(model_path: str, gpu: str, context: int = 65536, parallel: int = 0) -> dict:
    import json

    done = subprocess.run([sys.executable, "-c", CHILD, model_path, gpu, str(context), str(parallel)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_out_of_memory_retries_fewer_gpu_layers_then_cpu_then_says_so(test_model_path):
    result = run_child(test_model_path, "gpu", parallel=2)
    attempts = result["attempts"]
    assert attempts[0] > attempts[-1] == 0  # started with GPU layers, ended on the CPU
    first_pass = attempts[:attempts.index(0) + 1]  # with 2 sequences; then again with 1
    assert first_pass == sorted(first_pass, reverse=True) and len(first_pass) >= 3
    assert attempts[len(first_pass)] == attempts[0] and "× 1 replies at once" in result["outcome"]
    assert "内存不足" in result["outcome"] and "not enough memory" in result["outcome"]


def test_out_of_memory_on_a_cpu_only_build_is_a_readable_error(test_model_path):
    result = run_child(test_model_path, "cpu", parallel=4)
    assert result["attempts"] == [0, 0, 0]  # 4, 2, then 1 sequence
    assert "lower the context size" in result["outcome"]


def test_out_of_memory_on_a_cpu_loads_fewer_sequences_before_giving_up(test_model_path):
    """N8: four 8192-token contexts do not fit beside the weights under the cap; the model loads with fewer
    replies at once instead of failing, and says so."""
    result = run_child(test_model_path, "cpu", context=8192, parallel=4)
    assert 1 <= result["parallel"] < 4
    assert result["outcome"].startswith("loaded: out of memory with 0 GPU layers × 4 replies at once")
