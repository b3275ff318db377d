"""Download a model file so that an interrupted or corrupt download never passes for a good one, and never
passes for a verified one when it was not.

Bytes go to ``<name>.part`` (owner-only, in the models folder whatever the URL says); a dropped connection
resumes with an HTTP ``Range`` request (a server that ignores Range answers 200 and the file restarts); the
finished file is sha256-checked, then renamed into place. Verified means checked against a hash from outside
the server that sent the bytes: the catalog's or the owner's, or another source's. The hash the source itself
publishes (Hugging Face's ``X-Linked-Etag``, on the redirect, also when the answer is 416 "already complete";
ModelScope's file listing API) proves a whole, uncorrupted transfer, not a genuine file. With no hash at all,
the size is checked when the server said it; the result says exactly which check was made (``Check``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from email.message import Message
from http.client import HTTPException, HTTPMessage, HTTPResponse
from pathlib import Path
from urllib.parse import unquote, urlsplit

from loguru import logger

from wxbot.errors import ModelError
from wxbot.files import PRIVATE_FILE, private_dir
from wxbot.llm.catalog import HF_ENDPOINT, MODELSCOPE_ENDPOINT, CatalogModel, EmbeddingModel
from wxbot.messages import StrState
from wxbot.validation import check_url

CHUNK = 1 << 20
ATTEMPTS = 5
RETRY_DELAY_S = 0.5
READ_TIMEOUT_S = 30  # a stalled transfer becomes a retry instead of hanging forever
USER_AGENT = "wxbot-model-downloader/0.1"
_SHA256 = re.compile(r'^(?:W/)?"?([0-9a-f]{64})"?$')
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_UNSATISFIED_RANGE = re.compile(r"bytes \*/(\d+)")
# ModelScope's download path; its file listing API publishes each file's sha256
_MODELSCOPE_FILE = re.compile(r"^(?P<root>https?://[^/]+)/models/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_MODELSCOPE_LISTING = "{root}/api/v1/models/{repo}/repo/files?Revision={rev}&Recursive=true"

Progress = Callable[[int, int], None]  # (bytes done, total bytes or 0 when unknown)


class Check(StrState):
    """What a file in place was checked against, strongest first."""

    VERIFIED = "verified"  # a sha256 from outside the server that sent it: the catalog, the owner, another source
    SERVER_HASH = "server_hash"  # the sha256 its own server published: a whole transfer, not a genuine file
    SIZE = "size"  # no hash: only its length, against the length the server announced
    NONE = "none"  # nothing: no hash and no announced length (a cut-off transfer would look the same)


@dataclass(frozen=True)
class Downloaded:
    """A file in place, the sha256 it was checked against (None: no hash), and which check that was."""

    path: Path
    sha256: str | None
    checked_by: str = ""  # where that hash came from: "the catalog", "huggingface.co", "ModelScope's file list"…
    check: Check = Check.NONE

    @property
    def verified(self) -> bool:
        return self.check is Check.VERIFIED

    def words(self) -> tuple[str, str]:
        """What the owner is told about the file (Chinese, English)."""
        if self.check is Check.VERIFIED:
            return (f"已下载并校验（sha256 来自 {self.checked_by}）",
                    f"downloaded and verified (sha256 from {self.checked_by})")
        if self.check is Check.SERVER_HASH:
            return (f"已下载，未校验：只与下载服务器 {self.checked_by} 自己公布的 sha256 一致（说明下载完整，不能证明文件可信）",
                    f"downloaded, NOT verified: it matches the sha256 its own server {self.checked_by} published "
                    "(a whole download, not proof of a genuine file)")
        if self.check is Check.SIZE:
            return ("已下载，未校验：没有可核对的 sha256，只核对了大小",
                    "downloaded, NOT verified: no sha256 to check it against; only its size was checked")
        return ("已下载，未校验：服务器没有给出 sha256 和文件大小，文件可能不完整",
                "downloaded, NOT verified: the server gave neither a sha256 nor the size; the file may be incomplete")


class ExistingFileMismatch(ModelError):
    """A file already in place differs from what the source publishes: it is kept, and the owner told."""


class DownloadCancelled(ModelError):
    """The owner cancelled; the partial file stays so the next attempt resumes."""

    def __init__(self) -> None:
        super().__init__("下载已取消（下次会从断点继续）", "download cancelled (the next attempt resumes where it stopped)")


class _RecordRedirects(urllib.request.HTTPRedirectHandler):
    """Keeps the headers of redirect responses: Hugging Face puts the file's sha256 on its 302."""

    def __init__(self) -> None:
        self.headers: list[HTTPMessage] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.headers.append(headers)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _published_sha256(headers: Sequence[Message]) -> str | None:
    for h in headers:
        for key in ("X-Linked-Etag", "ETag"):
            match = _SHA256.match((h.get(key) or "").strip().lower())
            if match:
                return match.group(1)
    return None


