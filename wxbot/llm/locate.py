"""Find the models to load: the chat model (the configured file, else the first chat .gguf in the models
folders) and the knowledge base's embedding model (the configured one, else a catalog one in those folders)."""

from __future__ import annotations

from pathlib import Path

from wxbot.errors import ModelError
from wxbot.llm.catalog import EMBEDDING_CATALOG, find_embedding_file, find_embedding_model
from wxbot.settings import Settings


def gguf_files(settings: Settings) -> list[Path]:
    """Every .gguf in the models folders: chat and embedding models."""
    found: list[Path] = []
    for folder in settings.models_dirs:
        if folder.is_dir():
            found.extend(sorted(p for p in folder.glob("*.gguf") if p.is_file()))
    return found


def find_models(settings: Settings) -> list[Path]:
    """The chat models in the models folders (a catalog embedding model there is not one)."""
    return [p for p in gguf_files(settings) if find_embedding_file(p.name) is None]


def resolve_embedding_path(settings: Settings) -> Path | None:
    """``kb_embedding_model`` (a path, a file in the models folders, or a catalog key); when empty, the
    first catalog embedding model found in the models folders; None when there is none."""
    wanted = settings.kb_embedding_model.strip()
    have = {p.name.lower(): p for p in gguf_files(settings)}
    if not wanted:
        return next((have[m.file.lower()] for m in EMBEDDING_CATALOG if m.file.lower() in have), None)
    path = Path(wanted).expanduser()
    if path.is_file():
        return path
    known = find_embedding_model(wanted)
    name = (known.file if known else path.name).lower()
    if name in have:
        return have[name]
    raise ModelError(f"找不到向量模型：{wanted}（可用 wxbot download bge-small-zh 下载）",
                     f"embedding model not found: {wanted} (wxbot download bge-small-zh fetches one)")


def resolve_model_path(settings: Settings) -> Path:
    if settings.model_path:
        path = Path(settings.model_path).expanduser()
        if not path.is_file():
            raise ModelError(f"找不到模型文件：{path}", f"model file not found: {path}")
        return path
    models = find_models(settings)
    if not models:
        folders = "、".join(str(d) for d in settings.models_dirs)
        raise ModelError(f"还没有模型：请把 DeepSeek 的 .gguf 文件放进 {folders}，或在设置中选择一个模型",
                         "no model yet: put a DeepSeek .gguf file in models/ or choose one in Settings")
    return models[0]
