"""The 模型 Models page against a real HTTP server on 127.0.0.1 (the downloader tests' server, throttled): a
download paused mid-way keeps its .part and a second start continues from it (a Range request), progress is
shown, a bad checksum leaves nothing installed, a file only its own server's hash (or nothing) checked reads
NOT verified (未校验), and
"use this model" sets the setting and loads the real model."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.llm.test_download import Handler, Site
from wxbot.events import ModelPhase
from wxbot.llm import download as dl
from wxbot.llm.catalog import find_embedding_model, find_model
from wxbot.llm.download import Check
from wxbot.media.catalog import find_speech_model
from wxbot.ui.pages.models import MODELS

pytestmark = pytest.mark.timeout(120)

PAYLOAD = os.urandom(4 * dl.CHUNK + 777)
BGE = find_embedding_model("bge-small-zh")
BGE_PATH = f"/{BGE.repo}/resolve/main/{BGE.file}"


class _Slow:
    """A socket writer that sends 64 KiB every 10 ms, so a transfer takes long enough to pause."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        try:
            for i in range(0, len(data), 1 << 16):
                self.raw.write(data[i:i + (1 << 16)])
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):  # the client paused or cancelled
            pass
        return len(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


class SlowHandler(Handler):
    def setup(self) -> None:
        super().setup()
        self.wfile = _Slow(self.wfile)


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    server.site = Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def opened_page(make_app, base: str):
    controller = make_app(with_model=False)
    controller.window.show()
    controller.window.show_page("models")
    page = controller.models_page
    page.source.setCurrentIndex(page.source.findData("mirror"))
    page.mirror.setText(base)
    page.select(BGE.key)
    return controller, page


def status(page, key: str) -> str:
    row = next(i for i, m in enumerate(MODELS) if m.key == key)
    return page.table.item(row, 4).text()


def test_paused_download_resumes_from_the_part_file_and_is_checked_against_its_servers_hash(qtbot, make_app, site):
    s, base = site
    s.files["/blob/bge"] = PAYLOAD
    s.redirects[BGE_PATH] = ("/blob/bge", hashlib.sha256(PAYLOAD).hexdigest())  # like huggingface.co's 302
    controller, page = opened_page(make_app, base)
    seen: list[tuple[int, int]] = []
    page.progress.connect(lambda done, total: seen.append((done, total)))
    def pause_once(*_) -> None:  # pause at the first progress report
        page.progress.disconnect(pause_once)
        page.pause()

    page.progress.connect(pause_once)
    with qtbot.waitSignal(page.paused, timeout=30000):
        page.buttons["download"].click()
    part = page.folder() / (BGE.file + ".part")
    kept = part.stat().st_size
    assert 0 < kept < len(PAYLOAD) and not (page.folder() / BGE.file).exists()
    assert status(page, BGE.key).startswith("paused at")
    assert seen and seen[0][1] == len(PAYLOAD) and page.bar.value() > 0 and "MB/s" in page.rate.text()

    # a second start (as after a restart) continues from the .part
    with qtbot.waitSignal(page.finished, timeout=30000) as got:
        page.buttons["download"].click()
    assert got.args[0].check is Check.SERVER_HASH and not got.args[0].verified  # the mirror vouched for itself
    assert (page.folder() / BGE.file).read_bytes() == PAYLOAD and not part.exists()
    assert ("/blob/bge", f"bytes={kept}-") in s.log
    assert status(page, BGE.key) == "installed — NOT verified" and page.bar.value() == 1000
    assert "NOT verified" in page.note.text() and "its own server (127.0.0.1)" in page.note.text()


def test_bad_checksum_is_rejected_and_nothing_installed(qtbot, make_app, site):
    s, base = site
    s.files["/blob/bge"] = PAYLOAD
    s.redirects[BGE_PATH] = ("/blob/bge", "0" * 64)
    controller, page = opened_page(make_app, base)
    with qtbot.waitSignal(page.error, timeout=30000) as failed:
        page.buttons["download"].click()
    assert "failed its checksum" in failed.args[0].en and "Pick another source" in failed.args[0].en
    assert list(page.folder().iterdir()) == [] and status(page, BGE.key) == "not installed"


def test_unpublished_hash_reads_not_verified_and_cancel_deletes_the_part(qtbot, make_app, site):
    s, base = site
    s.files[BGE_PATH] = PAYLOAD  # no redirect, no hash anywhere
    controller, page = opened_page(make_app, base)
    with qtbot.waitSignal(page.finished, timeout=30000) as got:
        page.buttons["download"].click()
    assert not got.args[0].verified
    assert "NOT verified" in page.note.text() and "NOT verified" in status(page, BGE.key)

    page.buttons["delete"].click()
    assert status(page, BGE.key) == "not installed"
    page.progress.connect(lambda *_: page.cancel_download())
    with qtbot.waitSignal(page.paused, timeout=30000):
        page.buttons["download"].click()
    assert list(page.folder().iterdir()) == [] and status(page, BGE.key) == "not installed"


def test_use_this_model_sets_the_settings_and_loads_the_model(qtbot, make_app, test_model_path):
    controller, page = opened_page(make_app, "http://127.0.0.1:9")
    page.folder().mkdir(parents=True, exist_ok=True)
    chat = find_model("r1-qwen-1.5b")
    shutil.copy(test_model_path, page.folder() / chat.file)  # the real (tiny) GGUF under a catalog name
    (page.folder() / BGE.file).write_bytes(b"GGUF")
    page.refresh()

    with qtbot.waitSignal(page.model_chosen, timeout=30000) as chosen:
        page.select(BGE.key)
        page.buttons["use"].click()
    assert controller.svc.settings.kb_embedding_model == chosen.args[0] == str(page.folder() / BGE.file)

    with qtbot.waitSignal(page.model_chosen, timeout=60000) as chosen:
        page.select(chat.key)
        page.buttons["use"].click()
    assert controller.svc.settings.model_path == chosen.args[0] == str(page.folder() / chat.file)
    qtbot.waitUntil(lambda: controller.svc.model_state.state == ModelPhase.READY, timeout=60000)
    assert "in use" in status(page, chat.key)


def test_a_speech_model_downloads_as_a_folder_and_is_used_for_voice(qtbot, make_app, site):
    s, base = site
    speech = find_speech_model("whisper-base")
    for name in speech.files:
        s.files[f"/{speech.repo}/resolve/main/{name}"] = name.encode() * 100
    s.files["/blob/speech"] = PAYLOAD
    s.redirects[f"/{speech.repo}/resolve/main/model.bin"] = ("/blob/speech", hashlib.sha256(PAYLOAD).hexdigest())
    controller, page = opened_page(make_app, base)
    row = next(i for i, m in enumerate(MODELS) if m.key == speech.key)
    assert page.table.item(row, 1).text() == "speech (voice messages)" and status(page, speech.key) == "not installed"
    page.select(speech.key)
    with qtbot.waitSignal(page.finished, timeout=30000) as got:
        page.buttons["download"].click()
    folder = page.target(speech)
    # the catalog has no hash of its own for a speech model: only the server that sent it vouches for it
    assert got.args[0].check is Check.SERVER_HASH and not got.args[0].verified
    assert (folder / "model.bin").read_bytes() == PAYLOAD
    assert sorted(p.name for p in folder.iterdir()) == sorted(speech.files)
    assert status(page, speech.key) == "installed — NOT verified"

    with qtbot.waitSignal(page.model_chosen, timeout=30000):
        page.buttons["use"].click()
    assert controller.svc.settings.speech_model == speech.key and "in use" in status(page, speech.key)
    page.buttons["delete"].click()
    assert not folder.exists() and status(page, speech.key) == "not installed"