def _listed_sha256(url: str) -> str | None:
    """The sha256 ModelScope's file listing publishes for a ModelScope download URL (None: not one, or no answer)."""
    parts = _MODELSCOPE_FILE.match(url)
    if parts is None:
        return None
    listing = _MODELSCOPE_LISTING.format(**parts.groupdict())
    wanted = unquote(parts.group("file"))
    try:
        request = urllib.request.Request(listing, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=READ_TIMEOUT_S) as response:
            files = json.loads(response.read(4 << 20).decode("utf-8"))["Data"]["Files"]
        found = next(f for f in files if isinstance(f, dict) and f.get("Path") == wanted)
    except (OSError, HTTPException, ValueError, KeyError, TypeError, StopIteration) as exc:
        logger.info("no sha256 from ModelScope's file list for {} ({})", wanted, type(exc).__name__)
        return None
    match = _SHA256.match(str(found.get("Sha256") or "").strip().lower())
    return match.group(1) if match else None


def file_name(url: str) -> str:
    """The file name a download URL ends in: one plain name, never a path (``..%2f..%2fx.gguf`` is refused)."""
    return plain_name(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), url)


def plain_name(name: str, url: str = "") -> str:
    """``name`` when it names a file inside a folder (no separators, no ``..``, no control characters)."""
    if not name or name in (".", "..") or any(c in name for c in "/\\:\0") or not name.isprintable():
        raise ModelError(f"下载地址没有可用的文件名：{url or name}", f"the download has no usable file name: {url or name}")
    return name


