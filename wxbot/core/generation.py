"""One model generation with its guards: stopped as soon as it loops or outgrows the reply's WeChat messages,
reasoning stripped, and judged (send it, or hold it back as a loop or a recital of the persona)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from loguru import logger

from wxbot.core.degenerate import Loop, LoopWatch, mostly_loop, recites, trim_loop
from wxbot.llm.api import ChatMessages, ChatModel
from wxbot.llm.reasoning import ReasoningFilter, strip_reasoning, think_budget
from wxbot.messages import ReplyVerdict
from wxbot.settings import Settings


@dataclass(frozen=True)
class Generated:
    visible: str  # what the contact would read (a loop cut back to where it began)
    verdict: ReplyVerdict


def generate(model: ChatModel, prompt: ChatMessages, settings: Settings, *, persona: str,
             cancel: threading.Event | None = None, cache_key: str | None = None) -> Generated:
    """Stream one reply; stop early on a loop or past ``max_reply_parts`` messages of visible text."""
    watch, shown = LoopWatch(), ReasoningFilter()
    room = settings.max_reply_parts * settings.reply_part_chars
    visible_chars = 0
    loop: Loop | None = None
    stream = model.stream_chat(prompt, max_tokens=settings.max_reply_tokens, temperature=settings.temperature,
                               top_p=settings.top_p, repeat_penalty=settings.repeat_penalty, cancel=cancel,
                               cache_key=cache_key,
                               think_budget=think_budget(settings.reasoning, settings.reasoning_budget))
    try:
        for piece in stream:
            if (loop := watch.feed(piece)) is not None:
                break
            visible_chars += len(shown.feed(piece))
            if visible_chars > room:
                break
    finally:
        stream.close()  # stops the model at once when we leave early
    raw = watch.text
    visible = strip_reasoning(raw)  # the model streams any <think> its template opened, so this sees it all
    verdict = ReplyVerdict.SEND
    if loop is not None:
        kept = strip_reasoning(trim_loop(raw, loop))
        if not visible or mostly_loop(strip_reasoning(raw[:loop.start]), visible[len(kept):]):
            verdict = ReplyVerdict.LOOP
        visible = kept
    if verdict is ReplyVerdict.SEND and recites(visible, persona):
        verdict = ReplyVerdict.PERSONA_ECHO
    logger.info("generated raw={} visible={} loop={} verdict={}", len(raw), len(visible), loop is not None, verdict)
    return Generated(visible, verdict)
