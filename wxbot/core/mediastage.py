"""The media stage: voice messages and pictures are read into words (speech recognition, OCR) on a thread
of their own, so neither itchat's receive thread nor the dispatcher waits for a model; what they said is
stored (encrypted, with the message) and comes back to the dispatcher as a text question."""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Callable
from typing import Protocol

from loguru import logger

from wxbot.core.inbox import Inbox
from wxbot.core.mediatext import question_text
from wxbot.errors import WxbotError
from wxbot.events import MessageLogged, Notice, NoticeLevel
from wxbot.messages import Direction, Heard, Message, MsgKind
from wxbot.settings import Settings

NO_SPEECH_MODEL = ("收到语音消息：在“模型”页下载语音识别模型后，wxbot 能在本机听懂语音，像文字一样回答（现按非文字消息处理）",
                   "a voice message arrived: with a speech model from the Models page, wxbot transcribes voice on "
                   "this PC and answers it like text (for now it is handled as a non-text message)")


class MediaReader(Protocol):
    """Reads a voice message or picture into words, on this PC (wxbot/media/reader.py)."""

    def can_read(self, kind: MsgKind) -> bool:
        """A model (or OCR) for this kind is set up."""

    def read(self, msg: Message) -> Heard:
        """Fetch the bytes and read them; raises WxbotError (bilingual) when that fails."""

    def apply_settings(self, settings: Settings) -> None: ...

    def close(self) -> None: ...


Back = Callable[[Message, Heard], None]


class MediaStage:
    """``take(msg, back)`` queues a voice message or picture and returns True, or False when it can't be read
    (no bytes, no model: the caller handles it as before). On the stage's thread the words are stored and
    ``back(message, heard)`` gets the message as text (or unchanged, with empty ``heard.text``, when nothing
    was read)."""

    def __init__(self, reader: MediaReader | None, inbox: Inbox, on_event: Callable[[object], None]) -> None:
        self.reader = reader
        self._inbox, self._emit = inbox, on_event
        self._queue: queue.Queue[tuple[Message, Back] | None] = queue.Queue()
        self._told = False  # the window heard once per run what a speech model would add
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def take(self, msg: Message, back: Back) -> bool:
        reader = self.reader
        if msg.media is None or reader is None:
            return False
        if not reader.can_read(msg.kind):
            if msg.kind is MsgKind.VOICE and not self._told:
                self._told = True
                self._emit(Notice(NoticeLevel.INFO, "{} ({})".format(*NO_SPEECH_MODEL)))
            return False
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wxbot-media", daemon=True)
                self._thread.start()
        self._queue.put((msg, back))
        return True

    def apply_settings(self, settings: Settings) -> None:
        if self.reader is not None:
            self.reader.apply_settings(settings)

    def close(self) -> None:
        self._queue.put(None)
        if self.reader is not None:
            self.reader.close()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            msg, back = item
            back(*self._read(msg))

    def _read(self, msg: Message) -> tuple[Message, Heard]:
        """The message as text with what was heard, or unchanged with nothing heard (it is then handled as
        before)."""
        try:
            return self._words(msg)
        except WxbotError as err:
            logger.warning("reading {} message {} failed: {}", msg.kind.value, msg.msg_id, err.en)
            self._emit(Notice(NoticeLevel.WARNING, str(err)))
        except Exception:  # a bug in one reading (or its store write) must not stop the stage
            logger.exception("reading {} message {} failed", msg.kind.value, msg.msg_id)
        return msg, Heard(msg.kind, "")

    def _words(self, msg: Message) -> tuple[Message, Heard]:
        assert self.reader is not None
        heard = self.reader.read(msg)
        text = question_text(heard) if heard.text.strip() else ""
        if not text:
            logger.info("{} message {}: no words in it", msg.kind.value, msg.msg_id)
            return msg, Heard(msg.kind, "")
        self._inbox.set_text(msg.msg_id, text)  # not a state move: lifecycle.TEXT_WRITES
        self._emit(MessageLogged(msg.contact_id, Direction.IN))
        logger.info("{} message {} read: {} chars, confidence {:.2f}", msg.kind.value, msg.msg_id, len(text),
                    heard.confidence)
        return dataclasses.replace(msg, kind=MsgKind.TEXT, text=text, media=None), heard
