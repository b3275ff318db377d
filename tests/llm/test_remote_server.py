"""The OpenAI-compatible backend against a real server: llama-cpp-python's ``llama_cpp.server`` serving the test
model on 127.0.0.1 — streaming, the server's tokenizer, cancellation that closes the stream, a wrong key."""

from __future__ import annotations

import threading
import time

import pytest

from tests.openai_servers import SERVED_NAME, ReplayServer, chunk
from wxbot.errors import EngineError, GenerationCancelled
from wxbot.llm.remote import OpenAIModel
from wxbot.llm.tokens import VocabCounter
from wxbot.settings import Settings

CHAT = [{"role": "system", "content": "You are a shop assistant."}, {"role": "user", "content": "What do you sell?"}]


def connect(server, key: str = "test-key", **settings) -> OpenAIModel:
    s = Settings(llm_backend="openai", openai_base_url=server.base_url, **settings)
    return OpenAIModel(s, key).connect()


def test_a_reply_streams_in_pieces_from_the_real_server(llama_server):
    model = connect(llama_server)  # no model name set: the server's first listed model
    assert model.info.name == SERVED_NAME and model.info.engine == "openai" and model.info.local is None
    assert model.info.description == f"{SERVED_NAME} @ 127.0.0.1:{llama_server.port}"
    pieces = list(model.stream_chat(CHAT, max_tokens=12, temperature=0.0))
    assert len(pieces) > 3 and "".join(pieces).strip()
    assert model.reachable


def test_the_servers_tokenizer_counts_without_undercounting(llama_server, test_model_path):
    model = connect(llama_server, openai_model=SERVED_NAME)
    exact = VocabCounter(test_model_path).count(CHAT)  # the model's own template and vocabulary
    counted = model.count_tokens(CHAT)
    assert exact <= counted <= exact + 40  # plain-text tokenizer + estimated template wrapping


def test_cancel_closes_the_stream_so_the_server_stops(llama_server):
    model = connect(llama_server)
    cancel = threading.Event()
    got: list[str] = []
    with pytest.raises(GenerationCancelled):
        for piece in model.stream_chat(CHAT, max_tokens=2000, temperature=0.8, cancel=cancel):
            got.append(piece)
            cancel.set()
    assert len(got) == 1
    deadline = time.monotonic() + 30
    while "disconnected" not in llama_server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "disconnected" in llama_server.log()  # llama_cpp.server saw the closed stream and stopped generating
    assert "".join(model.stream_chat(CHAT, max_tokens=4, temperature=0.0))  # and serves the next one


def test_a_wrong_key_is_refused_in_words_and_not_retried(llama_server):
    with pytest.raises(EngineError) as err:
        connect(llama_server, key="wrong-key")
    assert err.value.status == 401 and not err.value.retriable
    assert "API 密钥" in err.value.zh and "API key" in err.value.en
    assert "wrong-key" not in str(err.value)


def test_repeat_penalty_reaches_llama_cpp_servers_only(llama_server):
    model = connect(llama_server)
    assert "".join(model.stream_chat(CHAT, max_tokens=4, temperature=0.0, repeat_penalty=1.1))  # accepted
    replay = ReplayServer([chunk("好")])
    try:
        other = OpenAIModel(Settings(llm_backend="openai", openai_base_url=replay.base_url), "").connect()
        assert "".join(other.stream_chat(CHAT, max_tokens=4, temperature=0.0, repeat_penalty=1.1)) == "好"
        assert "repeat_penalty" not in replay.requests[0]  # a server of another kind never sees the field
    finally:
        replay.close()
