"""The speech model's process: started by the first voice message, ended when idle (memory back) and started
again by the next one; a folder that is no model, or a setting that names none, is refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.assets import whisper_base_dir
from wxbot.errors import ConfigError, ModelError
from wxbot.media.speech import speech_model_dir
from wxbot.media.whisper import WhisperWorker
from wxbot.settings import Settings

CLIP = (Path(__file__).resolve().parent / "voice" / "return-postage.mp3").read_bytes()


def test_the_process_starts_on_use_is_released_when_idle_and_starts_again():
    worker = WhisperWorker(whisper_base_dir(), language="zh", max_seconds=60, idle_seconds=0.2, threads=1)
    try:
        assert not worker.loaded  # nothing runs before the first voice message
        first = worker.transcribe(CLIP)
        assert "退货" in first.text and 1.5 < first.seconds < 1.7 and 0 < first.confidence <= 1
        idle = worker._idle
        assert idle is not None
        idle.join(30)  # the idle timer has run
        assert not worker.loaded
        assert worker.transcribe(CLIP).text == first.text  # a fresh process, the same words
    finally:
        worker.close()
    assert not worker.loaded


def test_a_folder_that_is_no_model_is_refused_in_words(tmp_path):
    worker = WhisperWorker(tmp_path, language="zh", max_seconds=60, idle_seconds=60, threads=1)
    with pytest.raises(ModelError, match="failed to load"):
        worker.transcribe(CLIP)
    assert not worker.loaded


def test_undecodable_audio_is_an_error_in_words_and_the_process_serves_on():
    worker = WhisperWorker(whisper_base_dir(), language="zh", max_seconds=60, idle_seconds=60, threads=1)
    try:
        with pytest.raises(ModelError, match="could not be decoded"):
            worker.transcribe(b"\x00" * 4096)
        assert "退货" in worker.transcribe(CLIP).text
    finally:
        worker.close()


def test_the_setting_names_a_catalog_key_or_a_folder(tmp_path):
    assert speech_model_dir(Settings(data_dir=str(tmp_path))) is None
    assert speech_model_dir(Settings(data_dir=str(tmp_path), speech_model=str(whisper_base_dir()))) == whisper_base_dir()
    with pytest.raises(ConfigError, match="lacks model.bin"):
        speech_model_dir(Settings(data_dir=str(tmp_path), speech_model="whisper-small"))  # not downloaded
    with pytest.raises(ConfigError, match="lacks"):
        speech_model_dir(Settings(data_dir=str(tmp_path), speech_model=str(tmp_path)))
