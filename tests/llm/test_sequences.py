"""Several replies in one model pass, on the real SmolLM2: no cross-talk between sequences, cancel per sequence,
long prompts evaluated in chunks between decode steps, and the model process serving several callers at once."""

from __future__ import annotations

import itertools
import threading

import pytest

from tests.llm.conftest import LONG_TEXT, chat, model_settings
from wxbot.errors import GenerationCancelled
from wxbot.llm.local import LocalModel, Piece
from wxbot.llm.sequences import Finished, Outcome
from wxbot.llm.worker import ModelWorker

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]  # a backstop: the tests wait for events

QUESTIONS = ["Count from 1 to 30.", "Name five fruits and their colours.", "What is the capital of France?",
             "Say hello in Spanish, then in German."]


@pytest.fixture(scope="module")
def model(test_model_path):
    m = LocalModel(model_settings(parallel_replies=4), test_model_path)
    yield m
    m.close()


def alone(model: LocalModel, question: str, key: str, max_tokens: int = 40) -> str:
    return "".join(model.stream_chat(chat(question), max_tokens=max_tokens, temperature=0, cache_key=key))


def run_together(model: LocalModel, questions: list[str], max_tokens: int = 40,
                 cancel_after: dict[int, int] | None = None) -> tuple[dict[int, str], dict[int, Finished]]:
    """All questions submitted at once; ``cancel_after`` maps a reply to the number of pieces after which it is
    cancelled."""
    flags = {rid: threading.Event() for rid in range(1, len(questions) + 1)}
    for rid, question in enumerate(questions, 1):
        model.submit(rid, chat(question), max_tokens=max_tokens, temperature=0, cache_key=f"together-{rid}",
                     cancelled=flags[rid].is_set)
    texts: dict[int, str] = {rid: "" for rid in flags}
    pieces = dict.fromkeys(flags, 0)
    ends: dict[int, Finished] = {}
    while model.busy:
        for event in model.step():
            if isinstance(event, Piece):
                texts[event.rid] += event.text
                pieces[event.rid] += 1
                if cancel_after and pieces[event.rid] == cancel_after.get(event.rid):
                    flags[event.rid].set()
            else:
                ends[event.rid] = event
    return texts, ends


def test_each_sequence_answers_as_it_would_alone(model):
    wanted = {rid: alone(model, q, f"alone-{rid}") for rid, q in enumerate(QUESTIONS, 1)}
    texts, ends = run_together(model, QUESTIONS)
    assert all(end.outcome is Outcome.DONE for end in ends.values())
    assert len(set(texts.values())) == len(QUESTIONS)  # four different answers …
    assert texts == wanted  # … each exactly what its prompt gives alone (greedy): no cross-talk of contexts


def test_cancelling_one_sequence_leaves_the_others_running(model):
    wanted = {rid: alone(model, q, f"alone-{rid}") for rid, q in enumerate(QUESTIONS, 1)}
    texts, ends = run_together(model, QUESTIONS, cancel_after={2: 3})
    assert ends[2].outcome is Outcome.CANCELLED and ends[2].stats.generated_tokens < 10
    assert wanted[2].startswith(texts[2])
    for rid in (1, 3, 4):
        assert ends[rid].outcome is Outcome.DONE and texts[rid] == wanted[rid]


def test_a_long_prompt_does_not_stall_a_streaming_reply(model):
    model.submit(1, chat(QUESTIONS[0]), max_tokens=60, temperature=0, cache_key="short")
    while not any(isinstance(e, Piece) for e in model.step()):
        pass  # the short reply is streaming
    long_prompt = model.count_tokens(chat(LONG_TEXT))
    model.submit(2, chat(LONG_TEXT), max_tokens=4, temperature=0, cache_key="long")
    steps_before_long_answers, short_pieces = 0, 0
    while model.busy:
        events = model.step()
        if any(isinstance(e, Piece) and e.rid == 2 for e in events):
            break
        steps_before_long_answers += 1
        short_pieces += sum(isinstance(e, Piece) and e.rid == 1 for e in events)
    while model.busy:
        model.step()
    assert steps_before_long_answers >= long_prompt // 256  # evaluated in chunks, not in one pass …
    assert short_pieces >= steps_before_long_answers // 2  # … while the short reply went on


