"""Model setup like LM Studio: the first-run guide, pointed at a local HTTP server that serves the real test GGUF
the way ModelScope does (its file list publishes the sha256), downloads the model recommended for this PC with
progress right there, after a first source that fails is explained in words; the model then loads, the status
bar names it, a model this small gets a warning banner, and the Models page marks it in use."""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.llm.test_download import Handler, Site
from tests.ui.flows import log_in
from wxbot.errors import ModelError
from wxbot.events import ModelPhase
from wxbot.llm.catalog import recommended_model
from wxbot.llm.sources import SourceKind, explain, ordered_sources
from wxbot.llm.vram import detect_gpu
from wxbot.ui import model_card
from wxbot.ui.app import greet
from wxbot.ui.guide import FirstRunGuide

pytestmark = [pytest.mark.model, pytest.mark.timeout(180)]


@pytest.fixture
def modelscope(test_model_path) -> Iterator[tuple[Site, str]]:
    """A local server with ModelScope's paths: the recommended model's file (the real test GGUF's bytes) and
    the file list that publishes its sha256."""
    model = recommended_model(detect_gpu())
    data = Path(test_model_path).read_bytes()
    site = Site(files={f"/models/{model.repo}/resolve/master/{model.file}": data},
                listings={f"/api/v1/models/{model.repo}/repo/files": {
                    "Data": {"Files": [{"Path": model.file, "Sha256": hashlib.sha256(data).hexdigest()}]}}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.site = site
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> str:
    with socket.socket() as s:  # a port nothing listens on: the connection is refused
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_the_guide_downloads_verifies_and_loads_the_recommended_model(qtbot, make_app, sim, modelscope,
                                                                     monkeypatch, test_model_path):
    site, base = modelscope
    # the catalog pins the file's sha256 (a hash from outside the server that sends it: only that verifies)
    pinned = hashlib.sha256(Path(test_model_path).read_bytes()).hexdigest()
    monkeypatch.setattr(model_card, "recommended_model",
                        lambda gpu: dataclasses.replace(recommended_model(gpu), sha256=pinned))
    monkeypatch.setenv("HF_ENDPOINT", closed_port())  # English UI: Hugging Face first, and it fails
    monkeypatch.setenv("MODELSCOPE_ENDPOINT", base)
    app = make_app(with_model=False, risk_acknowledged=False)
    seen: dict[str, object] = {"progress": [], "notes": []}

    def download(guide: FirstRunGuide) -> None:
        card = guide.card
        seen["button"] = card.button.text()
        card.progress.connect(lambda done, total: seen["progress"].append((done, total)))
        card.source_failed.connect(lambda err: seen["notes"].append(err.en))
        card.ready.connect(lambda _path: QTimer.singleShot(0, lambda: finish(guide)))
        card.button.click()

    def finish(guide: FirstRunGuide) -> None:
        seen["note"], seen["bar"] = guide.card.note.text(), guide.card.bar.value()
        seen["chosen"] = guide.model_chosen.text()
        guide.next_button.click()  # the model step
        guide.next_button.click()  # Finish

    def run() -> None:
        guide = QApplication.activeModalWidget()
        if not isinstance(guide, FirstRunGuide):
            QTimer.singleShot(50, run)
            return
        guide.next_button.click()  # I understand
        guide.later_button.click()  # the keychain
        download(guide)

    QTimer.singleShot(50, run)
    assert greet(app) is True

    model = recommended_model(detect_gpu())
    assert seen["button"] == "Download"
    assert len(seen["notes"]) == 1 and "refused the connection; trying the next source" in seen["notes"][0]
    assert "Errno" not in seen["notes"][0]
    assert seen["note"] == "Downloaded and verified." and seen["bar"] == 1000
    progress = seen["progress"]
    assert progress and progress[-1][0] == progress[-1][1] == Path(app.svc.settings.model_path).stat().st_size
    assert app.svc.settings.model_path == str(app.svc.settings.data_path / "models" / model.file)
    assert seen["chosen"] == f"Chosen: {model.file}"

    log_in(qtbot, app, sim)  # start(): the store opens and the chosen model loads
    qtbot.waitUntil(lambda: app.svc.model_state.state == ModelPhase.READY, timeout=120000)
    qtbot.waitUntil(lambda: app.window.model_label.text().startswith(f"Model: {model.file} ("), timeout=30000)
    banner = app.window.banner  # SmolLM2-135M (from its GGUF header) is far under a billion parameters
    qtbot.waitUntil(lambda: banner.isVisible() and banner.topic == "small-model", timeout=30000)
    assert "135M parameters" in banner.label.text() and banner.level == "warning"

    app.window.show_page("models")
    assert app.models_page.in_use.text() == f"In use: {model.file}"
    banner.action.click()
    assert app.window.current_page() == "models"


def test_a_gguf_from_disk_is_named_in_use_on_the_models_page(qtbot, make_app, test_model_path):
    app = make_app(with_model=False, model_path=test_model_path)
    app.svc.load_model()
    app.window.show_page("models")
    assert app.models_page.in_use.text() == (f"In use: {Path(test_model_path).name} "
                                             f"(a file from disk: {test_model_path})")


def test_sources_follow_the_language_and_failures_read_in_words(monkeypatch):
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.delenv("MODELSCOPE_ENDPOINT", raising=False)
    assert [s.kind for s in ordered_sources("zh")] == [SourceKind.MODELSCOPE, SourceKind.MIRROR,
                                                      SourceKind.HUGGINGFACE]
    assert [s.kind for s in ordered_sources("en")] == [SourceKind.HUGGINGFACE, SourceKind.MODELSCOPE,
                                                      SourceKind.MIRROR]
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.com")  # a mirror set the huggingface_hub way: tried once
    assert [s.kind for s in ordered_sources("zh")] == [SourceKind.MODELSCOPE, SourceKind.MIRROR]
    # what download.py reports for a host that does not resolve (socket.gaierror's own text)
    reason = str(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    err = explain(ModelError(f"下载失败（{reason}）", f"download failed ({reason}); try again later"),
                  "modelscope.cn")
    assert err.zh == "找不到服务器 modelscope.cn（没有联网，或网络屏蔽了它），正在换下一个下载源"
    assert "Errno" not in str(err) and "Name or service" not in str(err)
