"""The OpenAI-compatible backend on recorded stream shapes only other servers produce (DeepSeek API, vLLM,
Ollama): reasoning never reaches a contact nor goes back in history; retries only when nothing was accepted."""

from __future__ import annotations

import threading

import pytest

from tests.openai_servers import HostileServer, ReplayServer, chunk
from wxbot.core.engine import ReplyEngine
from wxbot.core.history import MemoryHistory
from wxbot.errors import EngineError, GenerationCancelled
from wxbot.llm.remote import OpenAIModel
from wxbot.messages import ChatKind, Message
from wxbot.settings import Settings

SECRET = "SECRET-REASONING 用户的价格是多少"
ANSWER = "这件衬衫 129 元，尺码 XL 有货。"


def split(text: str, size: int = 3) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


VARIANTS = {
    # DeepSeek API and vLLM before its rename
    "reasoning_content": [chunk(None, reasoning_content=p) for p in split(SECRET)] + [chunk(p) for p in split(ANSWER)],
    # vLLM since the rename (PR #27752)
    "reasoning": [chunk(None, reasoning=p) for p in split(SECRET)] + [chunk(p) for p in split(ANSWER)],
    # Ollama / llama-server without a reasoning parser: inline tags, split across chunks
    "inline": [chunk(p) for p in ["<th", "ink>", *split(SECRET), "</th", "ink>\n\n", *split(ANSWER)]],
    # a template that opened <think> itself: only the closing tag arrives
    "opened_by_template": [chunk(p) for p in [*split(SECRET), "</think>", *split(ANSWER)]],
}


def msg(text: str, n: int = 1) -> Message:
    return Message(msg_id=f"m{n}", contact_id="A", display_name="A", chat=ChatKind.PRIVATE, text=text,
                   time=1000.0 + n)


def model_for(server: ReplayServer, **settings) -> OpenAIModel:
    s = Settings(llm_backend="openai", openai_base_url=server.base_url, openai_timeout=5.0, **settings)
    return OpenAIModel(s, "").connect()


@pytest.fixture
def replay():
    servers: list[ReplayServer] = []

    def make(*script) -> ReplayServer:
        servers.append(ReplayServer(*script))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_reasoning_never_reaches_the_contact_nor_goes_back_in_history(replay, variant):
    server = replay(VARIANTS[variant])
    history = MemoryHistory()
    engine = ReplyEngine(Settings(max_reply_tokens=256), model_for(server), history)
    reply = engine.reply([msg("衬衫多少钱？")])
    assert reply.body == ANSWER  # digits, sizes and prices untouched
    assert "SECRET" not in "".join(reply.parts)
    history.add_turn("A", "user", "衬衫多少钱？", 1001.0)
    history.add_turn("A", "assistant", reply.body, 1002.0)
    engine.reply([msg("有别的颜色吗？", 2)])
    sent_back = server.requests[1]["messages"]
    assert {"role": "assistant", "content": ANSWER} in sent_back
    assert all(set(m) == {"role", "content"} for m in sent_back)  # no reasoning_content / reasoning fields
    assert "SECRET" not in str(sent_back) and "think" not in str(sent_back)


def test_server_errors_before_any_text_are_retried_once_more(replay):
    server = replay(503, 429, [chunk("好的")])
    model = model_for(server)
    assert "".join(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0)) == "好的"
    assert len(server.requests) == 3


def test_a_stream_cut_after_text_is_not_retried(replay):
    server = replay(("cut", [chunk("半句")]), [chunk("第二次回答")])
    model = model_for(server)
    got: list[str] = []
    with pytest.raises(EngineError):
        got.extend(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0))
    assert got == ["半句"]
    assert len(server.requests) == 1  # never asked twice: no double reply


@pytest.mark.parametrize("status,words", [(404, "404"), (400, "400"), (401, "API")])
def test_refusals_are_words_and_not_retried(replay, status, words):
    server = replay(status)
    model = OpenAIModel(Settings(llm_backend="openai", openai_base_url=server.base_url, openai_model="x"), "")
    with pytest.raises(EngineError) as err:
        list(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0))
    assert words in err.value.en and err.value.zh
    assert len(server.requests) == 1


def test_a_server_that_streams_forever_is_cut_at_the_deadline(replay):
    server = replay("forever")
    model = model_for(server)
    with pytest.raises(EngineError, match="5 s"):
        list(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0))
    assert len(server.requests) == 1


def test_a_server_that_ignores_max_tokens_is_not_read_forever(replay):
    server = replay([chunk("字")] * 50)
    model = model_for(server)
    assert "".join(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0)) == "字" * 8


def test_cancel_closes_the_stream(replay):
    server = replay("forever")
    model = model_for(server)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(GenerationCancelled):
        list(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0, cancel=cancel))
    deadline = threading.Event()
    for _ in range(100):  # the server notices the closed connection at its next write
        if server.disconnects:
            break
        deadline.wait(0.05)
    assert server.disconnects == 1


@pytest.fixture
def hostile():
    servers: list[HostileServer] = []

    def make(mode: str) -> HostileServer:
        servers.append(HostileServer(mode))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.mark.timeout(120)
def test_one_huge_event_is_cut_off_in_words(hostile):
    server = hostile("huge")
    model = model_for(server)
    with pytest.raises(EngineError, match="more than 8 MB") as err:
        list(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0))
    assert "超过 8 MB" in err.value.zh and not err.value.retriable


@pytest.mark.timeout(120)
def test_a_server_that_trickles_forever_is_cut_at_the_timeout_everywhere(hostile):
    server = hostile("trickle")
    settings = Settings(llm_backend="openai", openai_base_url=server.base_url, openai_timeout=5.0)
    model = OpenAIModel(settings, "")
    with pytest.raises(EngineError, match="5 s"):  # the model list at connect
        model.connect()
    with pytest.raises(EngineError, match="5 s"):  # a reply
        list(model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=8, temperature=0))
    assert model.count_tokens([{"role": "user", "content": "hi"}]) > 0  # the tokenizer probe gives up: an estimate
    assert server.dropped.wait(10)
