"""Field-proof behaviour (FIELD-NOTES): durable identity across re-logins, no stale or double replies,
risk signals stop the bot, quick messages merged, takeover cancels, owner text verbatim, service hours."""

from __future__ import annotations

import threading
import time

import pytest

from tests.e2e.test_openai_engine import model_state
from tests.passthrough import PassThrough
from wxbot.errors import AlreadyRunningError
from wxbot.events import LoginState, Notice, QrCode
from wxbot.sim import Simulator
from wxbot.sim.world import World

FAQ_ALL = [{"match": "regex", "pattern": ".", "answer": "收到，稍后回复您"}]


def relogin(h, rename=None):
    """Same people, new UserNames (WeChat ends the web session), then the owner scans a new QR."""
    mark = h.log.mark()
    h.sim.relogin_with_new_usernames(rename)
    h.log.wait_for(lambda e: isinstance(e, LoginState) and e.state == "logged_out", start=mark)
    h.login()
    h.svc.start_bot()  # a risk logout stopped it; the owner starts it again


def test_switches_and_history_survive_a_relogin_with_new_usernames(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL)
    h.start()
    zhang, li = h.contact_id("张三-老客户"), h.contact_id("李四🌸")
    h.svc.set_mode(li, "off")
    first = h.sim.inject("zhang", "第一次来")
    h.settle([first])
    old_user = h.sim.current_user_name("zhang")

    relogin(h)
    assert h.sim.current_user_name("zhang") != old_user
    assert h.contact_id("张三-老客户") == zhang and h.contact_id("李四🌸") == li
    off = h.sim.inject("li", "在吗")
    on = h.sim.inject("zhang", "又来了")
    assert h.settle([off, on]) == {off: "skipped", on: "replied"}
    assert h.svc.store.get_message(off).reason == "auto_reply_off"
    texts = [m.text for m in reversed(h.svc.history(zhang))]
    assert texts[0] == "第一次来" and "又来了" in texts  # one conversation, before and after
    assert [o["to_id"] for o in h.sim.outbox()] == ["zhang", "zhang"]


def test_renamed_friend_fails_safe_until_the_owner_merges(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL)
    h.start()
    wang = h.contact_id("王五")
    assert next(c for c in h.svc.contacts() if c.contact_id == wang).mode == "auto"
    relogin(h, rename={"wang": "王五改名了"})
    renamed = next(c for c in h.svc.contacts() if c.name == "王五改名了")
    assert renamed.flag == "maybe_renamed" and renamed.mode == "off"  # never on by a guess
    msg = h.sim.inject("wang", "我改名了")
    assert h.settle([msg])[msg] == "skipped"
    assert h.sim.outbox() == []
    h.svc.confirm_contact(renamed.contact_id, merge_into=wang)  # the owner: "this is 王五"
    merged = next(c for c in h.svc.contacts() if c.contact_id == wang)
    assert merged.flag == "" and merged.mode == "auto"
    assert [m.text for m in h.svc.history(wang)] == ["我改名了"]
    again = h.sim.inject("wang", "现在呢")
    assert h.settle([again])[again] == "replied"


@pytest.fixture
def twins_sim():
    world = World()
    world.add_friend("w1", "小王", sex=1)
    world.add_friend("w2", "小王", sex=2)  # same nickname, told apart by the profile
    world.add_friend("t1", "阿明", sex=1)
    world.add_friend("t2", "阿明", sex=1)  # same nickname, nothing to tell them apart
    s = Simulator(world, hold_seconds=0.5, hang_seconds=2.0).start()
    yield s
    s.stop()


def test_same_nickname_friends_fail_safe(twins_sim, data_dir, test_model_path):
    from tests.e2e.conftest import Harness

    h = Harness(twins_sim, data_dir, None, faq_rules=FAQ_ALL)
    try:
        h.start()
        before = {c.contact_id: c for c in h.svc.contacts() if c.name in ("小王", "阿明")}
        assert all(c.flag == "" and c.mode == "auto" for c in before.values())  # first login: nothing guessed
        relogin(h)
        after = [c for c in h.svc.contacts() if c.name in ("小王", "阿明")]
        xiaowang = [c for c in after if c.name == "小王"]
        assert {c.contact_id for c in xiaowang} <= set(before)  # told apart by sex: the same two ids
        aming_new = [c for c in after if c.name == "阿明" and c.contact_id not in before]
        assert len(aming_new) == 2 and all(c.flag == "ambiguous" and c.mode == "off" for c in aming_new)
        msg = h.sim.inject("t1", "我是哪个阿明？")
        assert h.settle([msg])[msg] == "skipped"
        assert h.sim.outbox() == []
    finally:
        h.stop()


def test_backlog_message_is_stored_not_answered(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL, stale_message_seconds=120)
    h.start()
    old = h.sim.inject("zhang", "昨晚的消息", create_time=int(time.time()) - 3600)
    fresh = h.sim.inject("li", "现在的消息")
    assert h.settle([old, fresh]) == {old: "skipped", fresh: "replied"}
    stored = h.svc.store.get_message(old)
    assert stored.reason == "stale" and stored.text == "昨晚的消息"
    assert [o["to_id"] for o in h.sim.outbox()] == ["li"]


def test_second_instance_refuses_and_first_keeps_running(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL)
    h.start()
    second = harness(with_model=False)
    with pytest.raises(AlreadyRunningError, match="already running"):
        second.start()
    msg = h.sim.inject("zhang", "还在吗")
    assert h.settle([msg])[msg] == "replied"


