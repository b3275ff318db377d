"""How a voice message's transcript and a picture's text join the conversation: the words the question
carries, the 🎤 mark the owner sees, whether the owner checks the answer first, and the order numbers,
amounts and phone numbers a screenshot holds (shown to the owner, never changed)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from wxbot.messages import Heard, Message, MsgKind
from wxbot.settings import Settings

VOICE_MARK = "🎤"
PICTURE_TEXT = "「图片文字：{}」"
MAX_FACTS = 8  # per kind of fact in one notice: a screenshot of a long list must not flood the owner's phone

# A number after an order / waybill label, or any long run of digits (dashes and single spaces inside): the
# order and tracking numbers of Chinese shops and couriers (20261205-88317, 7731 2045 9981).
_ORDER = re.compile(r"(?<![\d.*])\d(?:[\d-]| (?=\d{4}))*\d(?![\d.*])")
_AMOUNT = re.compile(r"[￥¥]\s*(\d+(?:,\d{3})*(?:\.\d{1,2})?)|(?<![\d.,])(\d+(?:,\d{3})*\.\d{2})(?![\d.])(?:\s*元)?"
                     r"|(?<![\d.,])(\d+)\s*元")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d(?:\d{4}|\*{4})\d{4}(?!\d)")


def question_text(heard: Heard) -> str:
    """What the customer's message says, as the question (and history) carries it."""
    return PICTURE_TEXT.format(heard.text) if heard.kind is MsgKind.IMAGE else heard.text


def needs_owner(heard: Heard, settings: Settings) -> bool:
    """The answer waits for the owner as a draft: a transcript the speech model is unsure of, or (by default)
    a picture's text."""
    if heard.kind is MsgKind.VOICE:
        return heard.confidence < settings.speech_min_confidence
    return settings.picture_drafts


def shown(kind: MsgKind | str, text: str) -> str:
    """A stored message as the owner reads it: a voice message's transcript carries the 🎤 mark."""
    return f"{VOICE_MARK} {text}" if text and MsgKind(kind) is MsgKind.VOICE else text


def picture_facts(text: str) -> list[str]:
    """Order numbers, amounts and phone numbers in a picture's text, exactly as written there."""
    phones = _PHONE.findall(text)
    digits_of_phones = {p.replace("*", "") for p in phones}
    orders = [n for n in _ORDER.findall(text)
              if sum(c.isdigit() for c in n) >= 8 and n.replace(" ", "") not in digits_of_phones]
    amounts = [next(g for g in m.groups() if g) for m in _AMOUNT.finditer(text)]
    facts = [f"单号 {n}" for n in _unique(orders)]
    facts += [f"金额 {a}" for a in _unique(amounts)]
    facts += [f"电话 {p}" for p in _unique(phones)]
    return facts


def owner_note(messages: Sequence[Message]) -> str:
    """The lines a draft notice adds for the customer's voice messages and pictures: the transcript with its
    🎤 mark, and what a picture shows (its numbers first)."""
    lines = []
    for msg in messages:
        if not msg.text:
            continue
        if msg.kind is MsgKind.VOICE:
            lines.append(f"{VOICE_MARK}「{msg.text}」")
        elif msg.kind is MsgKind.IMAGE:
            facts = picture_facts(msg.text)
            lines.append(f"图片 picture：{' · '.join(facts)}" if facts else f"图片 picture：{msg.text}")
    return "\n".join(lines)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))[:MAX_FACTS]
