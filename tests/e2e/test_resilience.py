"""Whole-flow resilience: a burst from many contacts, 30 s of transport faults, re-delivery after a hot
reload and a crash resume, all through the real itchat-uos client, the simulator, BotService and SQLite."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

import pytest
from loguru import logger

from tests.e2e.conftest import Harness
from tests.e2e.test_openai_engine import model_state
from tests.passthrough import PassThrough
from wxbot.events import LoginState, QrCode
from wxbot.messages import ChatKind, Message
from wxbot.service import SESSION_FILE
from wxbot.sim import Simulator
from wxbot.sim.world import World
from wxbot.store import Store

CONTACTS, PER_CONTACT = 20, 10
FAULT_SECONDS = 10.0  # per endpoint; three endpoints in turns = 30 s of faults
NUMBERED = 30  # questions "#01?".."#30?" each have their own FAQ answer, so every reply names its question
FAQ = [{"match": "contains", "pattern": f"#{k:02d}?", "answer": f"答复{k:02d}"} for k in range(1, NUMBERED + 1)]


@pytest.fixture
def crowd(data_dir):
    """A harness on a world of 20 friends; FAQ rules answer each numbered question (what the burst test promises is
    exactly once and in order, not the model: the model's speed on a loaded machine must not decide it)."""
    world = World()
    for i in range(CONTACTS):
        world.add_friend(f"c{i:02d}", f"客户{i:02d}")
    sim = Simulator(world, hold_seconds=0.5, hang_seconds=2.0).start()
    burst_faq = [{"match": "contains", "pattern": f"第{n}个问题：", "answer": f"答复第{n}个"}
                 for n in range(1, PER_CONTACT + 1)]
    h = Harness(sim, data_dir, None, faq_rules=burst_faq)
    yield h
    h.stop()
    sim.stop()


def bot_rows(h: Harness, contact_id: str) -> list:
    """The bot's replies to one contact in the store, oldest first."""
    return [m for m in reversed(h.svc.store.page(contact_id, limit=500)) if m.by_bot]


def wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.mark.slow
def test_burst_from_twenty_contacts_gets_one_reply_per_message_in_order(crowd):
    h = crowd
    h.start()
    sent: dict[str, list[str]] = defaultdict(list)  # simulator person id -> msg ids in sending order
    for n in range(PER_CONTACT):  # interleaved: c00 #1, c01 #1, … c19 #1, c00 #2, …
        for i in range(CONTACTS):
            sent[f"c{i:02d}"].append(h.sim.inject(f"c{i:02d}", f"第{n + 1}个问题：现在几点?"))
    everyone = [m for ids in sent.values() for m in ids]
    out = h.wait_outbox_steadily(CONTACTS * PER_CONTACT)
    assert set(h.settle(everyone, timeout=60).values()) == {"replied"}

    answered: Counter[str] = Counter()
    for i in range(CONTACTS):
        pid = f"c{i:02d}"
        rows = bot_rows(h, h.contact_id(f"客户{i:02d}"))
        assert [r.in_reply_to for r in rows] == [(m,) for m in sent[pid]]  # one reply each, in sending order
        assert [r.text for r in rows] == [f"答复第{n}个" for n in range(1, PER_CONTACT + 1)]
        answered.update(m for r in rows for m in r.in_reply_to)
        assert [o["text"] for o in out if o["to_id"] == pid] == [h.svc.settings.reply_prefix + r.text for r in rows]
    assert len(h.sim.outbox()) == CONTACTS * PER_CONTACT
    assert set(answered.values()) == {1} and len(answered) == CONTACTS * PER_CONTACT


class Asker:
    """Contacts asking numbered questions; remembers who asked what."""

    def __init__(self, h: Harness) -> None:
        self.h, self.asked = h, {}  # msg_id -> (simulator chat id, number)

    def ask(self, chat: str) -> str:
        number = len(self.asked) + 1
        msg_id = self.h.sim.inject(chat, f"请问#{number:02d}?")
        self.asked[msg_id] = (chat, number)
        return msg_id


def fault_in_turn(h: Harness, endpoint: str, asker: Asker) -> None:
    """FAULT_SECONDS of trouble on one endpoint: a hang, a malformed answer, then 5xx until the time is up;
    questions arrive at its start and in its middle. Returns once everything asked so far is answered."""
    h.sim.fault(endpoint, "hang", count=1)
    h.sim.fault(endpoint, "badjson", count=1)
    h.sim.fault(endpoint, "5xx", duration=FAULT_SECONDS)
    start = time.monotonic()
    if endpoint == "synccheck":  # the long poll already under way would fetch the question unharmed
        wait_until(lambda: h.sim.fault_hits().get((endpoint, "hang"), 0) == 1)
    asker.ask("zhang")
    asker.ask("li")
    time.sleep(max(0.0, start + FAULT_SECONDS / 2 - time.monotonic()))
    asker.ask("wang")
    time.sleep(max(0.0, start + FAULT_SECONDS - time.monotonic()))
    h.settle(list(asker.asked), timeout=60)


@pytest.mark.slow
def test_thirty_seconds_of_faults_recover_without_login_and_answer_each_message_once(harness):
    # FAQ answers, not the model: this test is about the transport, and numbered answers make every
    # reply in the outbox name the one question it answers.
    h = harness(with_model=False, faq_rules=FAQ)
    h.start()
    asker = Asker(h)
    asker.ask("zhang")  # before the faults
    h.settle(list(asker.asked))
    for endpoint in ("webwxsendmsg", "synccheck", "webwxsync"):
        fault_in_turn(h, endpoint, asker)
    asker.ask("li")  # after the faults
    asker.ask("wang")
    states = h.settle(list(asker.asked), timeout=60)

    assert set(states.values()) == {"replied"}
    hits = h.sim.fault_hits()
    for endpoint in ("webwxsendmsg", "synccheck", "webwxsync"):
        assert all(hits.get((endpoint, kind), 0) >= 1 for kind in ("hang", "badjson", "5xx")), hits
    assert h.sim.repeated_sends() >= 1  # the send answered with a hang/bad body did arrive; retries repeated it
    out = h.sim.outbox()
    expected = Counter((chat, f"[AI] 答复{n:02d}") for chat, n in asker.asked.values())
    assert Counter((o["to_id"], o["text"]) for o in out) == expected  # each question answered exactly once
    assert len({o["client_msg_id"] for o in out}) == len(out)
    in_reply_to = Counter()
    for name in ("张三-老客户", "李四🌸", "王五"):
        in_reply_to.update(m for r in bot_rows(h, h.contact_id(name)) for m in r.in_reply_to)
    assert in_reply_to == Counter(list(asker.asked))
    assert len(h.log.of(QrCode)) == 1  # recovered by itself: no new QR, no logout, one login
    assert [e.state for e in h.log.of(LoginState)].count("logged_in") == 1
    assert not [e for e in h.log.of(LoginState) if e.state in ("logged_out", "failed", "expired")]


def capture_duplicates() -> tuple[list[str], int]:
    """Collect the bot's "duplicate msg … ignored" log lines (the store's msg_id uniqueness at work)."""
    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(m.record["message"]), level="DEBUG",
                      filter=lambda r: r["name"] == "wxbot.core.intake" and r["message"].startswith("duplicate msg"))
    return seen, sink


