"""Which engine answers, chosen by the ``llm_backend`` setting: the local GGUF in its worker process, or an
OpenAI-compatible server. The service asks here for a ChatModel and names neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wxbot.errors import EngineError, ModelError
from wxbot.llm.api import ChatModel, Engine
from wxbot.llm.locate import resolve_model_path
from wxbot.llm.progress import ProgressSink
from wxbot.llm.remote import HealthSink, OpenAIModel
from wxbot.llm.sequences import GenerationStats
from wxbot.llm.worker import ModelWorker
from wxbot.settings import Settings

# settings whose change means another engine (or the same one started anew)
ENGINE_FIELDS = ("llm_backend", "model_path", "gpu_layers", "context_size", "threads", "state_cache_mb",
                 "parallel_replies", "context_shift", "openai_base_url", "openai_model", "openai_timeout", "openai_tokenizer")


@dataclass(frozen=True)
class Opened:
    model: ChatModel
    problem: EngineError | None = None  # the server refused or did not answer; replies try it again


def engine_label(settings: Settings, path: str | None = None) -> str:
    """What is about to start, for the owner: the model file, or the server. Raises ModelError without a model."""
    if settings.llm_backend == Engine.OPENAI:
        return settings.openai_base_url
    return (Path(path) if path else resolve_model_path(settings)).name


def open_engine(settings: Settings, *, path: str | None = None, api_key: str = "",
                on_progress: ProgressSink | None = None, on_health: HealthSink | None = None,
                on_crash: Callable[[ModelError], None] | None = None, on_restarted: Callable[[], None] | None = None,
                on_generated: Callable[[GenerationStats], None] | None = None, console_log: bool = True) -> Opened:
    """Start the configured engine. A local model that fails to load raises ModelError; a server that fails
    to answer still gives a model (it may come back), with the problem beside it. ``on_crash`` hears of a local
    model process that died after loading, ``on_restarted`` of its replacement being ready, ``on_generated`` of each
    reply the local model finished (its decode speed)."""
    if settings.llm_backend == Engine.OPENAI:
        model = OpenAIModel(settings, api_key, on_health=on_health)
        try:
            return Opened(model.connect())
        except EngineError as err:
            return Opened(model, err)
    model_path = Path(path) if path else resolve_model_path(settings)
    return Opened(ModelWorker(settings, str(model_path), on_progress=on_progress, on_error=on_crash,
                              on_restarted=on_restarted, on_generated=on_generated, console_log=console_log).start())
