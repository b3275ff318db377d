"""Telling apart what must go to the owner (a complaint, a refund demanded, an insult, asking for a person) from
an ordinary question about the same things, and another bot's message from a customer's."""

from __future__ import annotations

import pytest

from wxbot.core.contacts import MemoryContactRules
from wxbot.core.handoff import HandoffReason, Handoffs, detect, looks_automated
from wxbot.events import HandoffChanged
from wxbot.messages import ReplyMode
from wxbot.settings import Settings


@pytest.mark.parametrize(("text", "reason"), [
    ("你们卖的什么垃圾东西", HandoffReason.INSULT),
    ("再不处理我就去12315", HandoffReason.COMPLAINT),
    ("东西到了是坏的，太差劲了", HandoffReason.COMPLAINT),
    ("马上给我退款", HandoffReason.REFUND),
    ("把钱退给我", HandoffReason.REFUND),
    ("转人工", HandoffReason.PERSON),
    ("人工！", HandoffReason.PERSON),
    ("叫你们老板出来", HandoffReason.PERSON),
    ("I want to talk to a human", HandoffReason.PERSON),
])
def test_what_needs_the_owner(text, reason):
    assert detect(text) is reason


@pytest.mark.parametrize("text", ["可以退款吗", "退货运费谁出？", "质量问题怎么换", "多少钱", "不用转人工，我自己看看",
                                  "人工智能的书有吗", "有真人照片吗", "[微笑]好的"])
def test_ordinary_questions_are_no_handoff(text):
    assert detect(text) is None


def test_another_bots_messages_and_our_own_lines_are_never_a_handoff():
    own = ("好的，我请店主马上来处理，请稍等～",)
    for text in ("【自动回复】如需人工请回复转人工", "[AI] 转人工", "自动回复：已为您转人工", own[0]):
        assert looks_automated(text, own, "[AI] ")
    assert not looks_automated("[愤怒]转人工", own, "[AI] ")  # an emoticon is no bot's mark


def test_one_handoff_per_contact_until_resolved():
    sent, events = [], []
    hand = Handoffs(Settings(), MemoryContactRules(ReplyMode.AUTO), sent.append, lambda cid: "张三", events.append)
    assert hand.begin("c1", HandoffReason.PERSON, ["转人工"]) and not hand.begin("c1", HandoffReason.INSULT, ["滚"])
    assert len(sent) == 1 and "「转人工」" in sent[0] and [e.waiting for e in events] == [1]
    assert isinstance(events[0], HandoffChanged) and hand.resolve("c1") and not hand.waiting("c1")
    assert not hand.ungrounded("c2", grounded=False) and hand.ungrounded("c2", grounded=False)
    assert not hand.ungrounded("c3", grounded=False) and not hand.ungrounded("c3", grounded=True)