def test_redelivery_after_hot_reload_is_not_answered_again(harness, data_dir):
    h = harness(with_model=False, faq_rules=FAQ)
    h.start()
    session_at_login = (data_dir / SESSION_FILE).read_bytes()  # sync position from before the messages
    asker = Asker(h)
    first = [asker.ask("zhang"), asker.ask("li")]
    h.wait_outbox(2)
    assert set(h.settle(first).values()) == {"replied"}
    h.svc.close()
    (data_dir / SESSION_FILE).write_bytes(session_at_login)  # as if the app died before saving a newer one

    seen, sink = capture_duplicates()
    try:
        h2 = harness(with_model=False, faq_rules=FAQ)
        h2.start(login=False)
        h2.login(scan=False)
        later = asker.ask("wang")
        out = h2.wait_outbox(3)
        assert h2.settle([later])[later] == "replied"
    finally:
        logger.remove(sink)
    assert not h2.log.of(QrCode)  # a hot reload, from the old sync position
    assert sorted(seen) == sorted(f"duplicate msg {m} ignored" for m in first)  # they did come again
    assert [(o["to_id"], o["text"]) for o in h2.sim.outbox()] == [
        ("zhang", "[AI] 答复01"), ("li", "[AI] 答复02"), ("wang", "[AI] 答复03")]
    assert len(out) == 3
    for msg_id in first:
        assert h2.svc.store.get_message(msg_id).state == "replied"
    assert [r.in_reply_to for r in bot_rows(h2, h2.contact_id("张三-老客户"))] == [(first[0],)]


