"""Reasoning never reaches a contact: strings, streamed pieces, the real DeepSeek template, real model output."""

from __future__ import annotations

import pytest

from tests.assets import deepseek_header_path
from tests.llm.conftest import chat
from wxbot.llm.gguf_meta import read_header
from wxbot.llm.local import generation_prompt
from wxbot.llm.reasoning import ReasoningFilter, opens_reasoning, strip_reasoning

CASES = [
    # (raw model text, starts_in_reasoning, visible)
    ("<think>\nprice is 30?\n</think>\n\n您好，30元一件。", False, "您好，30元一件。"),
    ("<think>let me think about the price", False, ""),  # stopped while thinking
    ("您好，在的。", False, "您好，在的。"),  # no reasoning at all
    ("Sure. <think>hidden</think> Done.", False, "Sure.  Done."),
    ("<think>a</think>one<think>b</think>two", False, "onetwo"),
    ("answer first <think>then unclosed thoughts", False, "answer first"),
    ("thinking already, template opened it\n</think>\n\n好的", True, "好的"),
    ("template opened it and we never closed", True, ""),
    ("orphan close means the opening tag was in the prompt</think>visible", False, "visible"),
    ("a < b and <thi is not a tag", False, "a < b and <thi is not a tag"),
    ("ends with a partial tag <thi", False, "ends with a partial tag <thi"),
    ("", False, ""),
]


@pytest.mark.parametrize(("raw", "starts", "visible"), CASES)
def test_strip_reasoning(raw, starts, visible):
    assert strip_reasoning(raw, starts_in_reasoning=starts) == visible


def stream(pieces, starts=False) -> str:
    f = ReasoningFilter(starts_in_reasoning=starts)
    return "".join(f.feed(p) for p in pieces) + f.finish()


@pytest.mark.parametrize(("raw", "starts", "visible"), [c for c in CASES if "orphan" not in c[0]])
def test_streaming_matches_whole_text_for_every_split(raw, starts, visible):
    for cut in range(len(raw) + 1):
        assert stream([raw[:cut], raw[cut:]], starts).strip() == visible, cut
    assert stream(list(raw), starts).strip() == visible  # one character at a time


def test_streaming_never_emits_reasoning_characters_early():
    f = ReasoningFilter()
    emitted = [f.feed(ch) for ch in "Hi <think>SECRET</think> there"] + [f.finish()]
    assert "SECRET" not in "".join(emitted) and "<" not in "".join(emitted)
    assert "".join(emitted) == "Hi  there"


def test_streaming_drops_leading_whitespace_after_reasoning():
    assert stream(["<think>x</think>", "\n\n", "答案"]) == "答案"


@pytest.fixture(scope="module")
def deepseek_template() -> str:
    template = read_header(deepseek_header_path()).chat_template
    assert template and "</think>" in template  # the real R1-distill template
    return template


def test_real_deepseek_template_does_not_open_think(deepseek_template):
    prompt = generation_prompt(deepseek_template, "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>")
    assert prompt == "<｜Assistant｜>"
    assert not opens_reasoning(prompt)


def test_newer_template_that_opens_think_is_detected(deepseek_template):
    # DeepSeek's later template revision ends the generation prompt with "<think>\n".
    newer = deepseek_template.replace("{{'<｜Assistant｜>'}}{% endif %}", "{{'<｜Assistant｜><think>\\n'}}{% endif %}")
    assert newer != deepseek_template
    prompt = generation_prompt(newer)
    assert prompt.endswith("<think>\n") and opens_reasoning(prompt)


def test_real_template_drops_past_reasoning(deepseek_template):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    render = Jinja2ChatFormatter(deepseek_template, "</s>", "<s>")
    text = render(messages=[{"role": "user", "content": "hi"},
                            {"role": "assistant", "content": "<think>secret</think>hello"}]).prompt
    assert "secret" not in text and "hello" in text


# ---------------------------------------------------------------------- real model output
THINK_THEN_ANSWER = 'root ::= "<think>" [a-z ]{1,10} "</think>" [a-z ]{1,10}'
THINK_FOREVER = 'root ::= "<think>" [a-z ]+'


@pytest.mark.model
def test_real_model_closed_reasoning_is_stripped(local_model):
    pieces = list(local_model.stream_chat(chat("What do you sell?"), max_tokens=32, temperature=0,
                                          grammar=THINK_THEN_ANSWER))
    raw = "".join(pieces)
    assert raw.startswith("<think>") and "</think>" in raw
    answer = raw.split("</think>", 1)[1].strip()
    assert answer and strip_reasoning(raw) == answer
    assert stream(pieces).strip() == answer


@pytest.mark.model
def test_real_model_unclosed_reasoning_shows_nothing(local_model):
    pieces = list(local_model.stream_chat(chat("What do you sell?"), max_tokens=14, temperature=0,
                                          grammar=THINK_FOREVER))
    raw = "".join(pieces)
    assert raw.startswith("<think>") and len(raw) > len("<think>") and "</think>" not in raw
    assert strip_reasoning(raw) == "" and stream(pieces) == ""


@pytest.mark.model
def test_real_model_without_reasoning_is_unchanged(local_model):
    raw = "".join(local_model.stream_chat(chat("Say hello."), max_tokens=12, temperature=0))
    assert raw.strip() and "<think>" not in raw
    assert strip_reasoning(raw) == raw.strip()
