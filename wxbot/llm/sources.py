"""Where a model is downloaded from, in which order, and what a failed source means in words.

ModelScope first for a Chinese owner (reachable from mainland China), then the Hugging Face mirror, then
Hugging Face; the other way round in English. ``HF_ENDPOINT`` and ``MODELSCOPE_ENDPOINT`` move a source (a
company mirror, a test server). A source that fails is explained (no ``[Errno -2]``) with what happens next,
and the next one is tried; when all fail, the owner is told what to do.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from wxbot.errors import ModelError
from wxbot.llm.catalog import (
    HF_ENDPOINT,
    HF_URL,
    MODELSCOPE_ENDPOINT,
    MODELSCOPE_URL,
    CatalogModel,
    EmbeddingModel,
)
from wxbot.llm.download import Downloaded, Progress, download_first
from wxbot.messages import StrState

HF_MIRROR = "https://hf-mirror.com"


class SourceKind(StrState):
    MODELSCOPE = "modelscope"
    MIRROR = "mirror"  # a Hugging Face mirror (same paths)
    HUGGINGFACE = "huggingface"


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    endpoint: str

    @property
    def host(self) -> str:
        return urlsplit(self.endpoint).netloc or self.endpoint

    def url(self, model: CatalogModel | EmbeddingModel) -> str:
        template = MODELSCOPE_URL if self.kind is SourceKind.MODELSCOPE else HF_URL
        return template.format(endpoint=self.endpoint.rstrip("/"), repo=model.repo, file=model.file)


def ordered_sources(lang: str, env: Mapping[str, str] = os.environ) -> list[Source]:
    """The sources to try, in order, for the UI language ('zh' or 'en'); the same endpoint only once."""
    modelscope = Source(SourceKind.MODELSCOPE, env.get("MODELSCOPE_ENDPOINT") or MODELSCOPE_ENDPOINT)
    mirror = Source(SourceKind.MIRROR, HF_MIRROR)
    hf = Source(SourceKind.HUGGINGFACE, env.get("HF_ENDPOINT") or HF_ENDPOINT)
    order = [modelscope, mirror, hf] if lang == "zh" else [hf, modelscope, mirror]
    firsts: dict[str, Source] = {}
    for source in order:
        firsts.setdefault(source.endpoint, source)
    return list(firsts.values())


# what download.py's English text says (its reasons come from urllib and the socket layer) -> the owner's words
_CAUSES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple((re.compile(p, re.I), zh, en) for p, zh, en in (
    (r"name or service not known|nodename nor servname|getaddrinfo|name resolution|no address associated",
     "找不到服务器 {host}（没有联网，或网络屏蔽了它）", "{host} could not be found (no internet, or the network blocks it)"),
    (r"connection refused|errno 111|errno 61\b",
     "服务器 {host} 拒绝连接", "{host} refused the connection"),
    (r"timed out|timeout",
     "连接 {host} 超时（网络太慢或不通）", "{host} did not answer in time (the network is slow or blocked)"),
    (r"certificate|ssl|tls",
     "与 {host} 的安全连接失败（可能是网络代理或系统时间不对）",
     "the secure connection to {host} failed (a network proxy, or a wrong system clock)"),
    (r"answered 40[13]|answered 451",
     "下载源 {host} 拒绝了这次下载", "{host} refused this download"),
    (r"answered 404",
     "下载源 {host} 上没有这个文件", "{host} does not have this file"),
    (r"http 5\d\d|answered 5\d\d",
     "下载源 {host} 暂时出错", "{host} is having trouble"),
    (r"checksum|sha256",
     "从 {host} 下载的文件校验失败，已删除", "the file from {host} failed its checksum and was deleted"),
))


def explain(err: ModelError, host: str, *, more: bool = True) -> ModelError:
    """One failed source in words, and what happens next: the next source (``more``), or pick another."""
    then_zh, then_en = (("，正在换下一个下载源", "; trying the next source") if more else
                        ("。请换一个下载源或镜像后再试（已下载的部分会接着下）",
                         ". Pick another source or mirror and try again (it resumes where it stopped)"))
    for pattern, zh, en in _CAUSES:
        if pattern.search(err.en):
            return ModelError(zh.format(host=host) + then_zh, en.format(host=host) + then_en)
    return ModelError(f"从 {host} 下载中断" + then_zh, f"the download from {host} broke off" + then_en)


def all_failed(model: CatalogModel | EmbeddingModel) -> ModelError:
    return ModelError(
        f"所有下载源都没能下载 {model.file}。请检查网络后再点“下载”（已下载的部分会接着下），"
        "或在“模型”页选择别的下载源或镜像，或选择电脑上已有的 .gguf 文件",
        f"no download source could deliver {model.file}. Check the network and press Download again (it resumes "
        "where it stopped), pick another source or mirror on the Models page, or choose a .gguf you already have")


def fetch(model: CatalogModel | EmbeddingModel, dest_dir: str, sources: list[Source], *,
          on_progress: Progress | None = None, on_failure: Callable[[ModelError], None] | None = None,
          cancel: threading.Event | None = None) -> Downloaded:
    """Download ``model`` from the first source that delivers it; ``on_failure`` hears each failed source in
    words; when every source fails, the error says what to do next (a cancel stays a DownloadCancelled)."""
    by_url = {source.url(model): source for source in sources}

    def failed(url: str, err: ModelError) -> None:
        if on_failure is not None:
            on_failure(explain(err, by_url[url].host))

    try:
        return download_first(list(by_url), dest_dir, sha256=model.sha256, on_progress=on_progress, cancel=cancel,
                              on_failure=failed)
    except ModelError as err:
        if type(err) is not ModelError:  # cancelled, or a file already there that differs: as it is
            raise
        raise all_failed(model) from err
