"""The reply engine on the real test model: prompt budget, FAQ short-cut, splitting, bad input."""

from __future__ import annotations

import pytest

from wxbot.core.engine import ReplyEngine
from wxbot.core.history import MemoryHistory
from wxbot.core.plaintext import markdown_to_plain
from wxbot.llm.worker import ModelWorker
from wxbot.messages import ChatKind, Message, ReplyVerdict
from wxbot.settings import Settings


class CountingModel:
    """Passes everything to the real model and counts generations."""

    def __init__(self, model):
        self.model = model
        self.generations = 0
        self.counts = 0
        self.info = model.info

    def count_tokens(self, messages):
        self.counts += 1
        return self.model.count_tokens(messages)

    def stream_chat(self, messages, **kw):
        self.generations += 1
        self.last_prompt = messages
        return self.model.stream_chat(messages, **kw)


@pytest.fixture(scope="module")
def worker(test_model_path):
    w = ModelWorker(Settings(context_size=1024, temperature=0.0), test_model_path).start()
    yield w
    w.close()


def msg(text, contact="A", n=1):
    return Message(msg_id=f"{contact}-{n}", contact_id=contact, display_name=contact, chat=ChatKind.PRIVATE,
                   text=text, time=1000.0 + n)


def engine(worker, **settings):
    base = dict(context_size=1024, max_reply_tokens=24, temperature=0.0)
    history = MemoryHistory()
    model = CountingModel(worker)
    return ReplyEngine(Settings(**{**base, **settings}), model, history), history, model


def test_model_reply_is_prefixed_and_plain(worker):
    # greedy SmolLM2 answers this with a Markdown list of bold items ("1. **Beverages**\n2. …")
    eng, _, model = engine(worker, max_reply_tokens=60, persona="You are a helpful shop assistant. Format answers "
                           "in Markdown with headings, bold and bullet lists.")
    reply = eng.reply([msg("List three products you sell.")])
    assert reply is not None and reply.source == "model"
    assert reply.parts[0].startswith("[AI] ") and reply.body
    assert markdown_to_plain(reply.body) == reply.body  # plain text: nothing left for the cleaner to take
    assert "**" not in reply.body and reply.body.startswith("1. ")  # the list number is the model's own
    assert model.generations == 1


def test_faq_hit_never_calls_the_model(worker):
    eng, _, model = engine(worker, faq_rules=[{"match": "contains", "pattern": "营业时间", "answer": "9点到18点"}])
    reply = eng.reply([msg("请问营业时间是？")])
    assert reply.source == "faq" and reply.parts == ("[AI] 9点到18点",)
    assert model.generations == 0


def test_history_budget_fits_context_and_never_mixes_contacts(worker):
    eng, history, model = engine(worker, history_turns=40, history_token_budget=300)
    for i in range(30):
        history.add_turn("A", "user", f"A question number {i} about apples and oranges", 100.0 + 2 * i)
        history.add_turn("A", "assistant", f"A answer number {i} about fruit prices today", 101.0 + 2 * i)
        history.add_turn("B", "user", f"SECRET-B message {i}", 100.0 + 2 * i)
    prompt = eng.build_prompt("A", "And bananas?")
    text = " ".join(m["content"] for m in prompt)
    assert "SECRET-B" not in text
    base = model.count_tokens([prompt[0], prompt[-1]])
    assert model.count_tokens(prompt) <= base + 300
    assert model.count_tokens(prompt) + 24 <= 1024
    kept = [m["content"] for m in prompt[1:-1]]
    assert kept and kept[-1] == "A answer number 29 about fruit prices today"  # the newest turns stay


def test_history_window_moves_in_blocks_so_the_prefix_stays(worker):
    eng, history, _ = engine(worker, history_turns=6, history_token_budget=2000)
    prompts = []
    for i in range(8):
        history.add_turn("A", "user", f"question {i}", 100.0 + 2 * i)
        history.add_turn("A", "assistant", f"answer {i}", 101.0 + 2 * i)
        prompts.append([m["content"] for m in eng.build_prompt("A", "next?")[1:-1]])
    assert all(len(p) <= 6 for p in prompts)
    # between drops, each prompt's history starts where the previous one started (a reusable prefix)
    same_start = sum(1 for a, b in zip(prompts, prompts[1:], strict=False) if a[0] == b[0])
    assert same_start >= len(prompts) // 2


def test_long_reply_split_under_the_limit(worker):
    eng, _, _ = engine(worker, max_reply_tokens=96, reply_part_chars=40)
    reply = eng.reply([msg("Write three long sentences about the history of tea in China.")])
    assert len(reply.parts) > 1
    assert all(len(p) <= 40 for p in reply.parts)
    squash = lambda t: "".join(t.split())  # noqa: E731  (splitting drops whitespace at the cuts only)
    assert squash("".join(reply.parts)) == squash("[AI] " + reply.body)


def test_ten_thousand_character_message_is_answered_not_crashed(worker):
    eng, _, model = engine(worker)
    reply = eng.reply([msg("很长的消息" * 2000)])
    assert reply is not None
    assert model.count_tokens(model.last_prompt) + 24 <= 1024


def test_two_hundred_quick_messages_make_one_question_of_bounded_size(worker):
    eng, _, model = engine(worker, context_size=4096, max_question_chars=300)
    burst = [msg(f"第{i}条：我还想问一下这个颜色有没有货", n=i) for i in range(200)]
    reply = eng.reply(burst)
    assert reply is not None and reply.in_reply_to == tuple(m.msg_id for m in burst)
    question = model.last_prompt[-1]["content"]
    assert question.startswith("第0条") and len(question) <= 301


def test_a_reply_costs_a_few_token_counts_even_when_history_and_question_overflow(worker):
    """Each count may be a round trip to a model server: no binary search, no turn-by-turn loop."""
    eng, history, model = engine(worker, history_turns=40, history_token_budget=300)
    for i in range(30):
        history.add_turn("A", "user", f"A question number {i} about apples and oranges", 100.0 + 2 * i)
        history.add_turn("A", "assistant", f"A answer number {i} about fruit prices today", 101.0 + 2 * i)
    eng.build_prompt("A", "And bananas?")
    assert model.counts <= 5
    model.counts = 0
    prompt = eng.build_prompt("A", "很长的消息" * 2000)
    assert model.counts <= 8
    assert model.count_tokens(prompt) + 24 <= 1024
    assert len(prompt[-1]["content"]) > 100  # cut to fit, not emptied
    model.counts = 0
    eng.build_prompt("A", "And cherries?")  # the window moved already: the next turn fits at once
    assert model.counts <= 2


def test_no_model_is_a_readable_error():
    from wxbot.errors import ModelError

    eng = ReplyEngine(Settings(), None, MemoryHistory())
    with pytest.raises(ModelError, match="models/"):
        eng.reply([msg("hi")])


def test_persona_recited_back_is_held_back(worker):
    # greedy SmolLM2 answers this greeting by reciting the default persona word for word
    eng, _, _ = engine(worker, max_reply_tokens=64, repeat_penalty=1.0)
    reply = eng.reply([msg("你好")])
    assert reply is not None and reply.verdict is ReplyVerdict.PERSONA_ECHO


def test_a_model_reply_takes_at_most_max_reply_parts_messages(worker):
    eng, _, _ = engine(worker, max_reply_tokens=300, reply_part_chars=20, max_reply_parts=2)
    reply = eng.reply([msg("Write a long story about a shop.")])
    assert reply is not None and len(reply.parts) <= 2 and reply.body
