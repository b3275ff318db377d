"""Voice messages and pictures: the simulator serves their bytes (webwxgetvoice, webwxgetmsgimg) and the real
itchat fetches them through its own download function, bounded by the channel (a size cap, timeouts, retries)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.wechat.conftest import FAST, Recorder, qr_login
from wxbot.errors import WeChatError
from wxbot.messages import MsgKind

MEDIA = Path(__file__).resolve().parents[1] / "media"
CLIP = (MEDIA / "voice" / "return-postage.mp3").read_bytes()
PICTURE = (MEDIA / "order-screenshot.png").read_bytes()


def _receive(sim, make_channel, timeouts=FAST):
    channel, events = make_channel(timeouts=timeouts)
    qr_login(channel, events, sim)
    messages = Recorder()
    channel.start_receiving(messages)
    return messages


def test_voice_and_picture_bytes_come_through_itchats_download(sim, make_channel):
    messages = _receive(sim, make_channel)
    sim.inject("张三", kind="voice", media=CLIP, voice_ms=1600)
    sim.inject("张三", kind="image", media=PICTURE)
    sim.inject("张三", kind="video")
    voice, picture, video = messages.wait_for(lambda items: len(items) >= 3)[:3]
    assert (voice.kind, picture.kind, video.kind) == (MsgKind.VOICE, MsgKind.IMAGE, MsgKind.VIDEO)
    assert voice.text == picture.text == "" and video.media is None
    assert voice.media() == CLIP
    assert picture.media() == PICTURE


def test_a_download_past_the_size_cap_is_refused_in_words(sim, make_channel):
    messages = _receive(sim, make_channel, dataclasses.replace(FAST, media_bytes=len(CLIP) - 1))
    sim.inject("张三", kind="voice", media=CLIP)
    (voice,) = messages.wait_for(lambda items: len(items) >= 1)
    with pytest.raises(WeChatError, match="too large"):
        voice.media()


def test_a_failing_download_is_retried_then_given_up(sim, make_channel):
    messages = _receive(sim, make_channel)
    sim.inject("张三", kind="voice", media=CLIP)
    (voice,) = messages.wait_for(lambda items: len(items) >= 1)
    sim.fault("webwxgetvoice", "5xx", count=1)
    assert voice.media() == CLIP  # one 503, then the retry gets it
    sim.fault("webwxgetvoice", "5xx", count=FAST.media_tries)
    with pytest.raises(WeChatError, match="failed"):
        voice.media()
    assert sim.fault_hits()[("webwxgetvoice", "5xx")] == 1 + FAST.media_tries