def _open_part(path: Path, mode: str) -> int:
    """The .part file, owner-only from its first byte (an older one is tightened), never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    flags |= os.O_APPEND if mode == "ab" else os.O_TRUNC
    fd = os.open(path, flags, PRIVATE_FILE)
    if os.name == "posix":
        os.fchmod(fd, PRIVATE_FILE)
    return fd


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _Transfer:
    """One file's download: the .part file, the expected total, and the sha256 the source published."""

    def __init__(self, url: str, dest: Path, on_progress: Progress | None, cancel: threading.Event | None) -> None:
        self.url, self.dest, self.on_progress, self.cancel = url, dest, on_progress, cancel
        self.part = dest.with_name(dest.name + ".part")
        self.total = 0  # the length the server announced (0: it did not say)
        self.published: str | None = None
        self.host = urlsplit(url).hostname or url

    def attempt(self) -> None:
        """Fetch from where the .part file ends to the end (restarting if the server ignores Range)."""
        have = self.part.stat().st_size if self.part.exists() else 0
        request = urllib.request.Request(self.url, headers={"User-Agent": USER_AGENT})
        if have:
            request.add_header("Range", f"bytes={have}-")
        redirects = _RecordRedirects()
        try:
            response = urllib.request.build_opener(redirects).open(request, timeout=READ_TIMEOUT_S)
        except urllib.error.HTTPError as exc:
            self.published = _published_sha256([*redirects.headers, exc.headers]) or self.published
            if exc.code == 416 and have:  # asked from the end: done already if the sizes agree, else start over
                size = _UNSATISFIED_RANGE.match(exc.headers.get("Content-Range") or "")
                if size and int(size.group(1)) == have:
                    self.total = have
                    return
                self.part.unlink()
            raise
        with response:
            self.published = _published_sha256([*redirects.headers, response.headers]) or self.published
            length = int(response.headers.get("Content-Length") or 0)
            ranged = _CONTENT_RANGE.match(response.headers.get("Content-Range") or "")
            if response.status == 206:
                if not ranged or int(ranged.group(1)) != have:  # resumed somewhere else: trust nothing
                    self.part.unlink()
                    raise ConnectionError("server resumed at the wrong offset")
                self.total = int(ranged.group(3)) if ranged.group(3) != "*" else have + length
                mode = "ab"
            else:  # 200: the whole file again
                if have:
                    logger.info("server ignored the resume request; restarting {}", self.dest.name)
                have, mode, self.total = 0, "wb", length
            self._copy(response, mode, have)

    def _copy(self, response: HTTPResponse, mode: str, done: int) -> None:
        with os.fdopen(_open_part(self.part, mode), "wb") as out:
            while block := response.read(CHUNK):
                out.write(block)
                done += len(block)
                if self.on_progress:
                    self.on_progress(done, self.total)
                if self.cancel is not None and self.cancel.is_set():
                    raise DownloadCancelled()
        if self.total and done < self.total:
            raise ConnectionError(f"connection closed at {done} of {self.total} bytes")

    def expected(self, sha256: str | None) -> tuple[str | None, str, Check]:
        """The hash to check, where it came from, and what a match proves: the caller's (verified), else the
        source's own, in its headers or ModelScope's list (a whole transfer)."""
        if sha256:
            return sha256.lower(), "the catalog", Check.VERIFIED
        if self.published:
            return self.published, self.host, Check.SERVER_HASH
        listed = _listed_sha256(self.url)
        return (listed, "ModelScope's file list", Check.SERVER_HASH) if listed else (None, "", Check.NONE)

    def finish(self, sha256: str | None) -> Downloaded:
        expected, by, check = self.expected(sha256)
        if expected:
            got = _sha256_of(self.part)
            if got != expected:
                self.part.unlink()
                raise ModelError(
                    f"模型文件校验失败（sha256 不符），已删除，请重新下载：{self.dest.name}",
                    f"checksum mismatch for {self.dest.name}: expected sha256 {expected}, got {got}; "
                    "the file was deleted, download it again")
        else:
            size = self.part.stat().st_size
            if self.total and size != self.total:  # never renamed into place as if whole
                self.part.unlink()
                raise ModelError(f"下载不完整（{size} / {self.total} 字节），已删除，请重新下载：{self.dest.name}",
                                 f"the download of {self.dest.name} is incomplete ({size} of {self.total} bytes); "
                                 "it was deleted, download it again")
            check = Check.SIZE if self.total else Check.NONE
            logger.warning("no sha256 for {}: not verified ({})", self.dest.name, check)
        os.replace(self.part, self.dest)
        return Downloaded(self.dest, expected, by, check)

    def check_existing(self, sha256: str | None) -> Downloaded:
        """The file is already in place: check it against the known or published hash (asking the source by a
        request from its last byte, as a finished resume would), never silently trusting it."""
        if not sha256:
            self._ask_source(self.dest.stat().st_size)
        expected, by, check = self.expected(sha256)
        if expected is None:
            logger.warning("{} is already there; no sha256 known to verify it", self.dest.name)
            return Downloaded(self.dest, None)
        got = _sha256_of(self.dest)
        if got != expected:
            raise ExistingFileMismatch(
                f"已有的模型文件与来源公布的不一致（sha256 不符），请删除后重新下载：{self.dest}",
                f"the existing file {self.dest} does not match the sha256 published by {by} ({expected}, got "
                f"{got}); delete it and download again")
        return Downloaded(self.dest, expected, by, check)

    def _ask_source(self, size: int) -> None:
        request = urllib.request.Request(self.url, headers={"User-Agent": USER_AGENT, "Range": f"bytes={size}-"})
        redirects = _RecordRedirects()
        try:
            with urllib.request.build_opener(redirects).open(request, timeout=READ_TIMEOUT_S) as response:
                self.published = _published_sha256([*redirects.headers, response.headers])
        except urllib.error.HTTPError as exc:  # 416: the file is complete; its redirect still names the hash
            self.published = _published_sha256([*redirects.headers, exc.headers])
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            logger.info("could not ask {} for the hash of {} ({})", self.host, self.dest.name, type(exc).__name__)


