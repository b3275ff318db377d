"""Handoff to the owner end to end: real itchat-uos ⇄ simulator ⇄ BotService ⇄ real SQLite (the real model loaded
where the test must show it is not asked). A complaint gets one holding line and an owner alert, and the contact
waits (drafts only) until the owner writes, #done, or a restart later; two bots never hand each other off in a loop;
an unsure question gets one holding line and a draft that says why."""

from __future__ import annotations

from wxbot.events import DraftsChanged, HandoffChanged
from wxbot.messages import DraftWhy

HOLD = "好的，我请店主马上来处理，请稍等～"
# the closest rule answers (not the first): the hours rule is exact, so it beats the catch-all on its question
FAQ = [{"match": "exact", "pattern": "今天营业吗", "answer": "每天 9 点到 18 点"},
       {"match": "regex", "pattern": ".", "answer": "收到"}]
FAST = dict(draft_notice_seconds=0, faq_rules=FAQ)
COMPLAINT = "你们这破店什么垃圾质量，围巾一洗就掉色，骗子！赶紧给我退钱，不然我投诉你们！"


def to(h, who: str) -> list[str]:
    return [o["text"] for o in h.sim.outbox() if o["to_id"] == who]


def new_draft(h, mark: int) -> DraftsChanged:
    return h.log.wait_for(lambda e: isinstance(e, DraftsChanged) and e.new, start=mark, timeout=60)


def handed_off(h) -> list[HandoffChanged]:
    return [e for e in h.log.events if isinstance(e, HandoffChanged) and e.contact]


def test_a_complaint_gets_one_holding_line_an_owner_alert_and_no_model_call(harness):
    h = harness(**FAST)
    h.start()
    asked = h.sim.inject("zhang", COMPLAINT)
    assert [o["text"] for o in h.sim.wait_sent_to("zhang", 1)] == [HOLD]  # exactly as written, no prefix
    alert = h.sim.wait_sent_to("filehelper", 1)[0]["text"]
    assert "等你处理" in alert and COMPLAINT in alert and "#done 张三-老客户" in alert
    assert h.settle([asked])[asked] == "replied"
    assert h.svc.model.last_stats.generated_tokens == 0  # the model was not asked
    [event] = handed_off(h)
    assert (event.waiting, event.name, event.reason) == (1, "张三-老客户", "insult")
    assert [c.name for c in h.svc.waiting()] == ["张三-老客户"]

    mark = h.log.mark()  # waiting: the next questions become drafts for the owner, nothing is sent
    later = h.sim.inject("zhang", "今天营业吗")
    new_draft(h, mark)
    mark = h.log.mark()
    again = h.sim.inject("zhang", "人呢？转人工！")  # asking again is no second handoff, no second holding line
    new_draft(h, mark)
    [draft] = h.svc.drafts()
    assert draft.asked == ("今天营业吗", "人呢？转人工！") and draft.why is DraftWhy.WAITING
    assert to(h, "zhang") == [HOLD] and len(handed_off(h)) == 1

    mark = h.log.mark()
    h.sim.inject_from_owner("zhang", "您好，我是店主，马上给您处理")  # the owner writes: the handoff is theirs
    h.log.wait_for(lambda e: isinstance(e, HandoffChanged) and e.waiting == 0, start=mark, timeout=30)
    assert h.svc.waiting() == [] and h.settle([later, again]) == {later: "skipped", again: "skipped"}
    assert to(h, "zhang") == [HOLD]


def test_done_from_the_phone_resumes_and_a_restart_keeps_the_waiting_state(harness):
    h = harness(with_model=False, **FAST)
    h.start()
    h.sim.inject("zhang", "转人工")
    assert h.sim.wait_sent_to("zhang", 1)[0]["text"] == HOLD
    h.sim.wait_sent_to("filehelper", 1)
    h.svc.close()

    h = harness(with_model=False, **FAST)
    h.start(login=False)
    assert [c.name for c in h.svc.waiting()] == ["张三-老客户"]
    h.login(scan=False)
    mark = h.log.mark()
    waited = h.sim.inject("zhang", "今天营业吗")
    new_draft(h, mark)
    assert to(h, "zhang") == [HOLD]  # still waiting after the restart: a draft, nothing sent

    h.sim.inject_from_owner("filehelper", "#done 张三-老客户")
    answers = h.sim.wait_sent_to("filehelper", 3)  # the alert, the draft's notice, the answer to #done
    assert "已处理完" in answers[-1]["text"] and h.svc.waiting() == []
    asked = h.sim.inject("zhang", "今天营业吗")
    assert h.settle([asked])[asked] == "replied"
    assert to(h, "zhang") == [HOLD, "[AI] 每天 9 点到 18 点"]
    assert h.svc.store.get_message(waited).state == "drafted"  # the owner's draft still waits for them


def test_two_bots_talking_to_each_other_cause_no_handoff_loop(harness):
    """The other side is a bot too: it answers everything we send with an automatic line (the first asks for
    转人工, later ones are its own holding line, like ours). A bounded number of rounds, driven step by step."""
    h = harness(with_model=False, **FAST)
    h.start()
    other_bot = ["【自动回复】您好，我是智能客服，如需人工请回复：转人工", HOLD, "[AI] 好的，我请老板马上来处理",
                 "自动回复：已为您转人工，请稍候", HOLD]
    sent = 0
    for line in other_bot:
        asked = h.sim.inject("zhang", line)
        assert h.settle([asked])[asked] == "replied"
        sent += 1
        h.sim.wait_sent_to("zhang", sent)
    assert to(h, "zhang") == ["[AI] 收到"] * len(other_bot)  # answered like any message, never handed off
    assert handed_off(h) == [] and h.svc.waiting() == []

    first = h.sim.inject("zhang", "转人工")  # a person on the other side asks once: one handoff, one holding line
    h.sim.wait_sent_to("zhang", sent + 1)
    for line in other_bot:  # the other bot keeps talking (its own holding line too): we stay silent
        mark = h.log.mark()
        h.sim.inject("zhang", line)
        new_draft(h, mark)
    assert h.settle([first])[first] == "replied"
    assert to(h, "zhang") == ["[AI] 收到"] * len(other_bot) + [HOLD] and len(handed_off(h)) == 1
