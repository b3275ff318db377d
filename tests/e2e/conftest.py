"""Whole-flow fixtures: the real itchat-uos client logs in to the simulator on 127.0.0.1 through the
BotService, with the real test model and a real encrypted store in a temp data dir."""

from __future__ import annotations

import threading
import time

import pytest
from loguru import logger

from wxbot.events import EventRecorder, LoginState, QrCode
from wxbot.lifecycle import TransitionRefused
from wxbot.service import BotService
from wxbot.settings import load_settings
from wxbot.sim import Simulator

FAST = dict(typing_delay_base=0.0, typing_delay_per_char=0.0, min_seconds_between_replies=0.0,
            aggregate_seconds=0.0, max_reply_tokens=16, loop_guard_exchanges=0, new_contact_mode="auto",
            max_replies_per_minute=0, max_replies_per_day=0, temperature=0.0)


class Harness:
    """A BotService on the simulator, and the phone-side moves tests need."""

    def __init__(self, sim: Simulator, data_dir, model_path: str | None, **overrides) -> None:
        self.sim = sim
        self.data_dir = data_dir
        self.model_path = model_path
        self.overrides = overrides
        self.log = EventRecorder()
        self.svc: BotService | None = None

    def start(self, *, login: bool = True, scan: bool = True) -> BotService:
        settings = load_settings().replace(wechat_base_url=self.sim.base_url, **{**FAST, **self.overrides})
        self.svc = BotService(settings, self.log)
        self.svc.acquire_instance()
        self.svc.open_store()
        if self.model_path or settings.llm_backend == "openai":
            self.svc.load_model(self.model_path)
        if login:
            self.login(scan=scan)
        return self.svc

    def login(self, scan: bool = True, hot_reload: bool = True) -> None:
        mark = self.log.mark()
        thread = threading.Thread(target=self.svc.login, kwargs={"hot_reload": hot_reload}, daemon=True)
        thread.start()
        if scan:
            self.log.wait_for(lambda e: isinstance(e, QrCode), start=mark)
            self.sim.scan()
            self.sim.confirm()
        self.log.wait_for(lambda e: isinstance(e, LoginState) and e.state == "logged_in", start=mark)
        thread.join(30)

    def contact_id(self, name: str) -> str:
        matches = [c for c in self.svc.contacts() if c.name == name]
        assert len(matches) == 1, (name, self.svc.contacts())
        return matches[0].contact_id

    def wait_outbox(self, count: int, timeout: float = 60.0) -> list[dict]:
        return self.sim.wait_outbox(count, timeout)

    def wait_outbox_steadily(self, count: int, stall: float = 60.0) -> list[dict]:
        """Wait for ``count`` sent messages however slow the machine, as long as they keep coming: fails only when
        none arrives for ``stall`` seconds (a stuck bot, not a busy machine)."""
        while (have := len(self.sim.outbox())) < count:
            self.sim.wait_outbox(have + 1, stall)
        return self.sim.outbox()

    def settle(self, msg_ids: list[str], timeout: float = 60.0) -> dict[str, str]:
        """Wait until every message has reached a final inbox state ("sent" for the owner's own); msg_id -> state."""
        deadline = time.monotonic() + timeout
        while True:
            states = {}
            for msg_id in msg_ids:
                m = self.svc.store.get_message(msg_id)
                states[msg_id] = m.state if m else "missing"
            if all(s in ("replied", "skipped", "failed", "expired", "sent") for s in states.values()):
                return states
            if time.monotonic() > deadline:
                raise AssertionError(f"not settled: {states}")
            try:
                self.log.wait_for(lambda e: True, timeout=0.2, start=self.log.mark())
            except TimeoutError:
                pass

    def stop(self) -> None:
        if self.svc is not None:
            self.svc.close()


def _refusal(message) -> str | None:
    exc = message.record["exception"]
    return str(exc.value) if exc is not None and isinstance(exc.value, TransitionRefused) else None


@pytest.fixture
def harness(sim, data_dir, test_model_path):
    """Also fails the test when the bot made a move the lifecycle table does not have (the stores refuse it,
    the stage that asked logs it)."""
    made: list[Harness] = []
    refused: list[str] = []
    sink = logger.add(lambda m: refused.append(why) if (why := _refusal(m)) else None, level="WARNING")

    def make(with_model: bool = True, **overrides) -> Harness:
        h = Harness(sim, data_dir, test_model_path if with_model else None, **overrides)
        made.append(h)
        return h

    yield make
    for h in made:
        h.stop()
    logger.remove(sink)
    assert not refused, f"moves the lifecycle table does not have: {refused}"
