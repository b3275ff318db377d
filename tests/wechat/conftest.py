"""Fixtures for the WeChat channel tests: a running simulator with short holds, fast client timeouts,
and a login driver that plays the owner's phone. The real itchat-uos talks HTTP to 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from wxbot.events import LoginState, QrCode
from wxbot.settings import Settings
from wxbot.sim import Simulator
from wxbot.wechat import SessionFile, Timeouts, WeChatChannel

HOLD = 0.5
FAST = Timeouts(connect=2.0, request=2.0, long_poll=HOLD + 2.5, retry_first=0.1, retry_max=0.5,
                send_give_up=20.0, outage_notice=60.0)


class Recorder:
    """Collects events and messages from the channel's threads; tests wait on it."""

    def __init__(self) -> None:
        self.items: list[object] = []
        self._cond = threading.Condition()

    def __call__(self, item: object) -> None:
        with self._cond:
            self.items.append(item)
            self._cond.notify_all()

    def wait_for(self, pred: Callable[[list[object]], bool], timeout: float = 10.0) -> list[object]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not pred(self.items):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; got {self.items!r}")
                self._cond.wait(left)
            return list(self.items)

    def of(self, kind: type) -> list:
        with self._cond:
            return [i for i in self.items if isinstance(i, kind)]

    def states(self) -> list[str]:
        return [s.state for s in self.of(LoginState)]


@pytest.fixture
def sim():
    with Simulator(hold_seconds=HOLD, hang_seconds=3.0, contact_page_size=4) as s:
        yield s


@pytest.fixture
def make_channel(sim, tmp_path):
    made: list[WeChatChannel] = []

    def make(session: SessionFile | None = None, timeouts: Timeouts = FAST) -> tuple[WeChatChannel, Recorder]:
        events = Recorder()
        channel = WeChatChannel(Settings(wechat_base_url=sim.base_url, data_dir=str(tmp_path)), session, events,
                                timeouts=timeouts)
        made.append(channel)
        return channel, events

    yield make
    for channel in made:
        channel._drop_login(forget_session=False)


def qr_login(channel: WeChatChannel, events: Recorder, sim: Simulator, **kwargs) -> threading.Thread:
    """Runs channel.login in a thread and plays the phone: scan, confirm. Returns the joined thread."""
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(account=channel.login(**kwargs)), daemon=True)
    thread.start()
    events.wait_for(lambda items: any(isinstance(i, QrCode) for i in items))
    sim.scan()
    events.wait_for(lambda items: "scanned" in [getattr(i, "state", "") for i in items])
    sim.confirm()
    thread.join(15)
    assert "account" in result, events.items
    return thread


@pytest.fixture
def logged_in(sim, make_channel):
    """A channel logged in by QR with receiving started; returns (channel, events, messages)."""
    channel, events = make_channel()
    qr_login(channel, events, sim)
    messages = Recorder()
    channel.start_receiving(messages)
    return channel, events, messages
