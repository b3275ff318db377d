"""The daily summary (opt-in, ``daily_summary_hour``): once a day at the owner's hour, one message to File
Transfer Helper, never to anyone else, saying how the day went: customers answered, replies by source,
messages missed and why, drafts waiting, and the top three knowledge gaps. The day it was sent is kept in the store, so a restart sends no second."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from wxbot.core.policy import FILEHELPER
from wxbot.messages import Activity
from wxbot.settings import Settings

SENT_DAY = "daily_summary_sent"  # a personal (sealed) value: the local date of the last summary sent
SOURCE_WORDS = {"faq": "FAQ", "kb": "知识库", "model": "模型", "draft": "草稿", "draft_edited": "店主改写", "kb_fallback": "兜底话术",
                "away": "留言", "non_text": "非文字", "handoff": "转店主", "holding": "稍候话术"}
REASON_WORDS = {"stale": "消息过旧", "outside_hours": "非营业时间", "daily_cap": "每日上限", "loop_guard": "防循环",
                "bot_stopped": "自动回复已停", "failed": "出错", "expired": "过期", "degenerate_loop": "模型输出异常",
                "persona_echo": "模型输出异常", "risk_warning": "风险提示", "empty_reply": "无可回复",
                "unknown_sender": "陌生发送者"}


class SummaryStore(Protocol):
    def activity(self, since: float, until: float) -> Activity: ...
    def get_personal(self, name: str, default: Any = None) -> Any: ...
    def set_personal(self, name: str, value: Any) -> None: ...


def summary_text(a: Activity, day: datetime.date, gaps: Sequence[tuple[str, int]] = ()) -> str:
    by_source = "、".join(f"{SOURCE_WORDS.get(s, s)} {n}" for s, n in sorted(a.replies.items(), key=lambda x: -x[1]))
    lines = [f"【wxbot 今日小结 {day.month}月{day.day}日】",
             f"已回复客户 {a.customers} 人，回复 {a.replied} 条" + (f"：{by_source}" if by_source else "")]
    missed = sum(a.missed.values())
    if missed:
        why = "、".join(f"{REASON_WORDS.get(r, r)} {n}" for r, n in sorted(a.missed.items(), key=lambda x: -x[1]))
        lines.append(f"漏回 {missed} 条：{why}")
    else:
        lines.append("没有漏回的消息")
    if a.takeovers:
        lines.append(f"您亲自回复 {a.takeovers} 条")
    lines.append(f"待处理草稿 {a.drafts_pending} 条" if a.drafts_pending else "没有待处理的草稿")
    if gaps:
        top = "；".join(f"「{question}」{n} 次" for question, n in gaps[:3])
        lines.append(f"答不了最多的问题（知识缺口，请在窗口里回答一次）：{top}")
    return "\n".join(lines)


class DailySummary:
    """``tick()`` is called now and then (the service's timer, or a test with its own clock)."""

    def __init__(self, settings: Settings, store: SummaryStore, send: Callable[[str, str], bool],
                 clock: Callable[[], float] = time.time,
                 gaps: Callable[[], Sequence[tuple[str, int]]] = lambda: ()) -> None:
        self.settings = settings
        self.gaps = gaps  # the top knowledge gaps (question, times asked), most frequent first
        self.store = store
        self.send = send
        self.clock = clock
        self._lock = threading.Lock()  # the timer and a test (or two ticks) never send twice

    def tick(self) -> bool:
        """Send today's summary if its hour has come and it was not sent today; True when it was sent now."""
        hour = self.settings.daily_summary_hour
        if hour < 0:
            return False
        with self._lock:
            now = self.clock()
            local = datetime.datetime.fromtimestamp(now)
            day = local.date()
            if local.hour < hour or self.store.get_personal(SENT_DAY, "") == day.isoformat():
                return False
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            if not self.send(FILEHELPER, summary_text(self.store.activity(midnight, now), day, self.gaps())):
                return False  # not logged in, or the send failed: the next tick tries again
            self.store.set_personal(SENT_DAY, day.isoformat())
            return True
