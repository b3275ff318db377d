"""The speech model's process: loads a CTranslate2 Whisper folder with faster-whisper (from disk only, never
a hub download), then answers ("transcribe", audio bytes) requests until the pipe closes. The audio is decoded
in memory and cut at a length limit, so a long or hostile file costs bounded time and memory."""

from __future__ import annotations

import io
import math
from multiprocessing.connection import Connection

import numpy as np

from wxbot.llm.child import ignore_interrupts

try:
    import av
    from faster_whisper import WhisperModel

    SPEECH_ENGINE = True
except ImportError:  # the double-click app is built without it (its size budget): voice needs a pip install
    SPEECH_ENGINE = False

RATE = 16000  # Whisper hears 16 kHz mono
# Whisper's usual prompt for simplified-Chinese punctuation and script (it drifts to traditional without one)
PROMPTS = {"zh": "以下是简体中文普通话的句子。"}


def child_main(conn: Connection, folder: str, threads: int, language: str, max_seconds: int, hotwords: str) -> None:
    ignore_interrupts()
    try:
        model = WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True)
    except Exception as exc:  # a broken or foreign folder: tell the app in words, then end
        conn.send(("error", f"语音识别模型加载失败：{type(exc).__name__}",
                   f"the speech model failed to load: {type(exc).__name__}: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            audio = decode(request[1], max_seconds)
        except (av.FFmpegError, ValueError, IndexError) as exc:
            conn.send(("error", "语音无法解码", f"the voice message could not be decoded ({type(exc).__name__})"))
            continue
        conn.send(("ok", *transcribe(model, audio, language, hotwords)))


def decode(data: bytes, max_seconds: int) -> np.ndarray:
    """16 kHz mono float32 samples of at most ``max_seconds``, decoded from bytes in memory (no file)."""
    limit = max_seconds * RATE
    chunks: list[np.ndarray] = []
    total = 0
    with av.open(io.BytesIO(data), metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.InvalidDataError:  # a damaged frame is skipped, as players do, not the whole message
                continue
            for frame in frames:
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    chunks.append(samples)
                    total += samples.size
            if total >= limit:
                break
    if not chunks:
        raise ValueError("no audio")
    return (np.concatenate(chunks)[:limit].astype(np.float32) / 32768.0)


def transcribe(model: WhisperModel, audio: np.ndarray, language: str, hotwords: str = "") -> tuple[str, float, float]:
    """(text, confidence, seconds): confidence is the average token probability, the segments' own
    ``avg_logprob`` weighted by their length. ``hotwords``: the shop's own words, which the decoder is told to
    expect (Whisper base hears 连衣裙 as 连一圈 without them)."""
    segments, _ = model.transcribe(audio, language=language or None, beam_size=1, vad_filter=False,
                                   condition_on_previous_text=False, initial_prompt=PROMPTS.get(language),
                                   hotwords=hotwords.strip() or None)
    texts, weighted, weight = [], 0.0, 0.0
    for seg in segments:
        texts.append(seg.text.strip())
        span = max(seg.end - seg.start, 0.01)
        weighted += seg.avg_logprob * span
        weight += span
    confidence = math.exp(weighted / weight) if weight else 0.0
    joiner = "" if language in ("zh", "yue", "ja") else " "  # these scripts put no spaces between words
    return joiner.join(t for t in texts if t), confidence, audio.size / RATE