def download(url: str, dest_dir: str | Path, *, sha256: str | None = None, on_progress: Progress | None = None,
             cancel: threading.Event | None = None, name: str | None = None) -> Downloaded:
    """Download ``url`` into ``dest_dir`` as ``name`` (else the URL's file name), resuming, checking, and renaming
    into place. A file already there is checked, not fetched again (ExistingFileMismatch when it differs)."""
    folder = private_dir(Path(dest_dir))
    dest = folder / (plain_name(name, url) if name else file_name(url))
    if dest.parent.resolve() != folder.resolve():  # a name is one plain name; this stays true whatever a URL says
        raise ModelError(f"下载地址没有可用的文件名：{url}", f"the download has no usable file name: {url}")
    transfer = _Transfer(url, dest, on_progress, cancel)
    if dest.exists():
        return transfer.check_existing(sha256)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            transfer.attempt()
            break
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code not in (408, 416, 429):
                raise ModelError(f"下载失败：服务器返回 {exc.code}（{dest.name}）",
                                 f"download failed: the server answered {exc.code} for {url}") from None
            reason = f"HTTP {exc.code}"
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            reason = str(getattr(exc, "reason", exc))
        logger.info("download of {} interrupted ({}), attempt {}/{}", dest.name, reason, attempt, ATTEMPTS)
        if attempt == ATTEMPTS:
            raise ModelError(f"下载失败（{reason}），可稍后重试，会从断点继续：{dest.name}",
                             f"download failed ({reason}); try again later, it resumes where it stopped: {url}")
        if cancel is not None and cancel.wait(RETRY_DELAY_S * attempt):
            raise DownloadCancelled()
        if cancel is None:
            time.sleep(RETRY_DELAY_S * attempt)
    return transfer.finish(sha256)


def download_first(urls: Sequence[str], dest_dir: str | Path, *, sha256: str | None = None,
                   on_progress: Progress | None = None, cancel: threading.Event | None = None,
                   name: str | None = None,
                   on_failure: Callable[[str, ModelError], None] | None = None) -> Downloaded:
    """Try each source in turn (a .part carries over between them). A verified file wins at once; a file no
    outside hash verified is checked against the next sources' own hashes (a later source's hash verifies it:
    it is not the source that sent the bytes), and returned unverified if none has one. ``on_failure(url,
    error)`` hears of each source that failed."""
    errors: list[str] = []
    unverified: Downloaded | None = None
    for url in urls:
        try:
            got = download(url, dest_dir, sha256=sha256, on_progress=on_progress, cancel=cancel, name=name)
        except (DownloadCancelled, ExistingFileMismatch):
            raise
        except ModelError as exc:
            logger.info("download source {} failed: {}", urlsplit(url).hostname, exc.en)
            errors.append(exc.en)
            if on_failure is not None:
                on_failure(url, exc)
            continue
        if got.verified:
            return got
        if unverified is not None and got.check is Check.SERVER_HASH:
            return replace(got, check=Check.VERIFIED)  # the file was already in place: a later source's hash
        unverified = unverified or got
    if unverified is not None:
        return unverified
    name = file_name(urls[0]) if urls else "?"
    raise ModelError(f"所有下载源都失败了：{name}", f"every download source failed for {name}: " + "; ".join(errors))


def download_model(model: CatalogModel | EmbeddingModel, dest_dir: str | Path, *, hf_endpoint: str | None = None,
                   modelscope_endpoint: str = MODELSCOPE_ENDPOINT, on_progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> Downloaded:
    """Download a catalog model: Hugging Face (``HF_ENDPOINT`` or ``hf_endpoint`` picks a mirror), then ModelScope.
    The file is saved under the catalog's name, whatever a mirror's address makes of the URL."""
    endpoint = check_url("HF_ENDPOINT", hf_endpoint or os.environ.get("HF_ENDPOINT") or HF_ENDPOINT)
    return download_first(model.urls(endpoint, modelscope_endpoint), dest_dir, sha256=model.sha256,
                          on_progress=on_progress, cancel=cancel, name=model.file)
