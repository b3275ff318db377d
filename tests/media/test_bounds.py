"""Bounded and offline: a voice message longer than the cap is cut while it is decoded (in memory), a huge
picture is scaled down or refused before it is read, and neither engine opens a network connection."""

from __future__ import annotations

import importlib.util
import io
import socket
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.assets import whisper_base_dir
from tests.media.voicefixture import joined_mp3
from wxbot.errors import ModelError
from wxbot.media.ocr import OcrReader, picture_pixels
from wxbot.media.whisper_child import RATE, decode, transcribe

MEDIA = Path(__file__).resolve().parent
CLIP = (MEDIA / "voice" / "order-shipping.mp3").read_bytes()  # 2.4 s


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test (both engines must work from local files only)."""
    def refuse(*args, **kwargs):
        raise AssertionError("an engine tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_long_voice_message_is_cut_at_the_cap_while_decoding():
    long_voice = joined_mp3(*[CLIP] * 40)  # about 96 s of speech in one MP3
    audio = decode(long_voice, max_seconds=60)
    assert audio.dtype == np.float32 and audio.size == 60 * RATE
    assert decode(CLIP, max_seconds=60).size < 3 * RATE  # a short one is kept whole


def test_undecodable_audio_is_refused():
    with pytest.raises((av.FFmpegError, ValueError)):
        decode(b"not audio at all" * 100, max_seconds=60)


def test_a_damaged_stretch_is_skipped_not_the_whole_message():
    damaged = CLIP[:3000] + bytes(range(256)) * 4 + CLIP[3000:]
    assert 1.5 * RATE < decode(damaged, max_seconds=60).size < 3 * RATE


def test_a_20_megapixel_picture_is_scaled_down_before_reading():
    buf = io.BytesIO()
    Image.new("RGB", (5472, 3648), "white").save(buf, "JPEG")
    pixels = picture_pixels(buf.getvalue(), max_side=1600)
    assert max(pixels.shape[:2]) <= 1600 and pixels.shape[2] == 3


def test_a_decompression_bomb_is_refused_in_words():
    buf = io.BytesIO()
    Image.new("1", (10000, 8000)).save(buf, "PNG")  # 80 MP in a small file
    with pytest.raises(ModelError, match="too large"):
        picture_pixels(buf.getvalue(), max_side=1600)


def test_whisper_transcribes_from_the_local_folder_without_the_network(no_network):
    from faster_whisper import WhisperModel

    model = WhisperModel(str(whisper_base_dir()), device="cpu", compute_type="int8", cpu_threads=1,
                         local_files_only=True)
    text, confidence, seconds = transcribe(model, decode(CLIP, 60), "zh")
    assert "什么时候" in text and 0.0 < confidence <= 1.0 and 2.0 < seconds < 3.0


@pytest.mark.skipif(importlib.util.find_spec("rapidocr") is None, reason="the ocr extra is not installed")
def test_ocr_reads_from_the_models_in_its_wheel_without_the_network(no_network):
    text = OcrReader(max_side=1600).read((MEDIA / "order-screenshot.png").read_bytes())
    assert "20261205-88317" in text and "178.00" in text
