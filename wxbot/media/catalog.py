"""The speech-recognition models the Models page offers: CTranslate2 conversions of OpenAI Whisper (MIT),
each a folder of a few files that faster-whisper loads from disk. Sizes are the files' own (about)."""

from __future__ import annotations

from dataclasses import dataclass

from wxbot.llm.catalog import HF_ENDPOINT, HF_URL


@dataclass(frozen=True)
class SpeechModel:
    key: str
    title: str
    repo: str  # on Hugging Face (a mirror such as hf-mirror.com serves the same paths)
    files: tuple[str, ...]
    size_bytes: int  # all files together, for the page before a download starts
    sha256: None = None  # no hash of our own: a file is checked against its server's, so it reads NOT verified

    @property
    def file(self) -> str:
        """The folder it is installed in (models/speech/<key>), as the Models page names a model's file."""
        return self.key

    def urls(self, hf_endpoint: str = HF_ENDPOINT) -> list[str]:
        return [HF_URL.format(endpoint=hf_endpoint.rstrip("/"), repo=self.repo, file=f) for f in self.files]


_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "model.bin")
SPEECH_CATALOG: tuple[SpeechModel, ...] = (
    SpeechModel("whisper-base", "Whisper base",
                "Systran/faster-whisper-base", _FILES, 145_500_000),
    SpeechModel("whisper-small", "Whisper small",
                "Systran/faster-whisper-small", _FILES, 486_000_000),
    SpeechModel("whisper-medium", "Whisper medium",
                "Systran/faster-whisper-medium", _FILES, 1_530_000_000),
)


def find_speech_model(key: str) -> SpeechModel | None:
    return next((m for m in SPEECH_CATALOG if m.key == key), None)
