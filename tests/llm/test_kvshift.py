"""Context shift on the real SmolLM2: dropped turns leave the KV cache, the rest moves down unevaluated,
and the next token mostly agrees with a full re-evaluation."""

from __future__ import annotations

import llama_cpp
import numpy as np
import pytest

from tests.llm.conftest import chat, model_settings
from wxbot.llm.kvshift import plan_shift
from wxbot.llm.local import LocalModel
from wxbot.settings import Settings

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]  # a backstop: the tests wait for events

TURNS = [
    "Do you have blue cotton shirts in size L?", "Yes, we have them in L and XL, 129 yuan each.",
    "Can I return one if it does not fit?", "Yes, within seven days with the receipt.",
    "Do you also sell matching ties?", "We have silk ties in navy and grey, 89 yuan.",
    "How long does delivery to Hangzhou take?", "Usually two days by courier.",
    "Do you accept bank transfer?", "We accept bank transfer and mobile payment.",
    "Are you open on Sunday afternoon?", "Yes, from 9:00 to 21:00 every day.",
]
QUESTIONS = ["And in red?", "What about size M?", "Is there a discount for two?", "Can my sister pick it up?",
             "Where is the shop?", "Do you make suits?", "How much is shipping?", "Thanks, bye!"]


def complete(model: LocalModel, messages, key: str | None = None) -> str:
    """Greedy next token (the prompt is evaluated; the sampled token is not)."""
    return "".join(model.stream_chat(messages, max_tokens=1, temperature=0.0, cache_key=key))


def seq_size(model: LocalModel) -> int:
    return llama_cpp.llama_state_seq_get_size(model._llama.ctx, 0)


def one_sequence(**changes) -> Settings:
    """One sequence (0), so every contact passes through it and the state cache."""
    return model_settings(parallel_replies=1, **changes)


@pytest.fixture(scope="module")
def plain_model(test_model_path):
    model = LocalModel(one_sequence(context_shift=False, state_cache_mb=0), test_model_path)
    yield model
    model.close()


def test_plan_finds_the_turns_the_prompt_kept():
    old = [1, 2, 3] + list(range(100, 120)) + list(range(200, 230)) + [7, 7]
    new = [1, 2, 3] + list(range(200, 230)) + [9]
    plan = plan_shift(old, new)
    assert plan is not None and (plan.keep, plan.drop, plan.reuse) == (3, 20, 30)
    assert plan_shift(old, old[:-1] + [5]) is None  # a plain prefix needs no shift
    assert plan_shift(old, [1, 2, 3] + list(range(200, 205))) is None  # too little to reuse


def test_after_a_shift_the_context_holds_exactly_the_new_prompt(test_model_path, plain_model):
    model = LocalModel(one_sequence(), test_model_path)
    complete(model, chat(*TURNS, QUESTIONS[0]))
    shorter = chat(*TURNS[6:], QUESTIONS[1])  # the oldest three rounds leave the window
    prompt = model._template.tokens(shorter)
    complete(model, shorter)
    stats, llama = model.last_stats, model._llama
    assert stats.shifted_out > 0
    assert stats.prompt_tokens_evaluated < len(prompt) // 3  # the kept turns were moved, not evaluated
    assert np.array_equal(model._sequences._slots[0].tokens, prompt)
    memory = llama_cpp.llama_get_memory(llama.ctx)
    assert llama_cpp.llama_memory_seq_pos_min(memory, 0) == 0
    assert llama_cpp.llama_memory_seq_pos_max(memory, 0) == len(prompt) - 1
    complete(plain_model, shorter)
    assert seq_size(model) == seq_size(plain_model)  # as many cells as a full evaluation: no leftovers
    model.close()


def test_next_token_mostly_agrees_with_a_full_evaluation(test_model_path, plain_model):
    model = LocalModel(one_sequence(), test_model_path)
    agree, shifted = 0, 0
    for i, question in enumerate(QUESTIONS):
        drop = 2 * (1 + i % 4)  # one to four rounds leave the window
        complete(model, chat(*TURNS, "Hello?"))
        kept = chat(*TURNS[drop:], question)
        got = complete(model, kept)
        shifted += model.last_stats.shifted_out > 0
        agree += got == complete(plain_model, kept)
    model.close()
    print(f"next token after a shift agrees with a full evaluation: {agree}/{len(QUESTIONS)}")
    assert shifted == len(QUESTIONS)
    assert agree > len(QUESTIONS) // 2


def test_a_contact_back_from_the_state_cache_is_shifted_too(test_model_path):
    model = LocalModel(one_sequence(), test_model_path)
    complete(model, chat(*TURNS, "Hello?"), key="A")
    complete(model, chat("When do you open?", system="You are the assistant of a bakery."), key="B")
    complete(model, chat(*TURNS[4:], QUESTIONS[0]), key="A")
    stats = model.last_stats
    model.close()
    assert stats.restored_state and stats.shifted_out > 0
    assert stats.prompt_tokens_evaluated < stats.prompt_tokens // 3


def test_without_shifting_the_kept_turns_are_evaluated_again(plain_model):
    complete(plain_model, chat(*TURNS, "Hello?"))
    complete(plain_model, chat(*TURNS[6:], QUESTIONS[1]))
    stats = plain_model.last_stats
    assert stats.shifted_out == 0 and stats.prompt_tokens_evaluated > stats.prompt_tokens // 2
