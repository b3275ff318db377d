"""The Models page (模型): the catalog's chat, embedding and speech-recognition models with size, fit on this PC
and whether they are installed; download (progress, speed, time left) from the source the owner picks, pause (the .part stays and
resumes, also after a restart), cancel, delete, and "use this model". Network and disk work run off the GUI thread."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxbot.errors import ModelError, WxbotError
from wxbot.llm.catalog import (
    CATALOG,
    EMBEDDING_CATALOG,
    HF_ENDPOINT,
    CatalogModel,
    EmbeddingModel,
    GpuFit,
    catalog_fit,
)
from wxbot.llm.download import Check, DownloadCancelled, Downloaded, ExistingFileMismatch, download
from wxbot.llm.sources import explain
from wxbot.llm.vram import GpuInfo, detect_gpu
from wxbot.media.catalog import SPEECH_CATALOG, SpeechModel
from wxbot.media.speech import installed_speech_model, speech_folders
from wxbot.service import BotService
from wxbot.ui.i18n import N_, tr
from wxbot.ui.model_card import FIT_TEXT, ModelCard, rate_text
from wxbot.ui.tasks import Tasks
from wxbot.validation import check_url

Model = CatalogModel | EmbeddingModel | SpeechModel
MODELS: tuple[Model, ...] = (*CATALOG, *EMBEDDING_CATALOG, *SPEECH_CATALOG)
EMBEDDING_NOTES = {"bge-small-zh": N_("Chinese, light"), "bge-large-zh": N_("Chinese, more accurate"),
                   "qwen3-embed-0.6b": N_("many languages"),
                   # speech models (the same notes: what a title alone doesn't say, in the UI language)
                   "whisper-base": N_("light; fair Chinese"), "whisper-small": N_("better Chinese"),
                   "whisper-medium": N_("good Chinese; slow on a CPU")}
EMBEDDING_FIT = N_("CPU, beside the chat model")  # embedding models always run on the CPU, and are small
SPEECH_WEIGHTS = "model.bin"
SPEECH_FIT = N_("CPU, its own process while voice arrives")  # loaded on the first voice message, ended when idle
SOURCES = (("hf", N_("Hugging Face")), ("modelscope", N_("ModelScope")), ("mirror", N_("Hugging Face mirror")))
ZH_SOURCE_ORDER = ("modelscope", "mirror", "hf")  # ModelScope first for a Chinese owner (as ordered_sources)
MB = 1_000_000


class ModelsPage(QWidget):
    model_chosen = Signal(str)  # the path of the model the owner chose to use
    progress = Signal(object, object)  # bytes done, total (0: unknown); emitted on the worker, delivered queued
    finished = Signal(object)  # Downloaded
    paused = Signal()
    error = Signal(object)

    def __init__(self, svc: BotService, tasks: Tasks, lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc, self.tasks, self.lang = svc, tasks, lang
        self.card = ModelCard(lambda: self.svc.settings, None, lang, tasks)
        self.card.ready.connect(self.use_path)
        self.in_use = QLabel()
        self.in_use.setWordWrap(True)
        self.fits: dict[str, GpuFit | None] = {}  # None: an embedding model
        self.verified: dict[str, bool] = {}  # file name -> verified, for downloads finished in this run
        self.cancel: threading.Event | None = None
        self.discard = False  # the running download was cancelled (not paused): delete its .part
        self.started = (0.0, 0)  # time and bytes when the transfer started, for speed and time left
        self.table = QTableWidget(len(MODELS), 5)
        self.table.setHorizontalHeaderLabels([tr("Model"), tr("Kind"), tr("Size"), tr("On this PC"), tr("Status")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.source = QComboBox()
        for key, label in sorted(SOURCES, key=lambda s: ZH_SOURCE_ORDER.index(s[0])) if lang == "zh" else SOURCES:
            self.source.addItem(tr(label), key)
        self.mirror = QLineEdit("https://hf-mirror.com")
        self.mirror.setPlaceholderText("https://hf-mirror.com")
        self.mirror.setEnabled(False)
        self.source.currentIndexChanged.connect(lambda _i: self.mirror.setEnabled(self.source.currentData() == "mirror"))
        self.buttons = {key: QPushButton(tr(text)) for key, text in (
            ("download", N_("Download / resume")), ("pause", N_("Pause")), ("cancel", N_("Cancel download")),
            ("delete", N_("Delete file")), ("use", N_("Use this model")))}
        actions = {"download": self.start_download, "pause": self.pause, "cancel": self.cancel_download,
                   "delete": self.delete_selected, "use": self.use_selected}
        for key, button in self.buttons.items():
            button.clicked.connect(actions[key])
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.rate = QLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.progress.connect(self._on_progress)
        self._layout()
        self.draw()

    def _layout(self) -> None:
        title = QLabel(tr("Models"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        source = QHBoxLayout()
        source.addWidget(QLabel(tr("Download from")))
        source.addWidget(self.source)
        source.addWidget(self.mirror, 1)
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        transfer = QHBoxLayout()
        transfer.addWidget(self.bar, 1)
        transfer.addWidget(self.rate)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.card)
        layout.addWidget(self.in_use)
        layout.addLayout(source)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addLayout(transfer)
        layout.addWidget(self.note)

    # ------------------------------------------------------------------ the list
    def folder(self) -> Path:
        return self.svc.settings.data_path / "models"

    def installed(self, model: Model) -> Path | None:
        if isinstance(model, SpeechModel):  # a folder of files
            return installed_speech_model(self.svc.settings, model.key)
        return next((d / model.file for d in self.svc.settings.models_dirs if (d / model.file).is_file()), None)

    def target(self, model: Model) -> Path:
        """Where a download of ``model`` goes: the models folder, or a speech model's own folder in it."""
        return speech_folders(self.svc.settings, model.key)[-1] if isinstance(model, SpeechModel) else self.folder()

    def part(self, model: Model) -> Path:
        name = SPEECH_WEIGHTS if isinstance(model, SpeechModel) else model.file  # a speech model's big file
        return self.target(model) / (name + ".part")

    def status_text(self, model: Model) -> str:
        path = self.installed(model)
        if path is not None:
            text = tr("installed")
            if self.verified.get(model.file) is False:
                text += " — " + tr("NOT verified")
            settings = self.svc.settings
            if str(path) in (settings.model_path, settings.kb_embedding_model) or \
                    model.key in (settings.kb_embedding_model, settings.speech_model):
                text += " — " + tr("in use")
            return text
        part = self.part(model)
        if part.is_file():
            return tr("paused at %s MB") % f"{part.stat().st_size / MB:.1f}"
        return tr("not installed")

    def refresh(self) -> None:
        """Redraw the list; the first time the page is opened, measure the GPU fit off the GUI thread (detecting
        the GPU loads llama.cpp)."""
        self.draw()
        if not self.fits:
            self.tasks.run("gpu-fit", _fits, self._fits_known)

    def draw(self) -> None:
        for row, model in enumerate(MODELS):
            kind = (tr("embedding (knowledge base)") if isinstance(model, EmbeddingModel)
                    else tr("speech (voice messages)") if isinstance(model, SpeechModel) else tr("chat"))
            fit = self.fit_text(model)
            title = f"{model.title} ({tr(EMBEDDING_NOTES[model.key])})" if model.key in EMBEDDING_NOTES else model.title
            cells = (title, kind, f"{model.size_bytes / 1e9:.2f} GB", fit,
                     self.status_text(model))
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        for col in range(1, 5):  # the title takes the rest
            self.table.resizeColumnToContents(col)
        self.in_use.setText(self.in_use_text())
        self._update_buttons()

    def in_use_text(self) -> str:
        """The chat model answering now (or chosen): a catalog model, or a .gguf from anywhere on disk."""
        model = self.svc.model
        local = model.info.local if model is not None else None
        path = local.path if local is not None else self.svc.settings.model_path
        if not path:
            return tr("In use: no chat model yet.")
        catalog = any(m.file == Path(path).name for m in MODELS)
        return tr("In use: %s") % Path(path).name + ("" if catalog else " " + tr("(a file from disk: %s)") % path)

    def fit_text(self, model: Model) -> str:
        if model.key not in self.fits:
            return "…"
        fit = self.fits[model.key]
        if isinstance(model, SpeechModel):
            return tr(SPEECH_FIT)
        return tr(EMBEDDING_FIT) if fit is None else tr(FIT_TEXT[fit])

    def _fits_known(self, found: tuple[GpuInfo | None, dict[str, GpuFit | None]]) -> None:
        gpu, self.fits = found
        self.card.set_gpu(gpu)
        self.draw()

    def selected(self) -> Model | None:
        rows = self.table.selectionModel().selectedRows()
        return MODELS[rows[0].row()] if rows else None

    def select(self, key: str) -> None:
        self.table.selectRow(next(i for i, m in enumerate(MODELS) if m.key == key))

    def _update_buttons(self) -> None:
        model, busy = self.selected(), self.cancel is not None
        have = model is not None and self.installed(model) is not None
        self.buttons["download"].setEnabled(model is not None and not busy and not have)
        self.buttons["pause"].setEnabled(busy)
        self.buttons["cancel"].setEnabled(busy or (model is not None and self.part(model).is_file()))
        self.buttons["delete"].setEnabled(have and not busy)
        self.buttons["use"].setEnabled(have)

    # ------------------------------------------------------------------ download
    def source_urls(self, model: Model) -> list[str]:
        """The file(s) to fetch from the chosen source: one GGUF, or a speech model's few files (last the largest)."""
        key = self.source.currentData()
        if key == "modelscope":
            if isinstance(model, SpeechModel):
                raise ModelError("语音识别模型请从 Hugging Face 或镜像下载", "speech models download from Hugging Face or a mirror")
            return [model.urls()[1]]
        endpoint = check_url("HF_ENDPOINT", self.mirror.text().strip()) if key == "mirror" else HF_ENDPOINT
        return model.urls(endpoint) if isinstance(model, SpeechModel) else [model.urls(endpoint)[0]]

    def start_download(self) -> None:
        """Download (or resume from the .part) the selected model from the chosen source."""
        model = self.selected()
        if model is None or self.cancel is not None:
            return
        try:
            urls = self.source_urls(model)
        except WxbotError as exc:
            self.error.emit(exc)
            return
        cancel = self.cancel = threading.Event()
        self.discard = False
        part = self.part(model)
        self.started = (time.monotonic(), part.stat().st_size if part.is_file() else 0)
        self.note.setText(tr("Downloading %s…") % model.file)
        folder = self.target(model)

        def work() -> Downloaded:
            for url in urls:  # a speech model's small files first; what is returned is the last, largest one
                got = download(url, folder, sha256=model.sha256, on_progress=self.progress.emit, cancel=cancel,
                               name=None if isinstance(model, SpeechModel) else model.file)
            return got

        self.tasks.run("download-model", work, lambda got: self._done(model, got), lambda exc: self._failed(model, exc))
        self._update_buttons()

    def pause(self) -> None:
        if self.cancel is not None:
            self.cancel.set()

    def cancel_download(self) -> None:
        """Stop the download and delete what was fetched (a paused one too)."""
        if self.cancel is not None:
            self.discard = True
            self.cancel.set()
            return
        model = self.selected()
        if model is not None:
            self.part(model).unlink(missing_ok=True)
            self.note.setText(tr("Download cancelled; the partial file was deleted."))
            self.refresh()

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setValue(int(1000 * done / total) if total else 0)
        self.rate.setText(rate_text(done, total, self.started))

    def _done(self, model: Model, got: Downloaded) -> None:
        self.cancel = None
        self.verified[model.file] = got.verified
        if got.check is Check.VERIFIED:
            self.note.setText(tr("Downloaded and verified (sha256 from %s).") % got.checked_by)
        elif got.check is Check.SERVER_HASH:
            self.note.setText(tr("Downloaded, NOT verified: it matches only the sha256 its own server (%s) "
                                 "published.") % got.checked_by)
        elif got.check is Check.SIZE:
            self.note.setText(tr("Downloaded, NOT verified: no sha256 to check; only its size was checked."))
        else:
            self.note.setText(tr("Downloaded, NOT verified: neither a sha256 nor its size could be checked; "
                                 "it may be incomplete."))
        self.refresh()
        self.finished.emit(got)

    def _failed(self, model: Model, exc: BaseException) -> None:
        self.cancel = None
        if isinstance(exc, DownloadCancelled):
            if self.discard:
                self.part(model).unlink(missing_ok=True)
                self.note.setText(tr("Download cancelled; the partial file was deleted."))
            else:
                self.note.setText(tr("Paused: Download / resume continues where it stopped, also after a restart."))
            self.refresh()
            self.paused.emit()
            return
        self.note.setText("")
        self.refresh()
        if type(exc) is ModelError and not isinstance(exc, ExistingFileMismatch):  # a source's failure, in words
            exc = explain(exc, self.mirror.text() if self.source.currentData() == "mirror" else
                          self.source.currentText(), more=False)
        self.error.emit(exc)

    # ------------------------------------------------------------------ installed files
    def delete_selected(self) -> None:
        model = self.selected()
        path = self.installed(model) if model is not None else None
        if path is None or self.cancel is not None:
            return
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        self.note.setText(tr("Deleted %s") % path.name)
        self.refresh()

    def use_selected(self) -> None:
        model = self.selected()
        path = self.installed(model) if model is not None else None
        if path is not None:
            self.use_path(str(path), field=("kb_embedding_model" if isinstance(model, EmbeddingModel)
                                            else "speech_model" if isinstance(model, SpeechModel) else "model_path"),
                          value=model.key if isinstance(model, SpeechModel) else None)

    def use_path(self, path: str, field: str = "model_path", value: str | None = None) -> None:
        """Set ``field`` (``model_path``, ``kb_embedding_model`` or ``speech_model``) to ``value`` (the path when
        none) through the service and load the model off the GUI thread."""
        value = path if value is None else value

        def work() -> None:
            had_model = self.svc.model is not None
            self.svc.apply_settings(self.svc.settings.replace(**{field: value}))
            if field == "model_path" and not had_model:  # apply_settings reloads only a model already loaded
                self.svc.load_model()

        def done(_r: object) -> None:
            self.refresh()
            self.model_chosen.emit(str(path))

        self.tasks.run("use-model", work, done, self.error.emit)


def _fits() -> tuple[GpuInfo | None, dict[str, GpuFit | None]]:
    gpu = detect_gpu()
    return gpu, {m.key: catalog_fit(m, gpu) if isinstance(m, CatalogModel) else None for m in MODELS}
