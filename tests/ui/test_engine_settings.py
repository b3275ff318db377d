"""Settings → Model → Engine as the owner uses it: switching to an OpenAI-compatible server takes effect
without a restart, the API key goes to the keychain (never settings.json), and the status bar says which
engine answers and whether its server is reachable."""

from __future__ import annotations

from tests.openai_servers import ReplayServer, chunk
from wxbot.events import ModelState
from wxbot.settings import load_settings
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
                        timeout=10000)
        assert c.svc.settings.llm_backend == "openai"
        assert list(memory_keyring.entries.values()) == ["sk-ui-secret"]
        assert "sk-ui-secret" not in (data_dir / "settings.json").read_text(encoding="utf-8")
        qtbot.waitUntil(lambda: box.api_key.placeholderText().startswith("kept in the keychain"), timeout=10000)
        assert box.api_key.text() == ""  # the key is never shown again
        with qtbot.waitSignal(c.bridge.model_state, timeout=5000):
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
