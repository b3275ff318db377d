"""The speech-recognition port: what the bot needs from an engine (faster-whisper today; the shape leaves room
for sherpa-onnx / SenseVoice), and where the ``speech_model`` setting points."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from wxbot.errors import ConfigError
from wxbot.media.catalog import find_speech_model
from wxbot.settings import Settings

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json")  # a CTranslate2 Whisper folder (vocabulary.* too)


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float  # the engine's own: the average token probability, 0-1
    seconds: float  # the audio's length that was heard (after the cap)


class Transcriber(Protocol):
    def transcribe(self, audio: bytes) -> Transcript:
        """Audio as WeChat delivers it (MP3; WAV and other containers too), decoded in memory."""

    def close(self) -> None: ...


def speech_folders(settings: Settings, key: str) -> list[Path]:
    """Where a catalog speech model may be installed: ``models/speech/<key>`` beside the app or in the data dir
    (the Models page downloads into the data dir's)."""
    return [d / "speech" / key for d in settings.models_dirs]


def installed_speech_model(settings: Settings, key: str) -> Path | None:
    return next((f for f in speech_folders(settings, key) if all((f / n).is_file() for n in WHISPER_FILES)), None)


def speech_model_dir(settings: Settings) -> Path | None:
    """The model folder ``speech_model`` names (a catalog key, or a folder path); None when it is empty.
    Raises ConfigError when it names nothing usable, so the owner learns why voice is not transcribed."""
    name = settings.speech_model.strip()
    if not name:
        return None
    known = find_speech_model(name)
    folder = (installed_speech_model(settings, known.key) or speech_folders(settings, known.key)[-1] if known
              else Path(name).expanduser())
    missing = [f for f in WHISPER_FILES if not (folder / f).is_file()]
    if missing:
        raise ConfigError(f"语音识别模型不可用：{folder} 缺少 {', '.join(missing)}（请在“模型”页下载，或填写模型文件夹）",
                          f"the speech model can't be used: {folder} lacks {', '.join(missing)} (download one on the "
                          f"Models page, or give a CTranslate2 Whisper folder)")
    return folder
