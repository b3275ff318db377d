"""Find a usable GPU and its free memory, without making a GPU (or NVML) a hard requirement.

llama-cpp-python exposes no VRAM query, so free memory comes from NVML (``nvidia-ml-py``) or ``nvidia-smi``;
on other GPUs (Metal, AMD) the build can offload but the free memory stays unknown.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from loguru import logger

MIB = 1 << 20
_SMI_QUERY = ["--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"]
_SMI_TIMEOUT_S = 5


@dataclass(frozen=True)
class GpuInfo:
    name: str
    total_bytes: int | None  # None: unknown (not an NVIDIA card, or no driver tools)
    free_bytes: int | None
    backend: str  # "CUDA", or "GPU" when only llama.cpp's build says it can offload


UNKNOWN_GPU = GpuInfo("free memory unknown", None, None, "GPU")


def detect_gpu() -> GpuInfo | None:
    """None when this llama.cpp build can't offload; else the first NVIDIA GPU with its free memory, or
    ``UNKNOWN_GPU`` when no free-memory figure is readable (Metal, AMD, a missing driver tool)."""
    try:
        import llama_cpp

        if not llama_cpp.llama_supports_gpu_offload():
            logger.debug("llama.cpp build has no GPU offload; using the CPU")
            return None
    except Exception as exc:  # a broken llama.cpp install must not stop the app from starting
        logger.debug("llama.cpp GPU check failed: {}", exc)
        return None
    return _query_nvml() or _query_nvidia_smi() or UNKNOWN_GPU


def _query_nvml() -> GpuInfo | None:
    try:
        import pynvml
    except ImportError:
        logger.debug("nvidia-ml-py not installed")
        return None
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError when there is no driver
        logger.debug("NVML unavailable: {}", exc)
        return None
    try:
        handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        name = pynvml.nvmlDeviceGetName(handle)
        memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
        name = name.decode() if isinstance(name, bytes) else str(name)
        return GpuInfo(name=name, total_bytes=int(memory.total), free_bytes=int(memory.free), backend="CUDA")
    except Exception as exc:
        logger.debug("NVML query failed: {}", exc)
        return None
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception as exc:
            logger.debug("NVML shutdown failed: {}", exc)


def _query_nvidia_smi() -> GpuInfo | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        logger.debug("nvidia-smi not found")
        return None
    try:
        done = subprocess.run([exe, *_SMI_QUERY], capture_output=True, text=True, timeout=_SMI_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("nvidia-smi failed: {}", exc)
        return None
    return parse_nvidia_smi(done.stdout)


def parse_nvidia_smi(text: str) -> GpuInfo | None:
    """The first GPU in ``nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits``."""
    for line in text.splitlines():
        parts = [p.strip() for p in line.rsplit(",", 2)]
        if len(parts) != 3:
            continue
        try:
            total, free = int(float(parts[1])), int(float(parts[2]))
        except ValueError:
            logger.debug("unreadable nvidia-smi line: {!r}", line)
            continue
        return GpuInfo(name=parts[0], total_bytes=total * MIB, free_bytes=free * MIB, backend="CUDA")
    return None
