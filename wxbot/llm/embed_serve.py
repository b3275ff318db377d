"""The embedding model's process side: load the GGUF with llama.cpp on the CPU and answer embed requests
over the pipe (embedder.py keeps the app's side, which never imports llama.cpp)."""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from llama_cpp import Llama
from loguru import logger

from wxbot.errors import ModelError
from wxbot.llm.child import ignore_interrupts
from wxbot.llm.gguf_meta import GGUFHeader, check_model_file

MAX_CONTEXT = 2048  # longer passages are cut; Qwen3-Embedding would otherwise reserve a 32k context
# Threads: half the cores, at most 4 (a small model gains little from more, and the chat model needs the rest).
_POOLING = {"none": 0, "mean": 1, "cls": 2, "last": 3}


def _pooling(header: GGUFHeader) -> int:
    """The model's own pooling from its GGUF; mean pooling for a model that names none (a chat model)."""
    value = header.metadata.get(f"{header.architecture}.pooling_type")
    if isinstance(value, int) and value > 0:
        return value
    return _POOLING["mean"]


def serve(conn: Connection, model_path: str, threads: int) -> None:
    ignore_interrupts()
    logger.remove()
    if sys.stderr is not None:
        logger.add(sys.stderr, level="WARNING", backtrace=False, diagnose=False)
    try:
        header = check_model_file(model_path)
        n_ctx = min(header.context_length or 512, MAX_CONTEXT)
        threads = threads or max(1, min(4, (os.cpu_count() or 2) // 2))
        model = Llama(model_path, embedding=True, n_gpu_layers=0, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                      n_threads=threads, n_threads_batch=threads, pooling_type=_pooling(header), verbose=False)
    except ModelError as exc:
        conn.send(("error", exc.zh, exc.en))
        return
    except (ValueError, RuntimeError) as exc:
        conn.send(("error", f"向量模型无法加载：{Path(model_path).name}", f"the embedding model does not load: {exc}"))
        return
    conn.send(("ready", model.n_embd()))
    try:
        while (request := conn.recv())[0] == "embed":
            try:
                vectors = np.asarray(model.embed(request[1], normalize=True, truncate=True), dtype=np.float32)
                conn.send(("ok", vectors))
            except (ValueError, RuntimeError) as exc:
                conn.send(("error", "向量模型计算失败", f"the embedding model failed: {exc}"))
    except (EOFError, BrokenPipeError):
        pass
    model.close()
