"""What the app's media reader can read follows the settings and what is installed: a speech model that is set
but unusable (missing files, or no speech engine in this build) is explained in words, never a crash."""

from __future__ import annotations

import importlib.util

import pytest

from tests.assets import whisper_base_dir
from wxbot.media import reader as reader_module
from wxbot.media.reader import LocalMediaReader
from wxbot.messages import MsgKind
from wxbot.settings import Settings


def test_nothing_set_reads_no_voice(tmp_path):
    reader = LocalMediaReader(Settings(data_dir=str(tmp_path)))
    assert not reader.can_read(MsgKind.VOICE) and reader.problem == ""


def test_a_model_folder_reads_voice_and_a_changed_setting_takes_effect(tmp_path):
    settings = Settings(data_dir=str(tmp_path), speech_model=str(whisper_base_dir()))
    reader = LocalMediaReader(settings)
    assert reader.can_read(MsgKind.VOICE) and not reader.can_read(MsgKind.VIDEO)
    reader.apply_settings(settings.replace(speech_model=str(tmp_path)))
    assert not reader.can_read(MsgKind.VOICE) and "lacks model.bin" in reader.problem
    reader.close()


def test_a_build_without_the_speech_engine_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(reader_module, "SPEECH_ENGINE", False)
    reader = LocalMediaReader(Settings(data_dir=str(tmp_path), speech_model=str(whisper_base_dir())))
    assert not reader.can_read(MsgKind.VOICE) and "no speech engine" in reader.problem


@pytest.mark.skipif(importlib.util.find_spec("rapidocr") is None, reason="the ocr extra is not installed")
def test_pictures_are_read_only_when_wanted(tmp_path):
    assert LocalMediaReader(Settings(data_dir=str(tmp_path))).can_read(MsgKind.IMAGE)
    assert not LocalMediaReader(Settings(data_dir=str(tmp_path), picture_ocr=False)).can_read(MsgKind.IMAGE)
