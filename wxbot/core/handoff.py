"""Handoff to the owner: what a customer says that no bot should answer (a complaint, a refund demanded, an
insult, a request for a person), told apart by general Chinese customer-service language without asking the
model; and the 「等店主 waiting for owner」 state a contact then stays in until the owner has dealt with it.

While a contact waits, nothing is sent to them automatically (drafts are still made for the owner). The state
is kept with the contact in the store, so a restart does not forget who waits. The customer hears one holding
line per handoff, and a message that looks like another bot's (or our own holding line coming back) never
starts one, so two bots cannot hand each other off in a loop.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from loguru import logger

from wxbot.core.contacts import ContactEntry
from wxbot.events import HandoffChanged
from wxbot.messages import StrState
from wxbot.settings import Settings


class HandoffReason(StrState):
    INSULT = "insult"
    COMPLAINT = "complaint"
    REFUND = "refund"
    PERSON = "person"  # asked for a person (转人工, 找老板)
    UNGROUNDED = "ungrounded"  # two factual questions in a row the knowledge base had no passage for


REASON_WORDS = {HandoffReason.INSULT: "骂人 insult", HandoffReason.COMPLAINT: "投诉/不满 complaint",
                HandoffReason.REFUND: "要求退款 refund demanded", HandoffReason.PERSON: "要找人工 asked for a person",
                HandoffReason.UNGROUNDED: "连续两个问题知识库答不了 two questions the knowledge base can't answer"}

# Checked in this order: the first that matches names the handoff. Each entry is general customer-service
# language (what any shop hears), not a list of test sentences.
_PATTERNS: tuple[tuple[HandoffReason, re.Pattern[str]], ...] = (
    (HandoffReason.INSULT, re.compile(
        r"傻[逼比bB×x叉]|(?<![a-z])sb(?![a-z])|煞笔|妈的|他妈|tmd|nmd|去死|滚蛋|给我滚|你滚|废物|脑残|智障|神经病|狗东西|骗子|"
        r"(?:什么|真|太|纯|就是个?)垃圾|垃圾(?:店|东西|质量|商家|客服|玩意)|破店|黑店", re.IGNORECASE)),
    (HandoffReason.COMPLAINT, re.compile(
        r"投诉|举报|12315|消协|消费者协会|工商局|市场监管|曝光你|差评|维权|上当|被骗|坑人|坑我|欺骗|欺诈|"
        r"太差(?:了|劲)|质量(?:太差|差|这么差)|假货|不满意|气死|赔偿|赔钱|搞什么")),
    (HandoffReason.REFUND, re.compile(
        r"退钱|把钱退|钱退给我|(?:我要|要求|给我|赶紧|马上|立刻|立即|必须|快点?|现在就)(?:给我)?(?:退款|退货|退了|退掉)|"
        r"refund (?:me|now)|i want (?:a |my )?refund|money back", re.IGNORECASE)),
    (HandoffReason.PERSON, re.compile(
        r"转人工|人工客服|人工服务|活人|不要(?:跟)?机器人|别用机器人|(?:找|叫|要|换)(?:个|一个|你们的?)?"
        r"(?:人工|老板|店主|掌柜|负责人|经理|主管|真人|客服)|^\s*人工[\s!！。.]*$|"
        r"\b(?:real person|human agent|talk to (?:a )?(?:human|person|manager)|speak to (?:a )?(?:human|person|manager))\b",
        re.IGNORECASE)),
)
_NEGATED = re.compile(r"(?:不用|不需要|无需|没必要|不是要|不想)(?:转|找|叫)?(?:人工|老板|店主|投诉|退款|退货)")
# how other assistants mark what they send automatically
# (a bracket alone is no mark: WeChat writes a customer's emoticons as [微笑], [愤怒])
_AUTOMATED = re.compile(r"^\s*(?:[\[【][^\]】]{0,10}(?:自动|机器人|AI|Bot|助手|客服)[^\]】]{0,10}[\]】]|自动回复|此消息为自动|"
                        r"本消息由|我是(?:智能|自动|AI)?(?:客服)?机器人|(?:auto[- ]?reply|automatic reply))",
                        re.IGNORECASE)


def detect(text: str) -> HandoffReason | None:
    """Why this message needs the owner, or None. A question about a policy (可以退款吗) is not a demand."""
    plain = _NEGATED.sub(" ", text)
    for reason, pattern in _PATTERNS:
        if pattern.search(plain):
            return reason
    return None


def looks_automated(text: str, own_lines: Sequence[str], prefix: str = "") -> bool:
    """Another bot's message (marked as automatic, or with our own reply prefix), or one of our own fixed lines
    coming back: never a handoff."""
    stripped = text.strip()
    return (bool(_AUTOMATED.search(stripped)) or bool(prefix.strip() and stripped.startswith(prefix.strip()))
            or any(line and stripped == line.strip() for line in own_lines))


class WaitingRules(Protocol):
    """Where the waiting state is kept (the store's contacts; RAM in policy tests)."""

    def waiting_since(self, contact_id: str) -> float: ...

    def set_waiting(self, contact_id: str, since: float | None, reason: str = "") -> None: ...

    def waiting_contacts(self) -> list[str]: ...


class Handoffs:
    """``notify(text)`` writes to File Transfer Helper; ``name_of`` gives the contact's name as the owner knows it."""

    def __init__(self, settings: Settings, rules: WaitingRules, notify: Callable[[str], object],
                 name_of: Callable[[str], str], on_event: Callable[[object], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.rules = rules
        self.notify = notify
        self.name_of = name_of
        self.on_event = on_event
        self.clock = clock
        self._ungrounded: dict[str, int] = {}
        self._lock = threading.Lock()

    def own_lines(self) -> tuple[str, ...]:
        s = self.settings
        return s.handoff_line, s.draft_holding_line, s.kb_fallback_text, s.away_message, s.non_text_reply

    def waiting(self, contact_id: str) -> bool:
        return self.rules.waiting_since(contact_id) > 0

    def reason_for(self, text: str) -> HandoffReason | None:
        """The handoff this customer message asks for; None for another bot's or our own line."""
        return None if looks_automated(text, self.own_lines(), self.settings.reply_prefix) else detect(text)

    def begin(self, contact_id: str, reason: HandoffReason, texts: Sequence[str]) -> bool:
        """Hand the contact to the owner (alert on the phone and in the window). False when it already waits:
        one handoff, one holding line."""
        with self._lock:
            if self.waiting(contact_id):
                return False
            self.rules.set_waiting(contact_id, self.clock(), reason)
            self._ungrounded.pop(contact_id, None)
        name = self.name_of(contact_id)
        said = "\n".join(f"「{t}」" for t in texts if t.strip())
        self.notify(f"【等你处理 waiting for you】{name}（{REASON_WORDS[reason]}）：\n{said}\n"
                    f"已回复客户稍候，自动回复已停。处理完请回复 #done {name} (auto-reply resumes after #done)")
        logger.info("contact {} handed to the owner: {}", contact_id, reason)
        self._changed(contact_id, name, reason)
        return True

    def resolve(self, contact_id: str) -> bool:
        """The owner dealt with it (wrote to them, #done, 处理完): automatic replies resume."""
        with self._lock:
            if not self.waiting(contact_id):
                return False
            self.rules.set_waiting(contact_id, None)
            self._ungrounded.pop(contact_id, None)
        logger.info("contact {} no longer waits for the owner", contact_id)
        self._changed()
        return True

    def done_by_name(self, name: str, find: Callable[[str], list[ContactEntry]]) -> str:
        """#done NAME from the phone; the answer says what happened."""
        if not name:
            waiting = [self.name_of(c) for c in self.rules.waiting_contacts()]
            return ("等你处理 waiting: " + "、".join(waiting)) if waiting else "没有等你处理的客户 (nobody is waiting)"
        matches = find(name)
        if len(matches) != 1:
            return f"找不到唯一的联系人「{name}」(no single contact named {name})"
        entry = matches[0]
        if self.resolve(entry.contact_id):
            return f"「{entry.name}」已处理完，自动回复恢复 (done: auto-reply resumes)"
        return f"「{entry.name}」没有在等你处理 (was not waiting)"

    def ungrounded(self, contact_id: str, grounded: bool) -> bool:
        """Count factual questions the knowledge base could not answer, in a row; True at the second one."""
        with self._lock:
            count = 0 if grounded else self._ungrounded.get(contact_id, 0) + 1
            self._ungrounded[contact_id] = count
            return count >= 2

    def _changed(self, contact_id: str = "", name: str = "", reason: str = "") -> None:
        self.on_event(HandoffChanged(len(self.rules.waiting_contacts()), contact_id, name, reason))
