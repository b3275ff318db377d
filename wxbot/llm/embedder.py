"""Sentence vectors from a GGUF embedding model (bge-small-zh, Qwen3-Embedding) for the knowledge base.

The embedding model runs in a process of its own, on the CPU. Its own process because llama.cpp aborts the
whole process on a fatal error and one ``Llama`` must not be shared between threads (STYLE §8), while the
knowledge base is searched from the reply worker and the window at once. The CPU because a small embedding
model needs no GPU (a question is a few milliseconds; a whole shop's documents a minute, once), which leaves
the VRAM to the chat model and keeps llama.cpp's abort hook usable.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from loguru import logger

from wxbot.errors import ModelError
from wxbot.llm.catalog import find_embedding_file
from wxbot.llm.child import end_child, start_child

BATCH = 16  # texts per request to the child


class Embedder(Protocol):
    """What the knowledge base needs: a name that identifies the vectors, and unit-length vectors."""

    name: str

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """One L2-normalized float32 row per text; ``query`` marks a question (some models prefix it)."""


def _child_entry(conn: Connection, model_path: str, threads: int) -> None:
    """The spawned child's first step. Only the child imports llama.cpp (embed_serve), so the processes that
    merely search the knowledge base (``wxbot kb search``, the window) never load it."""
    from wxbot.llm.embed_serve import serve

    serve(conn, model_path, threads)


class EmbeddingWorker:
    """An Embedder whose model lives in a spawned child process; requests are serialized by a lock, and a
    child that died is started again by the next request."""

    def __init__(self, model_path: str | Path, *, threads: int = 0) -> None:
        self.path = str(model_path)
        self.name = Path(model_path).name
        known = find_embedding_file(self.name)
        self.query_prefix = known.query_prefix if known else ""
        self.threads = threads
        self.dim = 0
        self._mp = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None

    def start(self) -> EmbeddingWorker:
        """Start the process and load the model; raises ModelError (bilingual) if it can't."""
        with self._lock:
            self._ensure()
        return self

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        items = [self.query_prefix + t if query else t for t in texts]
        parts = []
        with self._lock:
            for start in range(0, len(items), BATCH):
                parts.append(self._request(items[start:start + BATCH]))
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def close(self) -> None:
        with self._lock:
            self._stop()

    # ------------------------------------------------------------------ internals
    def _ensure(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._stop()
        conn, child = self._mp.Pipe()
        self._proc = self._mp.Process(target=_child_entry, args=(child, self.path, self.threads),
                                      name="wxbot-embedder", daemon=True)
        start_child(self._proc)
        child.close()
        try:
            reply = conn.recv()
        except (EOFError, OSError):
            reply = ("error", "向量模型进程在加载时退出", "the embedding process exited while loading the model")
        if reply[0] != "ready":
            self._stop()
            raise ModelError(reply[1], reply[2])
        self._conn, self.dim = conn, int(reply[1])
        logger.info("embedding model ready: {} ({} dimensions, CPU)", self.name, self.dim)
        return conn

    def _request(self, texts: list[str]) -> np.ndarray:
        conn = self._ensure()
        try:
            conn.send(("embed", texts))
            reply = conn.recv()
        except (EOFError, OSError):
            code = self._stop()
            raise ModelError(f"向量模型进程意外退出（退出码 {code}）",
                             f"the embedding process stopped unexpectedly (exit code {code})") from None
        if reply[0] != "ok":
            raise ModelError(reply[1], reply[2])
        return reply[1]

    def _stop(self) -> int | None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        return end_child(conn, proc)
