"""The app's side of the speech model's process (like the chat model's worker, simpler): started on the first
voice message, one request at a time, ended when idle so its memory comes back, and killed when a request
runs past its bound (the next voice message starts it afresh)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from loguru import logger

from wxbot.errors import ModelError
from wxbot.llm.child import end_child, start_child
from wxbot.media.speech import Transcript
from wxbot.media.whisper_child import child_main

LOAD_S = 120.0  # the longest a load may take on a busy PC before it counts as failed
# A request may take this many times the audio's length (the cap) on top: CPU speech runs about real time here.
SLOWEST_RTF = 4.0


class WhisperWorker:
    """A Transcriber whose faster-whisper model lives in a spawned child process."""

    def __init__(self, folder: str | Path, *, language: str, max_seconds: int, idle_seconds: float,
                 hotwords: str = "", threads: int = 0) -> None:
        self.folder = str(folder)
        self.language, self.max_seconds, self.idle_seconds = language, max_seconds, idle_seconds
        self.hotwords = hotwords
        # all cores up to 4: a voice message is a few seconds of work, and its answer waits for it
        self.threads = threads or max(1, min(4, os.cpu_count() or 2))
        self._mp = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._idle: threading.Timer | None = None

    @property
    def loaded(self) -> bool:
        return self._proc is not None

    @property
    def pid(self) -> int | None:
        """The speech process's id while it runs (benchmarks read its CPU time)."""
        return self._proc.pid if self._proc is not None else None

    def transcribe(self, audio: bytes) -> Transcript:
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            conn = self._ensure()
            try:
                conn.send(("transcribe", audio))
                reply = self._answer(conn, LOAD_S / 4 + SLOWEST_RTF * self.max_seconds)
            finally:
                self._arm_idle()
        if reply[0] != "ok":
            raise ModelError(reply[1], reply[2])
        return Transcript(reply[1], reply[2], reply[3])

    def close(self) -> None:
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            self._stop()

    # ------------------------------------------------------------------ internals
    def _ensure(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._stop()
        conn, child = self._mp.Pipe()
        self._proc = self._mp.Process(target=child_main, name="wxbot-speech", daemon=True,
                                      args=(child, self.folder, self.threads, self.language, self.max_seconds,
                                            self.hotwords))
        start_child(self._proc)
        child.close()  # so the child's death reads as EOF here
        self._conn = conn
        reply = self._answer(conn, LOAD_S)
        if reply[0] != "ready":
            self._stop()
            raise ModelError(reply[1], reply[2])
        logger.info("speech model ready: {} ({} threads)", Path(self.folder).name, self.threads)
        return conn

    def _answer(self, conn: Connection, timeout: float) -> tuple:
        """The child's next message; a child that died or ran past ``timeout`` is ended (ModelError)."""
        try:
            if conn.poll(timeout):
                return conn.recv()
            why_zh, why_en = "超时", f"no answer within {timeout:.0f} s"
        except (EOFError, OSError):
            why_zh, why_en = "进程意外退出", "the process stopped unexpectedly"
        code = self._stop()
        raise ModelError(f"语音识别失败（{why_zh}），下一条语音会重新启动它",
                         f"speech recognition failed ({why_en}, exit code {code}); the next voice message restarts it")

    def _arm_idle(self) -> None:
        self._idle = threading.Timer(self.idle_seconds, self._release)
        self._idle.daemon = True
        self._idle.start()

    def _release(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a request is running: it arms a new timer when it ends
        try:
            if self._proc is not None:
                logger.info("speech model idle for {:.0f} s: released", self.idle_seconds)
                self._stop()
        finally:
            self._lock.release()

    def _stop(self) -> int | None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        return end_child(conn, proc)