def test_the_model_process_serves_several_callers_at_once(test_model_path, model):
    wanted = {q: alone(model, q, f"alone-{q}") for q in QUESTIONS[:3]}
    worker = ModelWorker(model_settings(parallel_replies=3), test_model_path, console_log=False).start()
    got: dict[str, str] = {}
    cancel = threading.Event()
    first_piece = threading.Barrier(3, timeout=600)

    def ask(question: str, cancelled: threading.Event | None = None) -> None:
        stream = worker.stream_chat(chat(question), max_tokens=40, temperature=0, cache_key=question,
                                    cancel=cancelled)
        text = next(stream)
        first_piece.wait()  # all three are generating at the same time
        try:
            for piece in stream:
                text += piece
                if cancelled is not None:
                    cancelled.set()
        except GenerationCancelled:
            text = "cancelled"
        got[question] = text

    threads = [threading.Thread(target=ask, args=(q, cancel if i == 1 else None)) for i, q in enumerate(QUESTIONS[:3])]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
    finally:
        worker.close()
    assert worker.info.parallel == 3
    assert got == {QUESTIONS[0]: wanted[QUESTIONS[0]], QUESTIONS[1]: "cancelled", QUESTIONS[2]: wanted[QUESTIONS[2]]}


def test_a_cancel_is_reported_before_another_contacts_prompt_goes_on(model):
    """The cancelled reply's end goes out at once, not after the next chunk of someone else's long prompt (on a
    busy CPU that chunk can outlast the app's patience, which then kills the model process)."""
    stop_short = threading.Event()
    model.submit(1, chat(QUESTIONS[0]), max_tokens=200, temperature=0, cache_key="short-2", cancelled=stop_short.is_set)
    while not any(isinstance(e, Piece) for e in model.step()):
        pass
    model.submit(2, chat(LONG_TEXT), max_tokens=4, temperature=0, cache_key="long-2")
    model.step()  # the short reply's next token and the first chunk of the long prompt
    long_slot = next(s for s in model._sequences._slots if s.job is not None and s.job.rid == 2)
    evaluated = len(long_slot.tokens)
    assert 0 < evaluated < model.count_tokens(chat(LONG_TEXT))
    stop_short.set()
    ends = [e for e in model.step() if isinstance(e, Finished)]
    assert [(e.rid, e.outcome) for e in ends] == [(1, Outcome.CANCELLED)]
    assert len(long_slot.tokens) == evaluated  # reported before any more of the long prompt was evaluated
    while model.busy:
        ends += [e for e in model.step() if isinstance(e, Finished)]
    assert ends[-1].rid == 2 and ends[-1].outcome is Outcome.DONE


def test_a_cancel_stops_another_contacts_prompt_chunk_inside_the_step(model):
    """N1: the abort hook looks at every reply, not only those in the running batch. The short reply's flag turns
    while the long prompt's chunk is being computed (the third time it is read: once at admission, once before
    the decode, then by the hook inside it)."""
    reads = itertools.count()
    model.submit(1, chat(LONG_TEXT), max_tokens=4, temperature=0, cache_key="long-3")
    model.submit(2, chat(QUESTIONS[0]), max_tokens=40, temperature=0, cache_key="short-3",
                 cancelled=lambda: next(reads) >= 2)
    assert model.step() == []  # the chunk was aborted by the hook …
    long_slot = next(s for s in model._sequences._slots if s.job is not None and s.job.rid == 1)
    assert long_slot.tokens == []  # … and rolled back, to be evaluated again
    assert [(e.rid, e.outcome) for e in model.step() if isinstance(e, Finished)] == [(2, Outcome.CANCELLED)]
    ends = []
    while model.busy:
        ends += [e for e in model.step() if isinstance(e, Finished)]
    assert [(e.rid, e.outcome) for e in ends] == [(1, Outcome.DONE)]


def test_a_cancelled_reply_waiting_for_a_sequence_is_dropped_at_once(model):
    """A reply queued behind others (all four sequences busy) ends at the next step when cancelled; it does not
    wait for a sequence to free up first."""
    flags = {rid: threading.Event() for rid in range(1, 7)}
    for rid in flags:
        model.submit(rid, chat(QUESTIONS[rid % 4]), max_tokens=30, temperature=0, cache_key=f"queue-{rid}",
                     cancelled=flags[rid].is_set)
    model.step()  # four are seated, 5 and 6 wait
    assert [j.rid for j in model._sequences._waiting] == [5, 6]
    flags[6].set()
    ends = [(e.rid, e.outcome) for e in model.step() if isinstance(e, Finished)]
    assert ends == [(6, Outcome.CANCELLED)] and [j.rid for j in model._sequences._waiting] == [5]
    while model.busy:
        model.step()
