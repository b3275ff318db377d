"""The daily summary through the real client and simulator, on an injected clock: nothing before its hour, one
message to File Transfer Helper at it, none again that day (nor after a restart), the next day's the next day;
off by default; never to a customer."""

from __future__ import annotations

import datetime

import pytest

pytestmark = [pytest.mark.timeout(120)]

FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9:00-21:00 营业"}]


def at(day: datetime.date, hour: int, minute: int = 0) -> float:
    return datetime.datetime.combine(day, datetime.time(hour, minute)).timestamp()


def test_summary_goes_to_file_transfer_helper_once_at_its_hour(harness, sim):
    h = harness(with_model=False, daily_summary_hour=23, faq_rules=FAQ)
    svc = h.start()
    assert h.settle([sim.inject("li", "请问今天营业吗？")]) != {}  # answered and stored
    today = datetime.date.today()
    clock = [at(today, 22, 59)]
    svc.summary.clock = lambda: clock[0]
    assert not svc.summary.tick()  # 22:59: not yet
    clock[0] = at(today, 23, 0)
    assert svc.summary.tick()
    summary = sim.wait_sent_to("filehelper", 1)[0]["text"]
    assert summary.splitlines()[:2] == [f"【wxbot 今日小结 {today.month}月{today.day}日】", "已回复客户 1 人，回复 1 条：FAQ 1"]
    assert "没有漏回的消息" in summary and "没有待处理的草稿" in summary
    clock[0] = at(today, 23, 30)
    assert not svc.summary.tick()  # sent today already

    h.stop()  # a restart the same evening sends no second summary
    svc = h.start(scan=False)  # hot reload from the saved session
    svc.summary.clock = lambda: clock[0]
    assert not svc.summary.tick()
    clock[0] = at(today + datetime.timedelta(days=1), 23, 5)
    assert svc.summary.tick()  # the next day's, at its hour
    sim.wait_sent_to("filehelper", 2)
    assert [m["to_id"] for m in sim.outbox()] == ["li", "filehelper", "filehelper"]  # nobody else got one


def test_no_summary_unless_the_owner_asks_for_it(harness, sim):
    svc = harness(with_model=False).start()
    svc.summary.clock = lambda: at(datetime.date.today(), 23, 59)
    assert not svc.summary.tick()
    assert sim.outbox() == []
