"""Voice and pictures through the product path: the simulator serves each fixture, the real itchat-uos client
downloads it (webwxgetvoice / webwxgetmsgimg, bounded by the channel), and the app's LocalMediaReader reads it
(the speech process with the Whisper base test model, int8; RapidOCR when the ocr extra is installed).

Prints transcription time ÷ audio length per clip, warm (goal <= 1.0), the speech model's load, and OCR seconds
per picture, warm (goal <= 3 s). Beside each wall time it prints the CPU seconds the work used (the speech
process's, from /proc on Linux; this process's for OCR): on a machine other programs keep busy, CPU time ÷ the
threads used is the floor of what the same work takes on a quiet one.

python -m bench.bench_media [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from tests.assets import whisper_base_dir
from wxbot.events import EventRecorder, QrCode
from wxbot.media.ocr import ocr_installed
from wxbot.media.reader import LocalMediaReader
from wxbot.media.whisper import WhisperWorker
from wxbot.messages import Message
from wxbot.settings import Settings
from wxbot.sim import Simulator
from wxbot.wechat import WeChatChannel

MEDIA = Path(__file__).resolve().parent.parent / "tests" / "media"
CLIPS = {"dress-size-price.mp3": 4.0, "order-shipping.mp3": 2.4, "return-postage.mp3": 1.6}
RTF_GOAL, OCR_GOAL = 1.0, 3.0


def _received(sim: Simulator, data_dir: str, count: int, inject) -> list[Message]:
    """Log a real channel in to the simulator, inject, and return the received messages (bytes not yet fetched)."""
    log = EventRecorder()
    channel = WeChatChannel(Settings(wechat_base_url=sim.base_url, data_dir=data_dir), None, log)
    thread = threading.Thread(target=channel.login, daemon=True)
    thread.start()
    log.wait_for(lambda e: isinstance(e, QrCode), timeout=30)
    sim.scan()
    sim.confirm()
    thread.join(30)
    got: list[Message] = []
    done = threading.Event()

    def on_message(msg: Message) -> bool:
        got.append(msg)
        if len(got) >= count:
            done.set()
        return True

    channel.start_receiving(on_message)
    inject()
    done.wait(60)
    return got


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process (Linux /proc); 0 where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = whisper_base_dir()
    with tempfile.TemporaryDirectory() as data_dir, Simulator(hold_seconds=0.5) as sim:
        settings = Settings(data_dir=data_dir, speech_model=str(folder))
        reader = LocalMediaReader(settings)
        names = list(CLIPS) * args.rounds
        voices = _received(sim, data_dir, len(names), lambda: [
            sim.inject("zhang", kind="voice", media=(MEDIA / "voice" / n).read_bytes()) for n in names])
        print(f"CPU: {os.cpu_count()} cores; speech model: Whisper base (CTranslate2 int8), {folder.name}")
        start = time.perf_counter()
        reader.read(voices[0])  # the first voice message starts the speech process and loads the model
        print(f"first voice message (process start + load + transcription): {time.perf_counter() - start:.2f} s")
        speech = reader.speech
        assert isinstance(speech, WhisperWorker)
        ratios: dict[str, list[float]] = {n: [] for n in CLIPS}
        cpu: dict[str, list[float]] = {n: [] for n in CLIPS}
        for name, msg in zip(names, voices, strict=True):
            start, used = time.perf_counter(), _cpu_seconds(speech.pid)
            heard = reader.read(msg)
            ratios[name].append((time.perf_counter() - start) / CLIPS[name])
            cpu[name].append((_cpu_seconds(speech.pid) - used) / CLIPS[name])
            last = heard
        for name, values in ratios.items():
            print(f"{name:24s} {CLIPS[name]:.1f} s audio: time/audio median {statistics.median(values):.2f} "
                  f"(rounds {', '.join(f'{v:.2f}' for v in values)}); CPU s/audio s {statistics.median(cpu[name]):.2f}")
        overall = statistics.median(v for values in ratios.values() for v in values)
        work = statistics.median(v for values in cpu.values() for v in values)
        print(f"transcription time ÷ audio length, median of all: {overall:.2f} (goal <= {RTF_GOAL}) "
              f"{'OK' if overall <= RTF_GOAL else 'ABOVE GOAL'}; CPU seconds ÷ audio length {work:.2f} on "
              f"{speech.threads} threads (its floor on a quiet machine, both threads busy: {work / speech.threads:.2f}); "
              f"last confidence {last.confidence:.2f}; load average {os.getloadavg()[0]:.1f}")
        reader.close()
    if not ocr_installed():
        print("OCR: the ocr extra (rapidocr) is not installed; skipped")
        return
    with tempfile.TemporaryDirectory() as data_dir, Simulator(hold_seconds=0.5) as sim:
        reader = LocalMediaReader(Settings(data_dir=data_dir))
        picture = (MEDIA / "order-screenshot.png").read_bytes()
        shots = _received(sim, data_dir, args.rounds + 1,
                          lambda: [sim.inject("zhang", kind="image", media=picture) for _ in range(args.rounds + 1)])
        start = time.perf_counter()
        reader.read(shots[0])
        print(f"OCR first picture (loads RapidOCR): {time.perf_counter() - start:.2f} s")
        times, cpu_times = [], []
        for msg in shots[1:]:
            start, used = time.perf_counter(), time.process_time()
            reader.read(msg)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - used)
        warm = statistics.median(times)
        print(f"OCR seconds per picture (640×324 order screenshot), warm median: {warm:.2f} s (goal <= {OCR_GOAL}) "
              f"{'OK' if warm <= OCR_GOAL else 'ABOVE GOAL'}; CPU seconds {statistics.median(cpu_times):.2f}; "
              f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