def test_message_interrupted_by_a_crash_is_answered_once_after_restart(harness, data_dir):
    h = harness(with_model=False, faq_rules=FAQ)
    h.start()
    zhang = h.contact_id("张三-老客户")
    h.svc.close()
    store = Store.open(data_dir)  # the app that "dies": stores two messages, claims one, answers neither
    for msg_id, text in (("crash-1", "请问#01?"), ("crash-2", "请问#02?")):
        store.inbox_add(Message(msg_id, zhang, "张三-老客户", ChatKind.PRIVATE, text, time=time.time()), zhang)
    assert store.inbox_claim("crash-2")  # this one was being generated when the app died
    store.close()

    h2 = harness(with_model=False, faq_rules=FAQ)
    h2.start(login=False)
    h2.login(scan=False)
    out = h2.wait_outbox(2)
    assert h2.settle(["crash-1", "crash-2"]) == {"crash-1": "replied", "crash-2": "replied"}
    assert [(o["to_id"], o["text"]) for o in out] == [("zhang", "[AI] 答复01"), ("zhang", "[AI] 答复02")]
    h2.svc.close()

    h3 = harness(with_model=False, faq_rules=FAQ)
    h3.start(login=False)
    h3.login(scan=False)
    later = h3.sim.inject("zhang", "请问#03?")
    assert h3.settle([later])[later] == "replied"
    out = h3.wait_outbox(3)
    assert [o["text"] for o in out] == ["[AI] 答复01", "[AI] 答复02", "[AI] 答复03"]
    assert [r.in_reply_to for r in bot_rows(h3, zhang)] == [("crash-1",), ("crash-2",), (later,)]


class HeldFirst(PassThrough):
    """The real model, passed through; the first generation, once it has produced text, goes on only when
    ``go`` is set: a deliberately slow reply, whatever the machine's speed."""

    def __init__(self, model) -> None:
        super().__init__(model)
        self.streaming, self.go = threading.Event(), threading.Event()
        self._first = True

    def stream_chat(self, messages, **kwargs):
        first, self._first = self._first, False
        for piece in self.model.stream_chat(messages, **kwargs):
            if first and not self.streaming.is_set():
                self.streaming.set()
                assert self.go.wait(120)
            yield piece


@pytest.mark.model
def test_customers_who_waited_behind_a_slow_reply_past_the_stale_limit_but_arrived_fresh_are_answered(harness):
    """N3 end to end: one reply at a time (parallel_replies 1) and the first one slow; the others' questions
    arrive fresh and wait in the queue longer than stale_message_seconds: they are answered, not missed."""
    stale = 3
    h = harness(parallel_replies=1, stale_message_seconds=stale, max_reply_tokens=48)
    h.start()
    model_state(h, "ready")
    model = HeldFirst(h.svc.engine.model)
    h.svc.engine.set_model(model)
    first = h.sim.inject("zhang", "Please write a long story about a dragon.")
    assert model.streaming.wait(120)  # generating, and held there
    waiting = [h.sim.inject("li", "你好，在吗？"), h.sim.inject("wang", "请问营业时间？")]
    wait_until(lambda: all(h.svc.store.get_message(m) is not None for m in waiting))
    arrived = max(h.svc.store.get_message(m).time for m in waiting)
    wait_until(lambda: time.time() > arrived + stale + 1, timeout=60)  # they have waited past the stale limit
    assert {h.svc.store.get_message(m).state for m in waiting} == {"received"}
    model.go.set()
    assert h.settle([first, *waiting], timeout=300) == {m: "replied" for m in (first, *waiting)}
    assert sorted(o["to_id"] for o in h.sim.outbox()) == ["li", "wang", "zhang"]