def test_kick_1101_stops_auto_reply_and_never_logs_in_again(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL)
    h.start()
    mark = h.log.mark()
    h.sim.kick(1101)
    notice = h.log.wait_for(lambda e: isinstance(e, Notice) and "1101" in e.text, start=mark)
    assert "自动回复已停止" in notice.text
    assert not h.svc.bot_running
    time.sleep(3)  # the window in which a careless bot would log back in
    later = h.log.events[mark:]
    assert not [e for e in later if isinstance(e, QrCode) or (isinstance(e, LoginState) and e.state == "logged_in")]
    assert not h.sim.logged_in()
    h.svc.start_bot()  # even a Start click does nothing without a login
    assert not h.svc.bot_running


def test_risk_warning_from_weixin_team_stops_the_bot(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL)
    h.start()
    mark = h.log.mark()
    h.sim.inject("weixin", "你的账号存在异常行为，已被限制部分功能")
    h.log.wait_for(lambda e: isinstance(e, Notice) and "security warning" in e.text, start=mark)
    assert not h.svc.bot_running
    msg = h.sim.inject("zhang", "在吗")
    assert h.settle([msg])[msg] == "skipped"
    assert h.sim.outbox() == []


def test_three_quick_messages_get_one_reply(harness):
    h = harness(aggregate_seconds=1.5)
    h.start()
    ids = [h.sim.inject("zhang", t) for t in ("你好", "我想问一下", "明天几点开门？")]
    assert set(h.settle(ids).values()) == {"replied"}
    assert len(h.wait_outbox(1)) == 1
    time.sleep(0.5)
    assert len(h.sim.outbox()) == 1
    reply = next(m for m in h.svc.history(h.contact_id("张三-老客户")) if m.by_bot)
    assert reply.text


class Streaming(PassThrough):
    """The real model, passed through; ``streaming`` is set once a generation has produced text."""

    def __init__(self, model) -> None:
        super().__init__(model)
        self.streaming = threading.Event()

    def stream_chat(self, messages, **kwargs):
        for piece in self.model.stream_chat(messages, **kwargs):
            self.streaming.set()
            yield piece


def test_owner_message_during_generation_cancels_the_reply(harness):
    h = harness(max_reply_tokens=4000, context_size=8192, temperature=1.0)
    h.start()
    model_state(h, "ready")
    model = Streaming(h.svc.engine.model)
    h.svc.engine.set_model(model)
    msg = h.sim.inject("zhang", "Please write a very long story about a dragon, at least two thousand words.")
    assert model.streaming.wait(120)  # generating now
    h.sim.inject_from_owner("zhang", "我来回答你")
    assert h.settle([msg], timeout=30)[msg] == "skipped"
    assert h.svc.store.get_message(msg).reason == "takeover"
    time.sleep(0.5)
    assert h.sim.outbox() == []


def test_faq_answer_reaches_the_customer_exactly_as_written(harness):
    # the owner's words are not Markdown to clean: stars, hashes and brackets go out as typed
    answer = "规格 10*20cm，两件*2 优惠，单价 3*5=15 元\n**包邮** # 详情 [官网](https://shop.example.com/a_b)"
    h = harness(with_model=False, faq_rules=[{"match": "contains", "pattern": "价格", "answer": answer}])
    h.start()
    h.sim.inject("zhang", "价格多少？")
    assert h.wait_outbox(1)[0]["text"] == "[AI] " + answer


def _hours_excluding_now() -> str:
    now = time.localtime()
    start = (now.tm_hour + 2) % 24
    return f"{start:02d}:00-{(start + 1) % 24:02d}:00"


def test_outside_service_hours_only_the_away_message(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL, service_hours=_hours_excluding_now(),
                away_message="现在是休息时间，我们上班后回复您")
    h.start()
    ids = [h.sim.inject("zhang", "在吗"), h.sim.inject("zhang", "人呢"), h.sim.inject("li", "你好")]
    h.settle(ids)
    out = h.sim.outbox()
    assert sorted(o["to_id"] for o in out) == ["li", "zhang"]  # one away message per contact
    assert all(o["text"] == "[AI] 现在是休息时间，我们上班后回复您" for o in out)


def test_outside_service_hours_without_away_message_sends_nothing(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL, service_hours=_hours_excluding_now())
    h.start()
    msg = h.sim.inject("zhang", "在吗")
    assert h.settle([msg])[msg] == "skipped"
    assert h.svc.store.get_message(msg).reason == "outside_hours"
    assert h.sim.outbox() == []



def test_two_bots_talking_are_stopped_by_the_loop_guard(harness):
    h = harness(with_model=False, faq_rules=FAQ_ALL, loop_guard_exchanges=3, loop_guard_window_seconds=300)
    h.start()
    mark = h.log.mark()
    states = []
    for i in range(5):  # another bot answers every reply at once
        msg = h.sim.inject("zhang", f"自动回复 {i}：您好，请问有什么可以帮您？")
        states.append(h.settle([msg])[msg])
    assert states == ["replied", "replied", "replied", "skipped", "skipped"]
    assert len(h.sim.outbox()) == 3
    h.log.wait_for(lambda e: isinstance(e, Notice) and "rapid exchanges" in e.text, start=mark)
    view = next(c for c in h.svc.contacts() if c.name == "张三-老客户")
    assert view.paused_until > time.time()  # paused like a takeover until the owner looks
