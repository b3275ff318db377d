"""WeChatClock: message times in the PC's clock, corrected by WeChat's Date header or its newest CreateTime."""

from __future__ import annotations

from email.utils import formatdate

from wxbot.wechat.clock import WeChatClock


class Answer:
    def __init__(self, date: str | None) -> None:
        self.headers = {"Date": date} if date else {}


def pc_clock(at: float):
    return lambda: at


def test_the_date_header_sets_the_offset_both_ways():
    pc = 1_000_000.0
    fast = WeChatClock(pc_clock(pc))  # this PC is 5 minutes ahead of WeChat
    fast.observe_response(Answer(formatdate(pc - 300, usegmt=True)))
    assert fast.offset() == -300
    assert fast.to_local(pc - 300) == pc  # a message WeChat stamped just now is fresh here
    slow = WeChatClock(pc_clock(pc))
    slow.observe_response(Answer(formatdate(pc + 300, usegmt=True)))
    assert slow.to_local(pc + 300 - 180) == pc - 180  # three minutes old for WeChat: three minutes old here


def test_without_a_date_the_newest_create_time_bounds_wechats_now():
    pc = 1_000_000.0
    clock = WeChatClock(pc_clock(pc))
    clock.observe([pc + 290, pc + 300 - 600])  # the newest is (at most) now for WeChat: the PC is slow
    assert clock.offset() == 290
    assert clock.to_local(pc + 300 - 600) == pc - 590
    assert WeChatClock(pc_clock(pc)).to_local(pc + 50) == pc  # never later than now


def test_unreadable_or_missing_dates_change_nothing():
    clock = WeChatClock(pc_clock(1_000_000.0))
    for answer in (Answer(None), Answer("yesterday-ish"), None):
        clock.observe_response(answer)
    assert clock.offset() == 0.0
