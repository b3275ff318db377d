"""The small interface between the bot and a chat model: the local worker or an OpenAI-compatible server."""

from __future__ import annotations

import threading
from collections.abc import Generator
from dataclasses import dataclass
from typing import Protocol

from wxbot.messages import StrState

ChatMessages = list[dict[str, str]]  # [{"role": "system"|"user"|"assistant", "content": str}]


def placement_text(gpu_layers: int, n_layers: int, gpu_bytes: int) -> str:
    """How the owner sees where a model runs: "CPU" or "29/29 layers on GPU (4.9 GB)"."""
    if not gpu_layers:
        return "CPU"
    return f"{gpu_layers}/{n_layers} layers on GPU ({gpu_bytes / 2**30:.1f} GB)"


class Engine(StrState):
    """Which engine answers (the ``llm_backend`` setting)."""

    LOCAL = "local"  # the GGUF model in a worker process on this PC
    OPENAI = "openai"  # an OpenAI-compatible server


@dataclass(frozen=True)
class LocalPlacement:
    """Where a local model's layers run."""

    path: str
    n_layers: int
    gpu_layers: int  # layers actually offloaded
    gpu_bytes: int  # estimated VRAM used by the offloaded part
    device: str  # "CPU" or e.g. "CUDA: NVIDIA GeForce RTX 3060"

    @property
    def text(self) -> str:
        """"CPU" or "29/29 layers on GPU (4.9 GB), CUDA: NVIDIA GeForce RTX 3060"."""
        text = placement_text(self.gpu_layers, self.n_layers, self.gpu_bytes)
        return f"{text}, {self.device}" if self.gpu_layers else text


@dataclass(frozen=True)
class ModelInfo:
    name: str
    context_size: int
    engine: Engine
    description: str  # what the owner sees: the placement of a local model, "model @ host:port" of a server
    local: LocalPlacement | None = None
    parallel: int = 1  # how many replies it generates at once (the bot runs as many generations side by side)
    parameters: int = 0  # how many weights a local model has (from its GGUF header); 0: not known (a server)


@dataclass(frozen=True)
class LoadProgress:
    fraction: float  # 0.0 … 1.0


class ChatModel(Protocol):
    @property
    def load_note(self) -> str:
        """How loading went, when the owner should hear it (e.g. fewer GPU layers after out-of-memory)."""

    @property
    def info(self) -> ModelInfo: ...

    def count_tokens(self, messages: ChatMessages) -> int:
        """Tokens of the full prompt these messages make with the model's own chat template."""

    def stream_chat(
        self,
        messages: ChatMessages,
        *,
        max_tokens: int,
        temperature: float,
        top_p: float = 1.0,
        repeat_penalty: float = 1.0,
        cancel: threading.Event | None = None,
        cache_key: str | None = None,
        think_budget: int | None = None,
    ) -> Generator[str, None, None]:
        """Yield raw text pieces as they are generated; inline ``<think>`` reasoning included (callers strip it),
        reasoning a server sends in fields of its own never.

        ``top_p`` and ``repeat_penalty`` (over the last 64 tokens) default to off. Closing the generator
        early stops the generation.

        ``cancel`` stops generation between tokens and prompt batches (raises GenerationCancelled).
        ``cache_key`` names the conversation so its evaluated prompt can be reused next turn.
        ``think_budget``: tokens a reasoning model may spend before its first visible character (the
        ``reasoning`` setting): None = no limit, 0 = no thinking (the think block closed before generation),
        N = ``</think>`` forced after N tokens; engines do what they can (docs/llm.md, docs/engines.md).
        """

    def close(self) -> None: ...
