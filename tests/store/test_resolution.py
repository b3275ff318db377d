"""A simulated day of 68 conversations with known outcomes, written into a real encrypted store: the Dashboard's
figures (wxbot/views.py over wxbot/core/resolution.py) count exactly the expected confirmed, assumed and not
resolved conversations, and exactly the customers waiting for the owner."""

from __future__ import annotations

import itertools
import time

from wxbot.core.firstchar import FirstCharTimes
from wxbot.core.gaps import GapWhy
from wxbot.core.resolution import courtesy_only, thanks_only
from wxbot.messages import Reply
from wxbot.store.history import NewMessage
from wxbot.views import WindowViews

NOW = time.time()
DAY = NOW - 40 * 3600  # the simulated day began 40 h ago; it is judged now
_ids = itertools.count(1)


class Day:
    def __init__(self, store) -> None:
        self.store = store
        self.clock = DAY

    def contact(self) -> str:
        return self.store.upsert_contact("friend", f"客户{next(_ids)}").id

    def said(self, cid: str, text: str, state: str = "replied", reason: str = "", at: float | None = None) -> str:
        self.clock = at if at is not None else self.clock + 60
        msg_id = f"m{next(_ids)}"
        self.store.insert_messages([NewMessage(cid, "in", text, self.clock, state, msg_id=msg_id, reason=reason)])
        return msg_id

    def answered(self, cid: str, text: str, source: str, by_bot: bool = True) -> None:
        self.clock += 5
        self.store.insert_messages([NewMessage(cid, "out", text, self.clock, "sent", by_bot=by_bot, source=source)])

    def drafted(self, cid: str, question: str) -> None:
        msg_id = self.said(cid, question, state="received")
        assert self.store.draft_add(Reply(cid, ("稍后答复",), "kb_fallback", (msg_id,), "稍后答复"), at=self.clock)


def build(store) -> None:
    day = Day(store)
    for _ in range(12):  # confirmed: the customer thanks after the answer (their thanks is no conversation)
        cid = day.contact()
        day.said(cid, "SJ-0412 多少钱？")
        day.answered(cid, "168 元", "faq")
        day.said(cid, "好的，谢谢！")
        day.answered(cid, "不客气", "model")
    for _ in range(12):  # assumed: answered, and no word for more than 24 h
        cid = day.contact()
        day.said(cid, "周末发货吗")
        day.answered(cid, "周末也发货", "model")
    for _ in range(6):  # asked again: the first is not resolved, the second assumed
        cid = day.contact()
        day.said(cid, "数据线多长")
        day.answered(cid, "1 米", "kb")
        day.said(cid, "那有两米的吗")
        day.answered(cid, "有，25 元", "faq")
    for _ in range(5):  # the fallback text: not resolved
        cid = day.contact()
        day.said(cid, "寄新疆多少运费")
        day.answered(cid, "这个我确认一下再回复您", "kb_fallback")
    for _ in range(5):  # handed to the owner: not resolved, and waiting for them
        cid = day.contact()
        day.said(cid, "质量太差了，我要投诉")
        day.answered(cid, "好的，我请店主马上来处理，请稍等～", "handoff")
        store.set_waiting(cid, day.clock, "complaint")
    for _ in range(5):  # held as a draft (draft mode): not resolved, waiting
        cid = day.contact()
        day.drafted(cid, "能便宜点吗")
    for _ in range(3):  # unsure: a draft and the holding line: not resolved, waiting
        cid = day.contact()
        day.drafted(cid, "开专票吗")
        day.answered(cid, "稍等，我帮您确认一下～", "holding")
    for _ in range(5):  # greetings alone: never a conversation
        cid = day.contact()
        day.said(cid, "你好在吗？")
        day.answered(cid, "您好", "model")
    for _ in range(4):  # missed (outside hours): not counted here, but waiting
        cid = day.contact()
        day.said(cid, "明天几点开门", state="skipped", reason="outside_hours", at=NOW - 3600)
    for _ in range(3):  # answered an hour ago: still open, not counted yet
        cid = day.contact()
        day.said(cid, "有红色的吗", at=NOW - 3600)
        day.answered(cid, "有", "faq")
    for _ in range(2):  # the owner answered by hand: not the bot's resolution
        cid = day.contact()
        day.said(cid, "能定制吗")
        day.answered(cid, "可以的", "", by_bot=False)


def test_a_simulated_day_gives_exactly_the_expected_resolution_and_waiting_counts(store):
    build(store)
    views = WindowViews()
    views.store, views.first_chars = store, FirstCharTimes()
    a = views.activity_at(2, NOW)
    assert (a.confirmed, a.assumed, a.not_resolved) == (12, 12 + 6, 6 + 5 + 5 + 5 + 3 + 2)
    assert a.waiting_for_you == 5 + 5 + 3 + 4


def test_thanks_and_greetings_alone_are_courtesy_but_a_question_is_not():
    assert all(thanks_only(t) for t in ("谢谢", "好的，谢谢！", "收到👍", "OK thanks", "明白了～"))
    assert all(courtesy_only(t) for t in ("你好", "您好，在吗？", "hello"))
    assert not any(courtesy_only(t) for t in ("谢谢，那运费多少", "你好，有货吗", "好的我要两件"))


def test_a_customer_handed_over_while_the_waiting_list_is_read_comes_last(store, monkeypatch):
    """The window reads the waiting order and the contacts one after the other while the bot runs on: a handoff
    between the two reads lists that customer last (the newest), never a KeyError that kills the page."""
    first, second = store.upsert_contact("friend", "老客户"), store.upsert_contact("friend", "新客户")
    store.set_waiting(first.id, NOW - 60, "complaint")
    views = WindowViews()
    views.store, views.first_chars = store, FirstCharTimes()
    read = store.waiting_contacts

    def handoff_meanwhile() -> list[str]:
        order = read()
        store.set_waiting(second.id, NOW, "person")  # the bot hands the second customer over now
        return order

    monkeypatch.setattr(store, "waiting_contacts", handoff_meanwhile)
    assert [c.contact_id for c in views.waiting()] == [first.id, second.id]


def test_a_question_in_the_same_second_as_the_holding_line_is_no_gap(store):
    """WeChat dates a message to the second: a customer's next question, sent right after the holding line,
    can sort before it. Only the held draft makes a gap of its question, not the order of the rows (CI flake)."""
    day = Day(store)
    cid = day.contact()
    day.drafted(cid, "寄新疆 3 公斤多少运费？")  # no passage: a draft, and the holding line goes out
    second = int(day.clock) + 1
    store.insert_messages([NewMessage(cid, "out", "稍等，我帮您确认一下～", second + 0.4, "sent", by_bot=True,
                                      source="holding")])
    day.said(cid, "能开专票吗？税点多少", at=second)  # arrived after the holding line, dated to its second
    store.insert_messages([NewMessage(cid, "out", "好的，我请店主马上来处理，请稍等～", second + 0.9, "sent", by_bot=True,
                                      source="handoff")])
    views = WindowViews()
    views.store, views.first_chars = store, FirstCharTimes()
    assert [(g.question, g.whys) for g in views.gaps()] == [("寄新疆 3 公斤多少运费？", {GapWhy.DRAFTED})]
