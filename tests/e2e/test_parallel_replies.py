"""Several contacts answered at once (issue 18): the bot runs as many generations side by side as the model takes
(``parallel_replies``), never two for one contact, and a takeover cancels only that contact's generation.

Real itchat ⇄ simulator ⇄ BotService ⇄ the real test model, in the model process (which decodes several replies
in one pass) or served by ``llama_cpp.server`` (which takes one request at a time). The model is wrapped in a pass-through that only notes when each generation runs: what it says is the real model's."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.test_openai_engine import model_state, openai_harness
from tests.passthrough import PassThrough
from wxbot.errors import GenerationCancelled
from wxbot.llm.api import ChatMessages, ChatModel
from wxbot.store.apikey import API_KEY_ENV

pytestmark = pytest.mark.model  # the real test model, served or in the model process

FRIENDS = {"zhang": "张三-老客户", "li": "李四🌸", "wang": "王五"}  # simulator id -> the name wxbot shows
LONG = "Please write a very long story about a dragon and a tea shop, at least two thousand words."


@dataclass
class Call:
    contact_id: str
    question: str
    outcome: str = "running"  # "done", "cancelled", or "closed" (the reader stopped early)


class CountingModel(PassThrough):
    """The real ChatModel, passed through; notes each generation and how many run at once."""

    def __init__(self, model: ChatModel) -> None:
        super().__init__(model)
        self.calls: list[Call] = []
        self.most = 0  # most generations running at the same moment
        self.most_per_contact = 0  # most generations for one contact at the same moment
        self._running: list[str] = []
        self._streaming: set[int] = set()  # calls (by index) that have text and go on
        self._cond = threading.Condition()

    def stream_chat(self, messages: ChatMessages, **kwargs) -> Iterator[str]:
        call = Call(kwargs["cache_key"], messages[-1]["content"])
        with self._cond:
            self.calls.append(call)
            self._running.append(call.contact_id)
            self.most = max(self.most, len(self._running))
            self.most_per_contact = max(self.most_per_contact, self._running.count(call.contact_id))
            self._cond.notify_all()
        call.outcome = "closed"
        index = len(self.calls) - 1
        try:
            for piece in self.model.stream_chat(messages, **kwargs):
                with self._cond:
                    self._streaming.add(index)
                    self._cond.notify_all()
                yield piece
            call.outcome = "done"
        except GenerationCancelled:
            call.outcome = "cancelled"
            raise
        finally:
            with self._cond:
                self._running.remove(call.contact_id)
                self._streaming.discard(index)
                self._cond.notify_all()

    def wait_running(self, count: int, timeout: float = 60.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self._running) >= count, timeout), f"{self._running} running"

    def wait_streaming(self, count: int, timeout: float = 60.0) -> None:
        """Until ``count`` generations have given text and go on (their prompts are evaluated)."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self._streaming) >= count, timeout), "not streaming"


ENGINES = ["local", "server"]  # the model process on this PC, or llama_cpp.server


def counted(request, harness, monkeypatch, engine: str, **overrides):
    """The bot on the local model process or the model server, its model wrapped in a CountingModel once ready.
    On the server, tokens are counted with the model's own vocabulary: llama_cpp.server's tokenizer waits behind
    a running generation, which would hold back the next contact's prompt and decide these tests by timing."""
    if engine == "server":
        server = request.getfixturevalue("llama_server")
        monkeypatch.setenv(API_KEY_ENV, server.api_key)
        h = openai_harness(harness, server, openai_tokenizer=server.model_path, **overrides)
    else:
        h = harness(**overrides)
    h.start()
    model_state(h, "ready")
    model = CountingModel(h.svc.engine.model)
    h.svc.engine.set_model(model)
    return h, model


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("parallel", [1, 2])
def test_as_many_contacts_are_generated_at_once_as_parallel_replies_says(request, harness, monkeypatch, engine,
                                                                        parallel):
    h, model = counted(request, harness, monkeypatch, engine, parallel_replies=parallel, max_reply_tokens=64)
    assert h.svc.engine.parallel == parallel
    asked = [h.sim.inject(friend, "Tell me about the history of tea, please.") for friend in FRIENDS]
    assert set(h.settle(asked, timeout=180).values()) == {"replied"}
    assert model.most == parallel  # two at once with 2 (three asked), never two with 1
    assert Counter(m["to_id"] for m in h.sim.outbox()) == dict.fromkeys(FRIENDS, 1)
    assert sorted(c.contact_id for c in model.calls) == sorted(h.contact_id(name) for name in FRIENDS.values())


@pytest.mark.parametrize("engine", ENGINES)
def test_one_contact_is_never_generated_for_twice_at_once_and_is_answered_in_order(request, harness, monkeypatch,
                                                                                   engine):
    h, model = counted(request, harness, monkeypatch, engine, parallel_replies=4, max_reply_tokens=32)
    questions = ["What is green tea?", "And black tea?", "Which one has more caffeine?"]
    asked = [h.sim.inject("zhang", q) for q in questions]  # not merged: aggregation is off here
    asked.append(h.sim.inject("wang", "Do you sell oolong?"))
    assert set(h.settle(asked, timeout=180).values()) == {"replied"}
    assert model.most_per_contact == 1
    zhang = h.contact_id(FRIENDS["zhang"])
    assert [c.question for c in model.calls if c.contact_id == zhang] == questions
    assert Counter(m["to_id"] for m in h.sim.outbox()) == {"zhang": 3, "wang": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_takeover_cancels_only_that_contacts_generation(request, harness, monkeypatch, engine):
    h, model = counted(request, harness, monkeypatch, engine, parallel_replies=2, max_reply_tokens=1000,
                       context_size=2048, temperature=1.0)
    story = h.sim.inject("zhang", LONG)
    other = h.sim.inject("wang", "你好，请问你们卖什么茶？")
    if engine == "local":  # both generations under way: the model process streams both at once,
        model.wait_streaming(2)
    else:  # the server one after the other (the second waits in its queue)
        model.wait_running(2)
    h.sim.inject_from_owner("zhang", "我来回答")
    states = h.settle([story, other], timeout=180)
    assert states[story] == "skipped" and h.svc.store.get_message(story).reason == "takeover"
    outcomes = {c.contact_id: c.outcome for c in model.calls}
    # Wang's generation was not cancelled: it ran to its end. At temperature 1.0 the tiny model sometimes loops;
    # the bot then stops reading it and holds the reply back (never a wall of text): that is the degenerate-output
    # guard, not the takeover.
    if states[other] == "replied":
        wang = "done"
        assert {m["to_id"] for m in h.sim.outbox()} == {"wang"}  # (a long reply goes out as several messages)
    else:
        wang = "closed"
        assert (states[other], h.svc.store.get_message(other).reason) == ("skipped", "degenerate_loop")
        assert h.sim.outbox() == []
    assert outcomes == {h.contact_id(FRIENDS["zhang"]): "cancelled", h.contact_id(FRIENDS["wang"]): wang}
