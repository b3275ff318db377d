"""Reasoning that fits a customer's patience, on the real test model under DeepSeek-R1's real chat template:
``off`` closes the think block in the prompt, ``brief`` forces ``</think>`` after its budget, ``full`` lets it
think. A grammar makes the small model think the way R1 does (``<think>`` first), so each mode is measured by the
tokens generated before the first visible character."""

from __future__ import annotations

import pytest

from tests.assets import smollm2_r1_template
from tests.llm.conftest import chat, model_settings
from wxbot.llm.local import LocalModel, Piece
from wxbot.llm.reasoning import ReasoningFilter, strip_reasoning, think_budget
from wxbot.llm.sequences import Finished, Outcome
from wxbot.llm.worker import ModelWorker

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]  # a backstop: the tests wait for events

# R1's habit: a thought first (here at least 13 words, so the model cannot close it early), then the answer. A
# forced </think> is not fed to the grammar, which stays in the thought: its next words are the visible answer.
THINKS_FIRST = 'root ::= "<think>" [a-z]+ (" " [a-z]+){12,} "</think>" [a-z]+ (" " [a-z]+)*'
QUESTION = chat("What do you sell?")
BUDGET = 4
MAX_TOKENS = 30  # grammar sampling is slow on a 49k vocabulary: keep replies short


@pytest.fixture(scope="module")
def r1(test_model_path):
    model = LocalModel(model_settings(parallel_replies=2), smollm2_r1_template())
    yield model
    model.close()


def before_visible(model: LocalModel, budget: int | None, rid: int) -> tuple[int, int, str, Finished]:
    """Tokens generated before the first visible character (one piece per token here: the grammar's characters
    are ASCII) and, of those, the ones that spelled the opening ``<think>`` (one token in R1's vocabulary, up to
    six in SmolLM2's; the budget counts the thought after it); the raw reply, and its end."""
    model.submit(rid, QUESTION, max_tokens=MAX_TOKENS, temperature=0, grammar=THINKS_FIRST, think_budget=budget,
                 cache_key=f"budget-{budget}")
    shown, count, tag, raw, end = ReasoningFilter(), 0, 0, "", None
    seen = False
    while end is None:
        for event in model.step():
            if isinstance(event, Piece):
                raw += event.text
                opening = not shown.thinking
                if not seen and shown.feed(event.text):
                    seen = True
                elif not seen:
                    count += 1
                    tag += opening and count == tag + 1
            elif isinstance(event, Finished) and event.rid == rid:
                end = event
    return count, tag, raw, end


def test_the_r1_template_does_not_open_the_think_block_itself(r1):
    assert not r1.opens_reasoning  # R1-Distill's template: the model writes <think> itself


def test_full_reasoning_thinks_past_the_budget(r1):
    count, tag, raw, end = before_visible(r1, None, 1)
    assert raw.startswith("<think>") and end.outcome is Outcome.DONE
    assert count - tag > BUDGET  # the control: left alone, the model thinks longer than the budget
    assert end.stats.tokens_before_visible == count


def test_brief_reasoning_answers_within_its_budget(r1):
    count, tag, raw, end = before_visible(r1, think_budget("brief", BUDGET), 3)
    assert count - tag <= BUDGET
    assert "</think>" in raw and strip_reasoning(raw)  # forced closed, and an answer follows
    assert end.stats.tokens_before_visible == count and end.stats.first_visible_seconds is not None


def test_no_reasoning_closes_the_think_block_in_the_prompt(r1):
    prompt = r1._llama.detokenize(r1._template.tokens(QUESTION, thinking=False)).decode()
    assert prompt.endswith("<｜Assistant｜><think>\n\n</think>\n\n")
    count, tag, raw, end = before_visible(r1, think_budget("off", 128), 4)
    # the grammar still makes the model open a thought: it is closed as soon as its tag is complete
    assert count - tag == 0
    assert strip_reasoning(raw) and end.stats.tokens_before_visible == count


def test_the_budget_crosses_the_pipe_to_the_model_process(test_model_path):
    worker = ModelWorker(model_settings(parallel_replies=1), smollm2_r1_template(), console_log=False).start()
    try:
        raw = "".join(worker.stream_chat(QUESTION, max_tokens=MAX_TOKENS, temperature=0, grammar=THINKS_FIRST,
                                         think_budget=0))
    finally:
        worker.close()
    tag = len("<think>")  # at most one token per character of the tag
    assert worker.last_stats.tokens_before_visible <= tag and strip_reasoning(raw)
