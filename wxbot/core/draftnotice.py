"""Phone notices for new drafts, sent to File Transfer Helper: one message per draft, and drafts that arrive
close together wait and go out as one message, so the owner's phone is never flooded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from wxbot.messages import DRAFT_WHY_WORDS, DraftWhy

HOW_TO = "回复 #ok {n} 发送，#no {n} 放弃，#edit {n} 新内容 修改后发送"


@dataclass(frozen=True)
class DraftNote:
    draft_id: int
    name: str  # the contact's name as the owner knows it
    text: str  # the draft as it would be sent (no prefix)
    asked: str = ""  # what the customer's voice messages and pictures said (core/mediatext.owner_note)
    why: DraftWhy = DraftWhy.REVIEW  # why it was held


def _why(note: DraftNote) -> str:
    return "" if note.why is DraftWhy.REVIEW else f"（{DRAFT_WHY_WORDS[note.why]}）"


def notice_text(notes: list[DraftNote]) -> str:
    """草稿 #12 → 张三：「……」 回复 #ok 12 发送，#no 12 放弃，#edit 12 新内容 修改后发送 — or a list of several."""
    if len(notes) == 1:
        n = notes[0]
        return f"{_asked(n)}草稿 #{n.draft_id} → {n.name}{_why(n)}：「{n.text}」 {HOW_TO.format(n=n.draft_id)}"
    lines = [f"{len(notes)} 条新草稿 new drafts:"]
    lines += [f"{_asked(n)}#{n.draft_id} → {n.name}{_why(n)}：「{n.text}」 #ok {n.draft_id} / #no {n.draft_id}"
              for n in notes]
    lines.append(HOW_TO.format(n="编号"))
    return "\n".join(lines)


def _asked(note: DraftNote) -> str:
    return f"{note.name}：{note.asked}\n" if note.asked else ""


class NoticeBatcher:
    """The first notice goes at once; notes arriving within ``window()`` seconds of the last notice wait for
    the window to end and go together. ``still_pending`` drops drafts that were handled meanwhile."""

    def __init__(self, window: Callable[[], float], send: Callable[[str], object],
                 still_pending: Callable[[int], bool], clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.send = send
        self.still_pending = still_pending
        self.clock = clock
        self._notes: list[DraftNote] = []
        self._last = float("-inf")
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def add(self, note: DraftNote) -> None:
        with self._lock:
            self._notes.append(note)
            if self._timer is not None:
                return  # the waiting notice will carry it
            wait = self._last + self.window() - self.clock()
            if wait > 0:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()
                return
        self.flush()

    def flush(self) -> None:
        with self._lock:
            notes, self._notes, self._timer = self._notes, [], None
            self._last = self.clock()
        notes = [n for n in notes if self.still_pending(n.draft_id)]
        if notes:
            self.send(notice_text(notes))

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
