"""The first-run guide: the account-risk notice, where the data key lives, a model that fits this PC, then the
QR login; shown once at the first start and again from Settings. Every step can be left for later."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from wxbot.llm.catalog import CATALOG, GpuFit, catalog_fit
from wxbot.llm.locate import find_models
from wxbot.llm.vram import GpuInfo
from wxbot.settings import Settings
from wxbot.store.keys import MIN_PASSPHRASE_CHARS
from wxbot.ui.dialogs import risk_text
from wxbot.ui.i18n import N_, tr

FIT_TEXT = {GpuFit.FULL: N_("fits on your GPU"), GpuFit.PARTIAL: N_("partly on GPU, slower"),
            GpuFit.CPU: N_("CPU only, slow")}


@dataclass
class GuideChoices:
    """What the owner chose; None where a step was left for later."""

    risk_acknowledged: bool = False
    passphrase: str | None = None  # a passphrase instead of the keychain
    model_path: str | None = None


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.AutoText)
    return label


def _page(title: str) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(_label(f"<h3>{title}</h3>"))
    return page, layout


class FirstRunGuide(QDialog):
    """Steps on a stack; "Later" skips one, "Next" takes its choice. ``key_step`` False once a store exists
    (its key cannot move here)."""

    def __init__(self, settings: Settings, gpu: GpuInfo | None, *, key_step: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Getting started"))
        self.setMinimumSize(640, 460)
        self.settings = settings
        self.choices = GuideChoices()
        self.stack = QStackedWidget()
        self.steps: list[str] = []
        self._add("risk", self._risk_step())
        if key_step:
            self._add("key", self._key_step())
        self._add("model", self._model_step(gpu))
        self._add("login", self._login_step())
        self.progress = QLabel()
        self.later_button = QPushButton(tr("Later"))
        self.next_button = QPushButton()
        self.next_button.setDefault(True)
        self.later_button.clicked.connect(self._later)
        self.next_button.clicked.connect(self._next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._show_step(0)

    def _add(self, name: str, page: QWidget) -> None:
        self.steps.append(name)
        self.stack.addWidget(page)

    # ------------------------------------------------------------------ the steps
    def _risk_step(self) -> QWidget:
        page, layout = _page(tr("Account risk"))
        layout.addWidget(_label(risk_text(self.settings)), 1)
        return page

    def _key_step(self) -> QWidget:
        page, layout = _page(tr("Where the data key lives"))
        layout.addWidget(_label(tr("Your chat history is encrypted. Its key can stay in the system keychain, "
                                   "or be protected by a passphrase you type at every start (if you forget "
                                   "it, the history is lost).")))
        self.keychain_radio = QRadioButton(tr("System keychain (recommended)"))
        self.passphrase_radio = QRadioButton(tr("A passphrase I choose"))
        self.keychain_radio.setChecked(True)
        self.passphrase_edit = QLineEdit()
        self.repeat_edit = QLineEdit()
        for edit, hint in ((self.passphrase_edit, tr("Passphrase (at least %d characters)") % MIN_PASSPHRASE_CHARS),
                           (self.repeat_edit, tr("The same passphrase again"))):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(hint)
            edit.setEnabled(False)
            self.passphrase_radio.toggled.connect(edit.setEnabled)
        self.key_error = QLabel()
        self.key_error.setStyleSheet("color: #d9453b;")
        for widget in (self.keychain_radio, self.passphrase_radio, self.passphrase_edit, self.repeat_edit,
                       self.key_error):
            layout.addWidget(widget)
        layout.addStretch(1)
        return page

    def _model_step(self, gpu: GpuInfo | None) -> QWidget:
        page, layout = _page(tr("Pick a model"))
        where = gpu.name if gpu is not None else tr("no GPU")
        layout.addWidget(_label(tr('Marked by what fits this PC (%s). Download one with "wxbot download KEY", '
                                   "or choose a .gguf you already have.") % where))
        installed = {p.name.lower(): p for p in find_models(self.settings)}
        self.model_list = QListWidget()
        for model in CATALOG:
            have = installed.get(model.file.lower())
            state = tr("installed") if have is not None else model.key
            item = QListWidgetItem(f"{model.title} · {model.size_bytes / 1e9:.1f} GB · "
                                   f"{tr(FIT_TEXT[catalog_fit(model, gpu)])} · {state}")
            item.setData(Qt.ItemDataRole.UserRole, str(have) if have is not None else None)
            self.model_list.addItem(item)
        self.model_list.currentItemChanged.connect(self._catalog_picked)
        self.browse_button = QPushButton(tr("Choose a .gguf from disk…"))
        self.browse_button.clicked.connect(self._browse)
        self.model_chosen = QLabel()
        self.model_chosen.setWordWrap(True)
        layout.addWidget(self.model_list, 1)
        layout.addWidget(self.browse_button)
        layout.addWidget(self.model_chosen)
        return page

    def _login_step(self) -> QWidget:
        page, layout = _page(tr("Log in to WeChat"))
        layout.addWidget(_label(tr("Next comes the Login page: scan its QR code with WeChat on your phone. "
                                   "This guide opens again from Settings.")))
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------ choices
    def _catalog_picked(self, item: QListWidgetItem | None) -> None:
        path = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.choices.model_path = path
        self.model_chosen.setText(path or tr("Not downloaded yet: this model is not set."))

    def _browse(self) -> None:
        start = str(self.settings.models_dirs[0]) if self.settings.models_dirs else ""
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a model"), start, tr("GGUF models (*.gguf)"))
        if path:
            self.choices.model_path = path
            self.model_chosen.setText(Path(path).name)

    def _key_taken(self) -> bool:
        if not self.passphrase_radio.isChecked():
            self.choices.passphrase = None
            return True
        text = self.passphrase_edit.text()
        if len(text) < MIN_PASSPHRASE_CHARS:
            self.key_error.setText(tr("Passphrase (at least %d characters)") % MIN_PASSPHRASE_CHARS)
        elif text != self.repeat_edit.text():
            self.key_error.setText(tr("The two passphrases differ."))
        else:
            self.choices.passphrase = text
            return True
        return False

    # ------------------------------------------------------------------ moving on
    def step(self) -> str:
        return self.steps[self.stack.currentIndex()]

    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        last = index == len(self.steps) - 1
        self.next_button.setText(tr("I understand") if self.step() == "risk" else
                                 tr("Finish") if last else tr("Next"))
        self.later_button.setVisible(not last)
        self.progress.setText(tr("Step %d of %d") % (index + 1, len(self.steps)))

    def _later(self) -> None:
        """Leave this step's choice unmade (the keychain stays the default; the model stays as it is)."""
        step = self.step()
        if step == "key":
            self.choices.passphrase = None
        elif step == "model":
            self.choices.model_path = None
        self._advance()

    def _next(self) -> None:
        step = self.step()
        if step == "risk":
            self.choices.risk_acknowledged = True
        elif step == "key" and not self._key_taken():
            return
        self._advance()

    def _advance(self) -> None:
        index = self.stack.currentIndex() + 1
        if index >= len(self.steps):
            self.accept()
        else:
            self._show_step(index)


def apply_choices(settings: Settings, choices: GuideChoices) -> Settings:
    """The settings after the guide: seen once, the notice acknowledged if it was, the chosen model."""
    new = settings.replace(guide_done=True, risk_acknowledged=settings.risk_acknowledged or choices.risk_acknowledged)
    return new.replace(model_path=choices.model_path) if choices.model_path else new
