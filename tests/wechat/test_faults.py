"""The channel rides out 5xx answers, hangs and malformed bodies on synccheck, webwxsync and
webwxsendmsg: every message arrives exactly once, every send lands once, and no new QR is needed."""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time

import pytest

from tests.wechat.conftest import FAST, qr_login
from wxbot.events import LoginState, Notice, QrCode

ENDPOINTS = ("synccheck", "webwxsync", "webwxsendmsg")
KINDS = ("5xx", "hang", "badjson")


class Traffic:
    """A logged-in channel plus the messages injected and the texts sent while faults run."""

    def __init__(self, sim, make_channel, give_up: float) -> None:
        self.sim = sim
        self.channel, self.events = make_channel(timeouts=dataclasses.replace(FAST, send_give_up=give_up))
        qr_login(self.channel, self.events, sim)
        self.received: list = []
        self.channel.start_receiving(self.received.append)
        self.to = sim.current_user_name("zhang")
        self.injected: list[str] = []
        self.sent: list[str] = []
        self.senders: list[threading.Thread] = []

    def exchange(self, label: str) -> None:
        self.injected.append(self.sim.inject("张三", f"during {label}"))
        text = f"reply {label}"
        self.sent.append(text)
        thread = threading.Thread(target=self.channel.send_text, args=(self.to, text), daemon=True)
        thread.start()
        self.senders.append(thread)

    def check(self) -> None:
        self.sim.clear_faults()
        self.injected.append(self.sim.inject("张三", "after"))
        self.injected.append(self.sim.inject("周末读书会", "after in group", member="zhao", at_bot=True))
        for thread in self.senders:
            thread.join(60)
            assert not thread.is_alive()
        end = time.monotonic() + 30
        while len(self.received) < len(self.injected) and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(1.0)  # a duplicate would arrive in the next sync round
        assert sorted(m.msg_id for m in self.received) == sorted(self.injected)  # all of them, each once
        assert sorted(o["text"] for o in self.sim.outbox()) == sorted(self.sent)  # each send landed once
        assert len(self.events.of(QrCode)) == 1
        assert "logged_out" not in [s.state for s in self.events.of(LoginState)]


def test_each_fault_in_turn(sim, make_channel):
    traffic = Traffic(sim, make_channel, give_up=30.0)
    for endpoint, kind in itertools.product(ENDPOINTS, KINDS):
        sim.fault(endpoint, kind, count=2)
        traffic.exchange(f"{endpoint}-{kind}")
        end = time.monotonic() + 20
        while sim.fault_hits().get((endpoint, kind), 0) < 2 and time.monotonic() < end:
            time.sleep(0.05)
    assert all(sim.fault_hits().get(combo) == 2 for combo in itertools.product(ENDPOINTS, KINDS)), \
        sim.fault_hits()
    traffic.check()
    assert sim.repeated_sends() >= 1  # a send whose answer was lost was retried with the same ClientMsgId


def _faults_together(sim, make_channel, seconds: float) -> None:
    """All three endpoints fail for ``seconds``, the kind of failure rotating."""
    traffic = Traffic(sim, make_channel, give_up=seconds + 30.0)
    steps = list(KINDS) * 2
    step = seconds / len(steps)
    end = time.monotonic() + seconds
    for i, kind in enumerate(steps):
        for endpoint in ENDPOINTS:
            sim.fault(endpoint, kind, duration=step)
        traffic.exchange(f"{i}-{kind}")
        time.sleep(max(0.0, min(step, end - time.monotonic())))
    assert {k for _, k in sim.fault_hits()} == set(KINDS)
    traffic.check()


def test_all_endpoints_failing_together_briefly(sim, make_channel):
    _faults_together(sim, make_channel, 9.0)


@pytest.mark.slow
def test_thirty_seconds_of_faults(sim, make_channel):
    _faults_together(sim, make_channel, 30.0)


def test_outage_notice_and_recovery(sim, make_channel):
    channel, events = make_channel(timeouts=dataclasses.replace(FAST, outage_notice=1.0))
    qr_login(channel, events, sim)
    got = []
    channel.start_receiving(got.append)
    sim.fault("synccheck", "5xx", duration=2.0)
    events.wait_for(lambda items: any(isinstance(i, Notice) and i.level == "warning" for i in items))
    msg_id = sim.inject("张三", "back?")
    events.wait_for(lambda items: any(isinstance(i, Notice) and i.level == "info" for i in items))
    end = time.monotonic() + 10
    while not got and time.monotonic() < end:
        time.sleep(0.05)
    assert [m.msg_id for m in got] == [msg_id]
