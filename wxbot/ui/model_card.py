"""The one chat model recommended for this PC, as a card (the first-run guide and the Models page show it):
its size and fit, a Download button with the progress right there, each source that failed in words while the
next is tried (ModelScope first in Chinese), and "downloaded and verified" or what to do next."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from wxbot.errors import WxbotError
from wxbot.llm.catalog import CatalogModel, GpuFit, catalog_fit, recommended_model
from wxbot.llm.download import DownloadCancelled, Downloaded
from wxbot.llm.sources import SourceKind, fetch, ordered_sources
from wxbot.llm.vram import GpuInfo
from wxbot.settings import Settings
from wxbot.ui.i18n import N_, tr
from wxbot.ui.tasks import Tasks

MB = 1_000_000
FIT_TEXT = {GpuFit.FULL: N_("fits on your GPU"), GpuFit.PARTIAL: N_("partly on GPU, slower"),
            GpuFit.CPU: N_("CPU only, slow")}
SOURCE_NAMES = {SourceKind.MODELSCOPE: N_("ModelScope"), SourceKind.MIRROR: N_("Hugging Face mirror"),
                SourceKind.HUGGINGFACE: N_("Hugging Face")}


def rate_text(done: int, total: int, started: tuple[float, int]) -> str:
    """"12.0 / 1117.3 MB, 3.20 MB/s 345 s left" from the bytes so far and when (and at how many) it started."""
    elapsed = max(time.monotonic() - started[0], 1e-3)
    speed = (done - started[1]) / elapsed
    left = tr("%s s left") % f"{(total - done) / speed:.0f}" if total and speed > 0 else ""
    return f"{done / MB:.1f} / {total / MB:.1f} MB, {speed / MB:.2f} MB/s {left}".rstrip()


def installed_path(settings: Settings, file: str) -> Path | None:
    return next((d / file for d in settings.models_dirs if (d / file).is_file()), None)


class ModelCard(QFrame):
    """``ready(path)`` once the recommended model is on disk (downloaded and checked, or already there)."""

    ready = Signal(str)
    progress = Signal(object, object)  # bytes done, total; emitted on the download thread, delivered queued
    source_failed = Signal(object)  # a ModelError in words; emitted on the download thread

    def __init__(self, settings: Callable[[], Settings], gpu: GpuInfo | None, lang: str, tasks: Tasks,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings, self.lang, self.tasks = settings, lang, tasks
        self.model: CatalogModel = recommended_model(gpu)  # set_gpu may change it
        self.cancel: threading.Event | None = None
        self.started = (0.0, 0)
        self.setObjectName("ModelCard")
        self.setStyleSheet("#ModelCard { border: 1px solid #b6dcf5; border-radius: 8px; background: #f4fafe; }")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.facts = QLabel()
        self.button = QPushButton()
        self.button.clicked.connect(self._clicked)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        self.rate = QLabel()
        self.rate.hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()  # shown with something to say (say())
        top = QHBoxLayout()
        top.addWidget(self.facts, 1)
        top.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.rate)
        layout.addWidget(self.note)
        self.progress.connect(self._on_progress)
        self.source_failed.connect(self._on_source_failed)
        self.set_gpu(gpu)

    def set_gpu(self, gpu: GpuInfo | None) -> None:
        """The GPU once it is known (the Models page measures it off the GUI thread): the pick may change."""
        if self.cancel is None:
            self.model = recommended_model(gpu)
            self.title.setText(f"<b>{tr('Recommended for this PC')}</b>: {self.model.title}")
        self.facts.setText(f"{self.model.size_bytes / 1e9:.1f} GB · {tr(FIT_TEXT[catalog_fit(self.model, gpu)])}")
        self.show_state()

    def path(self) -> Path | None:
        return installed_path(self.settings(), self.model.file)

    def show_state(self) -> None:
        busy, have = self.cancel is not None, self.path() is not None
        self.button.setText(tr("Cancel") if busy else tr("Use this model") if have else tr("Download"))
        if have and not busy and not self.note.text():
            self.say(tr("Already on this PC."))

    def _clicked(self) -> None:
        if self.cancel is not None:
            self.cancel.set()
            return
        path = self.path()
        if path is not None:
            self.ready.emit(str(path))
            return
        self.download()

    def download(self) -> None:
        """Fetch the model from each source in turn, off the GUI thread."""
        settings, model = self.settings(), self.model
        folder = settings.data_path / "models"
        part = folder / (model.file + ".part")
        sources = ordered_sources(self.lang)
        self.cancel = cancel = threading.Event()
        self.started = (time.monotonic(), part.stat().st_size if part.is_file() else 0)
        self.bar.setValue(0)
        self.bar.show()
        self.say(tr("Downloading from %s…") % tr(SOURCE_NAMES[sources[0].kind]))
        self.show_state()

        def work() -> Downloaded:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            return fetch(model, str(folder), sources, on_progress=self.progress.emit,
                         on_failure=self.source_failed.emit, cancel=cancel)

        self.tasks.run("download-recommended", work, self._done, self._failed)

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setValue(int(1000 * done / total) if total else 0)
        self.rate.setText(rate_text(done, total, self.started))
        self.rate.show()

    def _on_source_failed(self, err: WxbotError) -> None:
        self.say(err.message(self.lang))

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _done(self, got: Downloaded) -> None:
        self.cancel = None
        self.bar.setValue(1000)
        self.say(tr("Downloaded and verified.") if got.verified else
                 tr("Downloaded, but not verified: no source published a checksum for it."))
        self.show_state()
        self.ready.emit(str(got.path))

    def _failed(self, exc: BaseException) -> None:
        self.cancel = None
        self.bar.hide()
        if isinstance(exc, DownloadCancelled):
            self.say(tr("Stopped. Download again continues where it stopped."))
        else:
            self.say(exc.message(self.lang) if isinstance(exc, WxbotError) else str(exc))
        self.show_state()
