"""Hostile sync batches through the real bot: a message that can't be understood is skipped by id, and the
next good message is still answered exactly once; a message from nobody is never answered and never a contact."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Harness
from wxbot.sim import Simulator
from wxbot.sim.world import default_world

FAQ = [{"match": "contains", "pattern": "价格", "answer": "十元一件"}]


def _answers_to(h, who: str) -> list[str]:
    return [m["text"] for m in h.sim.outbox() if m["to_id"] == who]


@pytest.mark.parametrize("overlay", [{"Content": None}, {"MsgType": 37, "RecommendInfo": None},
                                     {"CreateTime": "soon"}, {"FromUserName": 7}],
                         ids=["content_null", "recommendinfo_null", "createtime_text", "sender_a_number"])
def test_after_a_malformed_message_the_next_good_one_is_answered_once(harness, overlay):
    h = harness(with_model=False, faq_rules=FAQ)
    h.start()
    with h.sim.state.cond:  # one webwxsync batch: the bad one between two good ones
        first = h.sim.inject("zhang", "价格多少")
        h.sim.inject_raw("li", overlay)
        second = h.sim.inject("wang", "价格呢")
    later = h.sim.inject("zhang", "价格还一样吗")
    assert h.settle([first, second, later]) == {first: "replied", second: "replied", later: "replied"}
    assert _answers_to(h, "zhang") == ["[AI] 十元一件"] * 2 and _answers_to(h, "wang") == ["[AI] 十元一件"]
    assert _answers_to(h, "li") == []
    assert not [e for e in h.log.events if "lost the connection" in str(e)]


def test_a_lone_surrogate_message_is_answered(harness):
    h = harness(with_model=False, faq_rules=FAQ)
    h.start()
    msg_id = h.sim.inject_raw("zhang", {"Content": "价格多少\ud83d"})
    assert h.settle([msg_id])[msg_id] == "replied"
    assert _answers_to(h, "zhang") == ["[AI] 十元一件"]
    assert "价格多少\ufffd" in [m.text for m in h.svc.history(h.contact_id("张三-老客户"))]


@pytest.mark.parametrize("sender", ["", "nobody"])
def test_a_message_from_nobody_is_never_answered_nor_a_contact(harness, sender):
    h = harness(with_model=False, faq_rules=FAQ, new_contact_mode="auto")
    h.start()
    before = {c.contact_id for c in h.svc.contacts()}
    h.sim.inject_raw("zhang", {"FromUserName": sender, "Content": "价格多少"})
    good = h.sim.inject("wang", "价格呢")
    assert h.settle([good])[good] == "replied"
    assert [m["to_id"] for m in h.sim.outbox()] == ["wang"]
    assert {c.contact_id for c in h.svc.contacts()} == before


def test_a_contact_whose_nickname_holds_a_lone_surrogate_neither_breaks_login_nor_goes_unanswered(data_dir):
    world = default_world()
    world.add_friend("cut", "半个表情\ud83d")  # a nickname cut inside an emoji
    with Simulator(world, hold_seconds=0.5) as sim:
        h = Harness(sim, data_dir, None, faq_rules=FAQ, new_contact_mode="auto")
        try:
            h.start()
            msg_id = sim.inject("cut", "价格多少")
            assert h.settle([msg_id])[msg_id] == "replied"
            assert "半个表情\ufffd" in [c.name for c in h.svc.contacts()]
            assert [m["to_id"] for m in sim.outbox()] == ["cut"]
        finally:
            h.stop()


def test_a_sender_in_no_contact_list_is_answered_only_once_wechat_knows_who_it_is(harness):
    """A UserName in no contact list: WeChat is asked (webwxbatchgetcontact). One it does not know is stored,
    not answered (a send there is refused, Ret 1204); a stranger it knows is answered."""
    h = harness(with_model=False, faq_rules=FAQ, new_contact_mode="auto")
    h.start()
    ghost = h.sim.inject_raw("zhang", {"FromUserName": "@" + "7" * 32, "Content": "价格多少"})
    stranger = h.sim.inject("zhao", "价格多少")  # not a friend (no contact list has them), but WeChat knows them
    friend = h.sim.inject("wang", "价格呢")
    assert h.settle([ghost, stranger, friend]) == {ghost: "skipped", stranger: "replied", friend: "replied"}
    assert h.svc.store.get_message(ghost).reason == "unknown_sender"
    assert sorted(m["to_id"] for m in h.sim.outbox()) == ["wang", "zhao"]
    again = h.sim.inject("zhao", "价格多少？")  # known now: no second question to WeChat needed
    assert h.settle([again]) == {again: "replied"}
