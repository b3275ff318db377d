"""Voice fixtures made from the committed clips: one MP3 (16 kHz mono, like web WeChat's voice messages) of
several clips one after another, encoded in memory."""

from __future__ import annotations

import io

import av


def joined_mp3(*clips: bytes) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as dst:
        stream = dst.add_stream("libmp3lame", rate=16000, layout="mono")
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=16000)
        for clip in clips:
            with av.open(io.BytesIO(clip)) as src:
                for frame in src.decode(audio=0):
                    for resampled in resampler.resample(frame):
                        resampled.pts = None
                        for packet in stream.encode(resampled):
                            dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out.getvalue()
