"""Find the model to load: the configured file, else the first .gguf in the models folders."""

from __future__ import annotations

from pathlib import Path

from wxbot.errors import ModelError
from wxbot.settings import Settings


def find_models(settings: Settings) -> list[Path]:
    found: list[Path] = []
    for folder in settings.models_dirs:
        if folder.is_dir():
            found.extend(sorted(p for p in folder.glob("*.gguf") if p.is_file()))
    return found


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
