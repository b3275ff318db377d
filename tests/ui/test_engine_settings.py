"""Settings → Model → Engine as the owner uses it: switching to an OpenAI-compatible server takes effect
without a restart, the API key goes to the keychain (never settings.json), and the status bar says which
engine answers and whether its server is reachable."""

from __future__ import annotations

from tests.openai_servers import ReplayServer, chunk
from wxbot.events import ModelState
from wxbot.settings import load_settings
from wxbot.store.apikey import saved_api_key
from wxbot.ui.controller import AppController


def test_switching_to_a_server_in_settings_needs_no_restart(qtbot, data_dir, memory_keyring):
    server = ReplayServer([chunk("好")])
    c = AppController(load_settings(), "en", use_tray=False)
    qtbot.addWidget(c.window)
    c.window.show()
    try:
        page = c.settings_page
        box = page.engine
        assert box.engine.currentData() == "local" and not box.base_url.isEnabled()
        box.engine.setCurrentIndex(box.engine.findData("openai"))
        assert box.base_url.isEnabled() and box.api_key.isEnabled()
        box.base_url.setText(server.base_url)
        box.api_key.setText("sk-ui-secret")
        page.apply_button.click()
        qtbot.waitUntil(lambda: c.svc.model_state.state == "ready", timeout=30000)
        port = server.base_url.split(":")[2].split("/")[0]
        qtbot.waitUntil(lambda: c.window.model_label.text() == f"Server model: replay @ 127.0.0.1:{port} (reachable)",
                        timeout=30000)
        assert c.svc.settings.llm_backend == "openai"
        assert saved_api_key(data_dir) == (f"http://127.0.0.1:{port}", "sk-ui-secret")
        assert "sk-ui-secret" not in (data_dir / "settings.json").read_text(encoding="utf-8")
        qtbot.waitUntil(lambda: box.api_key.placeholderText().startswith("kept in the keychain"), timeout=30000)
        assert box.api_key.text() == ""  # the key is never shown again
        with qtbot.waitSignal(c.bridge.model_state, timeout=30000):
            c.bridge.post(ModelState("unreachable", detail="连不上模型服务器 (cannot reach the model server)",
                                     info=c.svc.model_state.info))
        assert c.window.model_label.text() == f"Server model: replay @ 127.0.0.1:{port} (unreachable)"
        assert c.window.banner.level == "warning" and "cannot reach" in c.window.banner.label.text()
    finally:
        c.close_now()
        server.close()


def test_a_bad_server_address_is_refused_in_words_in_the_window(qtbot, data_dir, memory_keyring):
    c = AppController(load_settings(), "en", use_tray=False)
    qtbot.addWidget(c.window)
    try:
        page = c.settings_page
        page.engine.engine.setCurrentIndex(page.engine.engine.findData("openai"))
        page.engine.base_url.setText("http://[::1")
        page.apply_button.click()
        assert "openai_base_url" in page.error.text() and "http://" in page.error.text()
        assert c.svc.settings.llm_backend == "local"  # nothing applied
    finally:
        c.close_now()


def test_a_saved_key_is_not_sent_to_a_new_address_and_can_be_removed(qtbot, data_dir, memory_keyring):
    first, second = ReplayServer([chunk("好")]), ReplayServer([chunk("好")])
    c = AppController(load_settings(), "en", use_tray=False)
    qtbot.addWidget(c.window)
    try:
        page, box = c.settings_page, c.settings_page.engine
        box.engine.setCurrentIndex(box.engine.findData("openai"))
        box.base_url.setText(first.base_url)
        box.api_key.setText("sk-for-the-first-server")
        page.apply_button.click()
        qtbot.waitUntil(lambda: c.svc.model_state.state == "ready", timeout=30000)
        qtbot.waitUntil(lambda: box.api_key.placeholderText().startswith("kept in the keychain"), timeout=30000)

        box.base_url.setText(second.base_url)  # another server, no key typed for it
        assert box.api_key.placeholderText().startswith("kept for http://127.0.0.1:")
        page.apply_button.click()
        qtbot.waitUntil(lambda: c.svc.settings.openai_base_url == second.base_url, timeout=30000)
        qtbot.waitUntil(lambda: c.svc.model_state.state == "ready", timeout=30000)
        assert "".join(c.svc.model.stream_chat([{"role": "user", "content": "hi"}], max_tokens=4, temperature=0))
        assert second.keys == ["Bearer none"]  # the first server's key stayed with the first server

        assert box.forget_key.isEnabled()
        box.forget_key.click()
        assert box.api_key.placeholderText() == "removed when you apply"
        page.apply_button.click()
        qtbot.waitUntil(lambda: saved_api_key(data_dir) == ("", ""), timeout=30000)
    finally:
        c.close_now()
        first.close()
        second.close()


def test_plain_http_to_another_machine_is_warned_about(qtbot, data_dir, memory_keyring):
    from wxbot.ui.pages.engine_box import EngineBox

    box = EngineBox()
    qtbot.addWidget(box)
    box.load(load_settings())
    box.engine.setCurrentIndex(box.engine.findData("openai"))
    for url, warned in [("http://192.168.1.20:8080/v1", True), ("http://llm.lan/v1", True),
                        ("https://192.168.1.20/v1", False), ("http://127.0.0.1:8080/v1", False),
                        ("http://localhost:8080/v1", False), ("http://[::1]:8080/v1", False)]:
        box.base_url.setText(url)
        assert ("clear text" in box.clear_text.text()) is warned, url
