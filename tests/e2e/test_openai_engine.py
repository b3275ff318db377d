"""The whole bot on an OpenAI-compatible engine: real itchat ⇄ simulator ⇄ BotService ⇄ a real model server
(``llama_cpp.server`` on the test model) — replies, a killed server, a wrong key, switching engines live."""

from __future__ import annotations

from loguru import logger

from tests.openai_servers import SERVED_NAME, LlamaCppServer, ReplayServer, chunk
from wxbot.events import BotState, ModelState, Notice
from wxbot.store.apikey import API_KEY_ENV


def model_state(h, phase: str, start: int = 0) -> ModelState:
    return h.log.wait_for(lambda e: isinstance(e, ModelState) and e.state == phase, start=start,
                          what=f"model {phase}")


def openai_harness(harness, server, **overrides):
    return harness(with_model=False, llm_backend="openai", openai_base_url=server.base_url,
                   openai_model=SERVED_NAME, **overrides)


def test_private_messages_are_answered_by_the_model_server(harness, llama_server, monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, llama_server.api_key)
    h = openai_harness(harness, llama_server)
    h.start()
    ready = model_state(h, "ready")
    assert ready.info.engine == "openai" and ready.detail == f"{SERVED_NAME} @ 127.0.0.1:{llama_server.port}"
    msg_id = h.sim.inject("zhang", "你好，请问你们卖什么？")
    assert h.settle([msg_id])[msg_id] == "replied"
    reply = h.wait_outbox(1)[0]
    assert reply["to_id"] == "zhang" and reply["text"].startswith("[AI] ") and len(reply["text"]) > len("[AI] ")


def test_a_killed_server_is_a_clear_error_and_replies_resume_when_it_is_back(harness, test_model_path, tmp_path,
                                                                             monkeypatch):
    server = LlamaCppServer(test_model_path, tmp_path / "server.log").start()
    monkeypatch.setenv(API_KEY_ENV, server.api_key)
    try:
        h = openai_harness(harness, server)
        h.start()
        model_state(h, "ready")
        server.kill()
        mark = h.log.mark()
        lost = h.sim.inject("zhang", "在吗？")
        assert h.settle([lost])[lost] == "failed"
        unreachable = model_state(h, "unreachable", mark)
        assert "连不上模型服务器" in unreachable.detail and "cannot reach the model server" in unreachable.detail
        notice = h.log.wait_for(lambda e: isinstance(e, Notice) and e.level == "error", start=mark)
        assert "连不上模型服务器" in notice.text and "cannot reach" in notice.text
        assert h.sim.outbox() == []  # nothing half-made reached the contact
        server.start()  # the same address: the bot needs no restart and no new settings
        mark = h.log.mark()
        back = h.sim.inject("zhang", "现在呢？")
        assert h.settle([back])[back] == "replied"
        assert model_state(h, "ready", mark).info.engine == "openai"
        assert h.wait_outbox(1)[0]["text"].startswith("[AI] ")
    finally:
        server.kill()


def test_a_wrong_key_is_a_clear_error_and_keeps_auto_reply_stopped(harness, llama_server, monkeypatch):
    monkeypatch.setenv(API_KEY_ENV, "not-the-key")
    h = openai_harness(harness, llama_server)
    h.start()
    refused = model_state(h, "error")
    assert "401" in refused.detail and "API 密钥" in refused.detail and "API key" in refused.detail
    assert "not-the-key" not in refused.detail
    assert not h.svc.bot_running  # nothing the server would refuse anyway is attempted
    stopped = h.log.of(BotState)[-1]
    assert stopped.state == "stopped" and "401" in stopped.detail
    msg_id = h.sim.inject("zhang", "你好")
    assert h.settle([msg_id])[msg_id] == "skipped"
    assert h.sim.outbox() == []


def test_switching_engines_in_settings_takes_effect_without_a_restart(harness, data_dir, memory_keyring,
                                                                      test_model_path):
    replay = ReplayServer([chunk("来自服务器的回答：衬衫 129 元。")])
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="DEBUG")
    try:
        h = harness(with_model=True)
        svc = h.start()
        model_state(h, "ready")
        first = h.sim.inject("zhang", "你好")
        h.settle([first])
        assert "来自服务器" not in h.wait_outbox(1)[0]["text"]  # the local model answered
        mark = h.log.mark()
        svc.apply_settings(svc.settings.replace(llm_backend="openai", openai_base_url=replay.base_url),
                           api_key="sk-secret-123")
        assert model_state(h, "ready", mark).info.engine == "openai"
        second = h.sim.inject("zhang", "衬衫多少钱？")
        h.settle([second])
        assert h.wait_outbox(2)[1]["text"] == "[AI] 来自服务器的回答：衬衫 129 元。"
        assert replay.keys == ["Bearer sk-secret-123"]  # the key from the keychain reached the server
        mark = h.log.mark()
        svc.apply_settings(svc.settings.replace(llm_backend="local", model_path=test_model_path))
        assert model_state(h, "ready", mark).info.engine == "local"
        third = h.sim.inject("zhang", "谢谢")
        h.settle([third])
        assert "来自服务器" not in h.wait_outbox(3)[2]["text"] and len(replay.requests) == 1
        settings_json = (data_dir / "settings.json").read_text(encoding="utf-8")
    finally:
        logger.remove(sink)
        replay.close()
    assert [v.split("\n")[-1] for (_, user), v in memory_keyring.entries.items()
            if user.startswith("openai-api-key-")] == ["sk-secret-123"]
    assert "sk-secret" not in settings_json and "sk-secret" not in "".join(lines)
