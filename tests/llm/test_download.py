"""The model downloader against a real HTTP server on 127.0.0.1: resume, restart, checksums, cancel, mirrors,
and that a file is called verified only when a hash was checked (Hugging Face's header on every path,
ModelScope's file list, an existing file)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wxbot.errors import ConfigError, ModelError
from wxbot.llm import download as dl
from wxbot.llm.catalog import find_model
from wxbot.llm.download import (
    Check,
    DownloadCancelled,
    ExistingFileMismatch,
    download,
    download_first,
    download_model,
)

pytestmark = pytest.mark.timeout(60)

PAYLOAD = os.urandom(3 * dl.CHUNK + 12345)  # a few chunks, not chunk-aligned
SHA = hashlib.sha256(PAYLOAD).hexdigest()


@dataclass
class Site:
    files: dict[str, bytes] = field(default_factory=dict)
    honor_range: bool = True
    drops: dict[str, list[int]] = field(default_factory=dict)  # path -> close the connection after N body bytes
    redirects: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (target, X-Linked-Etag)
    listings: dict[str, object] = field(default_factory=dict)  # API path (no query) -> JSON, like ModelScope's
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)
    unsized: set[str] = field(default_factory=set)  # paths answered without Content-Length (to the end of the stream)
    failing: set[str] = field(default_factory=set)  # paths answered 503
    on_request: Callable[[str], None] | None = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output quiet
        pass

    def do_GET(self) -> None:
        site: Site = self.server.site
        site.log.append((self.path, self.headers.get("Range")))
        if site.on_request is not None:
            site.on_request(self.path)
        if self.path in site.failing:
            self.send_error(503)
            return
        if self.path.split("?")[0] in site.listings:
            data = json.dumps(site.listings[self.path.split("?")[0]]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if self.path in site.redirects:  # like huggingface.co: a 302 carrying the LFS sha256
            target, etag = site.redirects[self.path]
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = site.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start, wanted = 0, self.headers.get("Range")
        if wanted and site.honor_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        if self.path not in site.unsized:
            self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        drops = site.drops.get(self.path)
        cut = drops.pop(0) if drops else None
        self.wfile.write(body[start:] if cut is None else body[start:start + cut])
        self.close_connection = True


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.site = Site(files={"/m/model.gguf": PAYLOAD})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(dl, "RETRY_DELAY_S", 0.01)


def test_download_checks_and_renames(site, tmp_path):
    s, base = site
    seen: list[tuple[int, int]] = []
    got = download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, on_progress=lambda d, t: seen.append((d, t)),
                   cancel=None)
    assert got.path == tmp_path / "model.gguf" and got.path.read_bytes() == PAYLOAD
    assert (got.verified, got.sha256, got.checked_by) == (True, SHA, "the catalog")
    assert not (tmp_path / "model.gguf.part").exists()
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD)) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    # already there and good: checked against the known hash, no second request
    again = download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, on_progress=None, cancel=None)
    assert again.path == got.path and again.verified
    assert len(s.log) == 1


def test_dropped_connection_resumes_with_range(site, tmp_path):
    s, base = site
    s.drops["/m/model.gguf"] = [dl.CHUNK + 100, 5000]  # two drops, then a full answer
    got = download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, on_progress=None, cancel=None)
    assert got.path.read_bytes() == PAYLOAD
    assert s.log == [("/m/model.gguf", None), ("/m/model.gguf", f"bytes={dl.CHUNK + 100}-"),
                     ("/m/model.gguf", f"bytes={dl.CHUNK + 5100}-")]


def test_server_ignoring_range_restarts_from_zero(site, tmp_path):
    s, base = site
    s.honor_range = False
    s.drops["/m/model.gguf"] = [200_000]
    got = download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, on_progress=None, cancel=None)
    assert got.path.read_bytes() == PAYLOAD  # not 200,000 bytes of the start twice
    assert s.log[1] == ("/m/model.gguf", "bytes=200000-")


def test_bad_checksum_deletes_the_partial_file(site, tmp_path):
    _, base = site
    with pytest.raises(ModelError) as err:
        download(f"{base}/m/model.gguf", tmp_path, sha256="0" * 64, on_progress=None, cancel=None)
    assert "checksum mismatch" in err.value.en and "校验失败" in err.value.zh
    assert list(tmp_path.iterdir()) == []


def test_published_sha256_from_the_redirect(site, tmp_path):
    s, base = site
    s.redirects["/good/model.gguf"] = (f"{base}/m/model.gguf", SHA)
    s.redirects["/evil/model.gguf"] = (f"{base}/m/model.gguf", "f" * 64)
    with pytest.raises(ModelError, match="expected sha256 f{64}"):
        download(f"{base}/evil/model.gguf", tmp_path, on_progress=None, cancel=None)
    got = download(f"{base}/good/model.gguf", tmp_path, on_progress=None, cancel=None)
    assert got.path.read_bytes() == PAYLOAD
    # the server that sent the bytes vouched for them itself: a whole transfer, not a verified file
    assert (got.sha256, got.checked_by, got.check, got.verified) == (SHA, "127.0.0.1", Check.SERVER_HASH, False)
    assert "NOT verified" in got.words()[1] and "未校验" in got.words()[0]


def test_cancel_keeps_the_part_and_the_next_call_resumes(site, tmp_path):
    s, base = site
    cancel = threading.Event()
    with pytest.raises(DownloadCancelled):
        download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, on_progress=lambda d, t: cancel.set(), cancel=cancel)
    kept = (tmp_path / "model.gguf.part").stat().st_size
    assert 0 < kept < len(PAYLOAD) and not (tmp_path / "model.gguf").exists()
    got = download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, on_progress=None, cancel=None)
    assert got.path.read_bytes() == PAYLOAD
    assert s.log[-1] == ("/m/model.gguf", f"bytes={kept}-")


def test_complete_part_file_is_finished_not_fetched_again(site, tmp_path):
    s, base = site
    (tmp_path / "model.gguf.part").write_bytes(PAYLOAD)  # the app stopped between the last byte and the rename
    assert download(f"{base}/m/model.gguf", tmp_path, sha256=SHA).path.read_bytes() == PAYLOAD
    assert s.log == [("/m/model.gguf", f"bytes={len(PAYLOAD)}-")]
    (tmp_path / "model.gguf").unlink()
    (tmp_path / "model.gguf.part").write_bytes(PAYLOAD + b"junk")  # longer than the file: start over
    assert download(f"{base}/m/model.gguf", tmp_path, sha256=SHA).path.read_bytes() == PAYLOAD


def test_complete_part_answered_416_is_checked_against_the_published_hash(site, tmp_path):
    # as in production: no hash from the catalog; Hugging Face's redirect names it even when the answer is 416
    s, base = site
    s.redirects["/hf/model.gguf"] = (f"{base}/m/model.gguf", SHA)
    (tmp_path / "model.gguf.part").write_bytes(PAYLOAD)
    got = download(f"{base}/hf/model.gguf", tmp_path)
    assert (got.check, got.sha256) == (Check.SERVER_HASH, SHA) and got.path.read_bytes() == PAYLOAD
    assert s.log[-1] == ("/m/model.gguf", f"bytes={len(PAYLOAD)}-")  # nothing fetched again
    (tmp_path / "model.gguf").unlink()
    s.redirects["/hf/model.gguf"] = (f"{base}/m/model.gguf", "e" * 64)  # the same bytes, another hash
    (tmp_path / "model.gguf.part").write_bytes(PAYLOAD)
    with pytest.raises(ModelError, match="expected sha256 e{64}"):
        download(f"{base}/hf/model.gguf", tmp_path)
    assert not (tmp_path / "model.gguf").exists()


def test_an_existing_file_is_checked_not_trusted(site, tmp_path):
    s, base = site
    s.redirects["/hf/model.gguf"] = (f"{base}/m/model.gguf", SHA)
    (tmp_path / "model.gguf").write_bytes(PAYLOAD)
    got = download(f"{base}/hf/model.gguf", tmp_path)
    assert (got.check, got.sha256) == (Check.SERVER_HASH, SHA)
    assert s.log[-1] == ("/m/model.gguf", f"bytes={len(PAYLOAD)}-")  # asked for the hash, not the bytes
    (tmp_path / "model.gguf").write_bytes(PAYLOAD[:-1] + b"\0")  # damaged on disk
    with pytest.raises(ExistingFileMismatch) as err:
        download_first([f"{base}/hf/model.gguf", f"{base}/m/model.gguf"], tmp_path)
    assert "does not match" in err.value.en and "不一致" in err.value.zh
    assert (tmp_path / "model.gguf").exists()  # the owner's file is kept; they decide


def test_a_source_without_a_hash_is_not_called_verified(site, tmp_path):
    s, base = site  # a plain mirror: no X-Linked-Etag, no file list
    got = download_first([f"{base}/m/model.gguf"], tmp_path)
    assert got.path.read_bytes() == PAYLOAD and not got.verified and got.sha256 is None
    assert got.check is Check.SIZE and "only its size" in got.words()[1]
    assert not download(f"{base}/m/model.gguf", tmp_path).verified  # nor when it is already there


def test_modelscope_publishes_the_hash_in_its_file_list(site, tmp_path):
    s, base = site
    model = find_model("r1-qwen-1.5b")
    s.files[f"/models/{model.repo}/resolve/master/{model.file}"] = PAYLOAD
    listing = f"/api/v1/models/{model.repo}/repo/files"
    s.listings[listing] = {"Code": 200, "Data": {"Files": [{"Path": "README.md", "Sha256": "1" * 64},
                                                           {"Path": model.file, "Sha256": SHA.upper()}]}}
    dead_hf = "http://127.0.0.1:9"  # Hugging Face unreachable: ModelScope is the source
    got = download_model(model, tmp_path, hf_endpoint=dead_hf, modelscope_endpoint=base)
    assert got.path.read_bytes() == PAYLOAD
    assert (got.sha256, got.checked_by) == (SHA, "ModelScope's file list")
    got.path.unlink()
    s.listings[listing]["Data"]["Files"][1]["Sha256"] = "d" * 64
    with pytest.raises(ModelError, match="every download source failed"):
        download_model(model, tmp_path, hf_endpoint=dead_hf, modelscope_endpoint=base)
    assert list(tmp_path.iterdir()) == []  # the bad download is deleted


def test_a_mirror_download_is_verified_by_modelscopes_hash(site, tmp_path):
    # the HF mirror sends no hash; the next source's published hash checks the file already in place
    s, base = site
    model = find_model("r1-qwen-1.5b")
    s.files[f"/{model.repo}/resolve/main/{model.file}"] = PAYLOAD
    s.listings[f"/api/v1/models/{model.repo}/repo/files"] = {"Data": {"Files": [{"Path": model.file, "Sha256": SHA}]}}
    got = download_model(model, tmp_path, hf_endpoint=base, modelscope_endpoint=base)
    assert got.verified and got.checked_by == "ModelScope's file list"


def test_missing_file_is_a_readable_error_without_retries(site, tmp_path):
    s, base = site
    with pytest.raises(ModelError, match="answered 404"):
        download(f"{base}/m/absent.gguf", tmp_path, sha256=None, on_progress=None, cancel=None)
    assert len(s.log) == 1


def test_mirror_fallback(site, tmp_path):
    s, base = site
    dead = "http://127.0.0.1:9/m/model.gguf"  # the discard port: connection refused at once
    got = download_first([f"{base}/gone/model.gguf", dead, f"{base}/m/model.gguf"], tmp_path, sha256=SHA)
    assert got.path.read_bytes() == PAYLOAD
    with pytest.raises(ModelError, match="every download source failed"):
        download_first([f"{base}/gone/x.gguf"], tmp_path)


def test_catalog_model_from_an_hf_mirror(site, tmp_path):
    s, base = site
    model = find_model("r1-qwen-1.5b")
    s.files[f"/{model.repo}/resolve/main/{model.file}"] = PAYLOAD
    got = download_model(model, tmp_path, hf_endpoint=base, modelscope_endpoint="http://127.0.0.1:9")
    assert got.path.name == model.file and got.path.read_bytes() == PAYLOAD
    assert model.urls()[0] == f"https://huggingface.co/{model.repo}/resolve/main/{model.file}"
    assert model.urls()[1] == f"https://modelscope.cn/models/{model.repo}/resolve/master/{model.file}"


def test_a_cut_off_download_of_unknown_size_is_not_called_checked(site, tmp_path):
    s, base = site  # no hash, no Content-Length: the connection ends early and nothing can tell
    s.files["/m/cut.gguf"] = PAYLOAD
    s.unsized.add("/m/cut.gguf")
    s.drops["/m/cut.gguf"] = [dl.CHUNK + 7]
    got = download(f"{base}/m/cut.gguf", tmp_path)
    assert got.path.stat().st_size == dl.CHUNK + 7
    assert (got.check, got.verified, got.sha256) == (Check.NONE, False, None)
    zh, en = got.words()
    assert "NOT verified" in en and "may be incomplete" in en and "size was checked" not in en and "未校验" in zh


def test_a_mirror_address_cannot_put_the_file_outside_the_models_folder(site, tmp_path):
    s, base = site
    s.files["/..%2f..%2fx.gguf"] = PAYLOAD
    models = tmp_path / "a" / "b" / "models"
    with pytest.raises(ConfigError, match="HF_ENDPOINT"):
        download_model(find_model("r1-qwen-1.5b"), models, hf_endpoint=f"{base}/..%2f..%2fx.gguf#",
                       modelscope_endpoint="http://127.0.0.1:9")
    with pytest.raises(ModelError, match="no usable file name"):
        download(f"{base}/..%2f..%2fx.gguf", models)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_downloads_are_owner_only_from_the_first_byte(site, tmp_path):
    s, base = site
    modes: list[int] = []
    part = tmp_path / "models" / "model.gguf.part"
    got = download(f"{base}/m/model.gguf", tmp_path / "models", sha256=SHA,
                   on_progress=lambda d, t: modes.append(stat.S_IMODE(part.stat().st_mode)))
    assert modes and set(modes) == {0o600}
    assert stat.S_IMODE(got.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "models").stat().st_mode) == 0o700


def test_cancel_is_heard_while_waiting_to_retry(site, tmp_path, monkeypatch):
    s, base = site
    monkeypatch.setattr(dl, "RETRY_DELAY_S", 3600.0)  # a wait nobody would sit through
    cancel = threading.Event()
    s.failing.add("/m/model.gguf")
    s.on_request = lambda path: cancel.set()  # the owner presses Cancel while the first attempt fails
    with pytest.raises(DownloadCancelled):
        download(f"{base}/m/model.gguf", tmp_path, sha256=SHA, cancel=cancel)
    assert len(s.log) == 1
