"""Exactly once without gaps: `wxbot run --headless` is killed (SIGKILL, through the test-only WXBOT_CRASH_AT
hook) at each point between WeChat's sync and the reply, restarted, and every message is answered exactly once,
with no duplicate contact. Also: resumed work obeys inbox_expire_minutes, the owner's backlog starts no takeover,
and a PC clock minutes off WeChat's neither silences the bot nor answers a backlog. All through the real
itchat-uos client against the simulator."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.e2e.conftest import Harness
from tests.test_cli import env_for
from wxbot.crashpoint import ENV as CRASH_ENV
from wxbot.sim import Simulator
from wxbot.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

FAQ = [{"match": "contains", "pattern": f"#{k:02d}?", "answer": f"答复{k:02d}"} for k in range(1, 6)]
QUICK = {"WXBOT_FAQ_RULES": json.dumps(FAQ), "WXBOT_NEW_CONTACT_MODE": "auto",
         "WXBOT_TYPING_DELAY_BASE": "0", "WXBOT_TYPING_DELAY_PER_CHAR": "0", "WXBOT_AGGREGATE_SECONDS": "0",
         "WXBOT_MIN_SECONDS_BETWEEN_REPLIES": "0", "WXBOT_LOOP_GUARD_EXCHANGES": "0"}
ZHANG = "张三-老客户"  # the simulator's "zhang"


class Headless:
    """`wxbot run --headless` as a child process; its output lines are collected on a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "wxbot", "run", "--headless"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_line(self, needle: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"wxbot exited ({self.proc.returncode}): {''.join(self.seen)}"
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no {needle!r} in: {''.join(self.seen)}")

    def killed(self, timeout: float = 60.0) -> bool:
        return self.proc.wait(timeout) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def sim_world():
    s = Simulator(hold_seconds=0.5, hang_seconds=2.0).start()
    yield s
    s.stop()


def first_run_killed_at(sim: Simulator, data_dir, point: str, age: int = 0, **extra: str) -> str:
    """Log in with a QR, ask one question (written ``age`` seconds ago by WeChat's clock), and see the process die
    at ``point``. Returns the question's id. The reply waits 2 s (aggregation), so the receive thread reaches its
    point before the reply is sending."""
    env = {**QUICK, "WXBOT_AGGREGATE_SECONDS": "2", **extra, CRASH_ENV: point}
    bot = Headless(env_for(data_dir, WXBOT_WECHAT_BASE_URL=sim.base_url, **env))
    try:
        bot.wait_line("QR image")
        sim.scan()
        sim.confirm()
        bot.wait_line("running")
        asked = sim.inject("zhang", "请问#01?", create_time=int(sim.state.now()) - age)
        assert bot.killed(), "".join(bot.seen)
    finally:
        bot.stop()
    return asked


def restart_and_ask_again(sim: Simulator, data_dir, **extra: str) -> str:
    """Start again (hot reload, no QR), ask a second question and wait for both answers."""
    bot = Headless(env_for(data_dir, WXBOT_WECHAT_BASE_URL=sim.base_url, **QUICK, **extra))
    try:
        bot.wait_line("running")
        sim.wait_outbox(1, timeout=60)  # the interrupted question first
        later = sim.inject("zhang", "请问#02?")
        sim.wait_outbox(2, timeout=60)
        time.sleep(1.0)  # room for a wrong third reply to show up
    finally:
        bot.stop()
    assert not any("QR image" in line for line in bot.seen)
    return later


def stored(data_dir, msg_ids: list[str]) -> tuple[dict[str, str], int]:
    """(msg_id -> inbox state, how many contacts are named like zhang) from the store on disk."""
    with Store.open(data_dir, passphrase=lambda: "correct horse battery") as store:
        states = {m: store.get_message(m).state for m in msg_ids}
        return states, sum(c.display_name == ZHANG for c in store.list_contacts())


@pytest.mark.parametrize("point", ["wechat.received", "inbox.committed", "wechat.cursor_saved", "reply.claimed"])
def test_killed_at_each_point_every_message_is_answered_exactly_once(sim_world, data_dir, point):
    asked = first_run_killed_at(sim_world, data_dir, point)
    assert sim_world.outbox() == []  # it died before answering
    later = restart_and_ask_again(sim_world, data_dir)
    assert [(o["to_id"], o["text"]) for o in sim_world.outbox()] == [("zhang", "[AI] 答复01"), ("zhang", "[AI] 答复02")]
    states, zhangs = stored(data_dir, [asked, later])
    assert states == {asked: "replied", later: "replied"}
    assert zhangs == 1  # the resumed copy and a re-delivered one are one contact's one message


def test_resumed_work_obeys_inbox_expire_minutes_not_the_stale_limit(sim_world, data_dir):
    # 30 s old when it arrived, answered under a 60 s stale limit and killed while answering; restarted under a 5 s
    # limit (no waiting needed: WeChat's clock ages it), well inside inbox_expire_minutes
    asked = first_run_killed_at(sim_world, data_dir, "reply.claimed", age=30, WXBOT_STALE_MESSAGE_SECONDS="60")
    later = restart_and_ask_again(sim_world, data_dir, WXBOT_STALE_MESSAGE_SECONDS="5")
    assert [o["text"] for o in sim_world.outbox()] == ["[AI] 答复01", "[AI] 答复02"]
    assert stored(data_dir, [asked, later])[0] == {asked: "replied", later: "replied"}


def test_the_owners_backlog_starts_no_takeover(harness, data_dir):
    h = harness(with_model=False, faq_rules=FAQ, stale_message_seconds=5)
    h.start()
    zhang = h.contact_id(ZHANG)
    h.svc.close()
    # typed on the phone while wxbot was off, 30 s ago by WeChat's clock (past the 5 s limit, no waiting needed)
    by_hand = h.sim.inject_from_owner("zhang", "我来亲自回答", create_time=int(h.sim.state.now()) - 30)
    h2 = harness(with_model=False, faq_rules=FAQ, stale_message_seconds=5)
    h2.start(login=False)
    h2.login(scan=False)
    asked = h2.sim.inject("zhang", "请问#01?")
    assert h2.settle([asked]) == {asked: "replied"}
    assert [o["text"] for o in h2.sim.outbox()] == ["[AI] 答复01"]
    assert h2.svc.store.get_message(by_hand).direction == "out"  # kept in the history all the same
    assert h2.svc.store.paused_until(zhang) == 0.0


@pytest.mark.parametrize("pc_clock", ["5 minutes fast", "5 minutes slow"])
def test_a_pc_clock_minutes_off_judges_age_by_wechats_time(data_dir, pc_clock):
    offset = -300 if pc_clock == "5 minutes fast" else 300  # WeChat's clock minus the PC's
    sim = Simulator(hold_seconds=0.5, hang_seconds=2.0, clock_offset=offset).start()
    h = Harness(sim, data_dir, None, faq_rules=FAQ)
    try:
        h.start()
        wechat_now = time.time() + offset
        fresh = sim.inject("zhang", "请问#01?")
        backlog = sim.inject("li", "请问#02?", create_time=int(wechat_now - 180))  # 3 minutes old for WeChat
        states = h.settle([fresh, backlog])
        assert states == {fresh: "replied", backlog: "skipped"}
        assert h.svc.store.get_message(backlog).reason == "stale"
        assert [o["text"] for o in sim.outbox()] == ["[AI] 答复01"]
    finally:
        h.stop()
        sim.stop()
