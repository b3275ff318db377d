"""The bot's MediaReader (core/mediastage.py): fetches a voice message's or picture's bytes through the WeChat
channel's bounded download and reads them with the speech model or OCR set up by the settings. The bytes stay
in memory and are dropped after reading: nothing of them is written to disk."""

from __future__ import annotations

import threading

from loguru import logger

from wxbot.errors import ConfigError
from wxbot.media.ocr import OcrReader, ocr_installed
from wxbot.media.speech import Transcriber, speech_model_dir
from wxbot.media.whisper import WhisperWorker
from wxbot.media.whisper_child import SPEECH_ENGINE
from wxbot.messages import Heard, Message, MsgKind
from wxbot.settings import Settings

NO_ENGINE = ("这个 wxbot 不含语音识别引擎（双击版为控制体积未打包）；从源码安装（pip install wxbot）即可听懂语音",
             "this wxbot has no speech engine (the double-click app leaves it out for size); a source install "
             "(pip install wxbot) transcribes voice")


class LocalMediaReader:
    def __init__(self, settings: Settings) -> None:
        self._lock = threading.Lock()
        self._speech: Transcriber | None = None
        self._ocr: OcrReader | None = None
        self.problem = ""  # why voice can't be transcribed although a speech model is set (shown to the owner)
        self.apply_settings(settings)

    def apply_settings(self, settings: Settings) -> None:
        """A changed speech model or OCR setting takes effect for the next message."""
        with self._lock:
            old, self.settings = getattr(self, "settings", None), settings
            if old is None or _speech_key(old) != _speech_key(settings):
                if self._speech is not None:
                    self._speech.close()
                self._speech, self.problem = _open_speech(settings)
            self._ocr = OcrReader(settings.picture_max_side) if settings.picture_ocr and ocr_installed() else None

    @property
    def speech(self) -> Transcriber | None:
        return self._speech

    def can_read(self, kind: MsgKind) -> bool:
        return (self._speech if kind is MsgKind.VOICE else self._ocr if kind is MsgKind.IMAGE else None) is not None

    def read(self, msg: Message) -> Heard:
        speech, ocr = self._speech, self._ocr
        if msg.media is None:
            return Heard(msg.kind, "")
        data = msg.media()
        if msg.kind is MsgKind.VOICE and speech is not None:
            heard = speech.transcribe(data)
            return Heard(MsgKind.VOICE, heard.text.strip(), heard.confidence)
        if msg.kind is MsgKind.IMAGE and ocr is not None:
            return Heard(MsgKind.IMAGE, ocr.read(data).strip())
        return Heard(msg.kind, "")

    def close(self) -> None:
        with self._lock:
            if self._speech is not None:
                self._speech.close()
                self._speech = None


def _speech_key(settings: Settings) -> tuple:
    return (settings.speech_model, settings.speech_language, settings.speech_max_seconds, settings.speech_idle_seconds,
            settings.speech_hotwords)


def _open_speech(settings: Settings) -> tuple[Transcriber | None, str]:
    try:
        folder = speech_model_dir(settings)
    except ConfigError as err:
        logger.warning("speech model not usable: {}", err.en)
        return None, str(err)
    if folder is None:
        return None, ""
    if not SPEECH_ENGINE:
        return None, "{} ({})".format(*NO_ENGINE)
    return WhisperWorker(folder, language=settings.speech_language, max_seconds=settings.speech_max_seconds,
                         idle_seconds=settings.speech_idle_seconds, hotwords=settings.speech_hotwords), ""
