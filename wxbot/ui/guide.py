"""The first-run guide: the account-risk notice, where the data key lives, a model that fits this PC, then the
QR login; shown once at the first start and again from Settings. Every step can be left for later, and Back returns
to the step before with what was entered there as it was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from wxbot.llm.locate import find_models
from wxbot.llm.vram import GpuInfo
from wxbot.settings import Settings
from wxbot.ui.dialogs import risk_text
from wxbot.ui.i18n import tr
from wxbot.ui.model_card import ModelCard
from wxbot.ui.passphrase import PassphraseFields
from wxbot.ui.tasks import Tasks


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
    """Steps on a stack; "Later" skips one, "Next" takes its choice, "Back" shows the one before (its fields and
    choice untouched: the choices are read when the owner moves on). ``key_step`` False once a store exists
    (its key cannot move here); ``keychain``: whether the system keychain passed the probe."""

    def __init__(self, settings: Settings, gpu: GpuInfo | None, *, key_step: bool = True, keychain: bool = True,
                 lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Getting started"))
        self.setMinimumSize(640, 460)
        self.settings = settings
        self.choices = GuideChoices()
        self.stack = QStackedWidget()
        self.steps: list[str] = []
        self._add("risk", self._risk_step(lang))
        if key_step:
            self._add("key", self._key_step(keychain))
        self._add("model", self._model_step(gpu, lang))
        self._add("login", self._login_step())
        self.progress = QLabel()
        self.back_button = QPushButton(tr("Back"))
        self.back_button.setAutoDefault(False)  # Enter means Next
        self.back_button.clicked.connect(self._back)
        self.later_button = QPushButton(tr("Later"))
        self.later_button.setAutoDefault(False)  # Enter means Next, never Later
        self.next_button = QPushButton()
        self.next_button.setDefault(True)
        self.later_button.clicked.connect(self._later)
        self.next_button.clicked.connect(self._next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.back_button)
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
    def _risk_step(self, lang: str) -> QWidget:
        page, layout = _page(tr("Account risk"))
        layout.addWidget(_label(risk_text(self.settings, lang)), 1)
        return page

    def _key_step(self, keychain: bool) -> QWidget:
        """The keychain is recommended only where it passed the probe; elsewhere a passphrase is (typed twice)."""
        page, layout = _page(tr("Where the data key lives"))
        layout.addWidget(_label(tr("Your chat history is encrypted. Its key can stay in the system keychain, "
                                   "or be protected by a passphrase you type at every start (if you forget "
                                   "it, the history is lost).")))
        self.keychain_radio = QRadioButton(tr("System keychain (recommended)") if keychain else
                                           tr("System keychain (not available on this PC)"))
        self.passphrase_radio = QRadioButton(tr("A passphrase I choose") if keychain else
                                             tr("A passphrase I choose (recommended here)"))
        self.keychain_radio.setEnabled(keychain)
        self.key_fields = PassphraseFields(new=True)
        self.key_fields.setEnabled(not keychain)
        self.passphrase_radio.toggled.connect(self.key_fields.setEnabled)
        (self.keychain_radio if keychain else self.passphrase_radio).setChecked(True)
        for widget in (self.keychain_radio, self.passphrase_radio, self.key_fields):
            layout.addWidget(widget)
        if not keychain:
            layout.addWidget(_label(tr("No working system keychain was found on this PC (a test entry could not "
                                       "be written and read back), so the key is protected by a passphrase.")))
        layout.addStretch(1)
        return page

    def _model_step(self, gpu: GpuInfo | None, lang: str) -> QWidget:
        """The model recommended for this PC (download it right here), the models already on this PC, or a
        .gguf from disk; the last pick is the one taken, and the only one marked."""
        page, layout = _page(tr("Pick a model"))
        where = gpu.name if gpu is not None else tr("no GPU")
        layout.addWidget(_label(tr("Chosen for what this PC has (%s). Other models are on the Models page.") % where))
        self.card = ModelCard(lambda: self.settings, gpu, lang, Tasks(self))
        self.card.ready.connect(self._picked)
        self.model_list = QListWidget()
        for path in find_models(self.settings):
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.model_list.addItem(item)
        self.model_list.setVisible(self.model_list.count() > 0)
        self.model_list.itemClicked.connect(lambda item: self._picked(item.data(Qt.ItemDataRole.UserRole)))
        self.browse_button = QPushButton(tr("Choose a .gguf from disk…"))
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._browse)
        self.model_chosen = QLabel()
        self.model_chosen.setWordWrap(True)
        layout.addWidget(self.card)
        if self.model_list.count():
            layout.addWidget(_label(tr("Models already on this PC:")))
        layout.addWidget(self.model_list, 1)
        layout.addWidget(self.browse_button)
        layout.addWidget(self.model_chosen)
        layout.addStretch(0)
        return page

    def _login_step(self) -> QWidget:
        page, layout = _page(tr("Log in to WeChat"))
        layout.addWidget(_label(tr("Next comes the Login page: scan its QR code with WeChat on your phone. "
                                   "This guide opens again from Settings.")))
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------ choices
    def _picked(self, path: str) -> None:
        self.choices.model_path = path
        self.model_chosen.setText(tr("Chosen: %s") % Path(path).name)
        rows = [i for i in range(self.model_list.count())
                if self.model_list.item(i).data(Qt.ItemDataRole.UserRole) == path]
        self.model_list.setCurrentRow(rows[0] if rows else -1)  # a pick elsewhere unmarks the list

    def _browse(self) -> None:
        start = str(self.settings.models_dirs[0]) if self.settings.models_dirs else ""
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a model"), start, tr("GGUF models (*.gguf)"))
        if path:
            self._picked(path)

    def _key_taken(self) -> bool:
        if not self.passphrase_radio.isChecked():
            self.choices.passphrase = None
            return True
        self.choices.passphrase = self.key_fields.taken()
        return self.choices.passphrase is not None

    # ------------------------------------------------------------------ moving on
    def step(self) -> str:
        return self.steps[self.stack.currentIndex()]

    def _show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        last = index == len(self.steps) - 1
        self.next_button.setText(tr("I understand") if self.step() == "risk" else
                                 tr("Finish") if last else tr("Next"))
        self.later_button.setVisible(not last)
        self.back_button.setEnabled(index > 0)
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

    def _back(self) -> None:
        if self.stack.currentIndex() > 0:
            self._show_step(self.stack.currentIndex() - 1)

    def done(self, result: int) -> None:
        """Closing the guide stops a download it started (the partial file stays: the Models page resumes it)."""
        if self.card.cancel is not None:
            self.card.cancel.set()
        super().done(result)

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
