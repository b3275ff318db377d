"""The Settings page: a form over the typed Settings (ranges come from the fields' metadata); values are
validated first, and a ConfigError is shown beside the form in words before anything is applied."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wxbot.errors import WxbotError
from wxbot.llm.locate import find_models
from wxbot.settings import Settings
from wxbot.ui.i18n import N_, tr
from wxbot.ui.modes import ModeCombo
from wxbot.ui.pages.engine_box import EngineBox
from wxbot.ui.pages.faq_table import FaqTable
from wxbot.ui.setting_tips import setting_tip

META = {f.name: f.metadata for f in fields(Settings)}
LANGUAGES = (("auto", N_("Follow the system")), ("zh", "中文"), ("en", "English"))
REASONING = (("off", N_("Off: answer at once")), ("brief", N_("Brief: think within a budget")),
             ("full", N_("Full: think as long as it likes")))


def error_text(exc: BaseException, lang: str) -> str:
    return exc.message(lang) if isinstance(exc, WxbotError) else str(exc)


class SettingsPage(QWidget):
    apply_requested = Signal(object)  # a validated Settings
    guide_requested = Signal()  # "First-run guide…": the controller shows it again

    def __init__(self, settings: Settings, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.base = settings
        self.inputs: dict[str, QWidget] = {}
        tabs = QTabWidget()
        tabs.addTab(self._model_tab(), tr("Model"))
        tabs.addTab(self._replies_tab(), tr("Replies"))
        tabs.addTab(self._faq_tab(), tr("FAQ"))
        tabs.addTab(self._pacing_tab(), tr("Pacing"))
        tabs.addTab(self._general_tab(), tr("General"))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9453b;")
        self.saved = QLabel()
        self.saved.setStyleSheet("color: #2aae67;")
        self.apply_button = QPushButton(tr("Apply"))
        self.revert_button = QPushButton(tr("Revert"))
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(lambda: self.load(self.base))
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.saved)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addLayout(bottom)
        self.load(settings)

    # ------------------------------------------------------------------ building the form
    def _number(self, name: str) -> QWidget:
        meta = META[name]
        is_float = isinstance(getattr(self.base, name), float)
        box = QDoubleSpinBox() if is_float else QSpinBox()
        if is_float:
            box.setDecimals(2)
        box.setRange(meta["min"] if meta["min"] is not None else 0, meta["max"] if meta["max"] is not None else 1e9)
        box.setToolTip(setting_tip(name))
        self.inputs[name] = box
        return box

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setToolTip(setting_tip(name))
        self.inputs[name] = edit
        return edit

    def _form(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return page, form

    def _model_tab(self) -> QWidget:
        page, form = self._form()
        self.engine = EngineBox()
        form.addRow(self.engine)
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        self.model_combo.setMinimumWidth(360)
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.model_combo, 1)
        row.addWidget(browse)
        form.addRow(tr("Model file"), row)
        self.model_hint = QLabel()
        self.model_hint.setWordWrap(True)
        self.model_hint.setStyleSheet("color: #666;")
        form.addRow("", self.model_hint)
        self.gpu_combo = QComboBox()
        self.gpu_combo.setEditable(True)
        self.gpu_combo.addItem(tr("auto"), "auto")
        self.gpu_combo.addItem("0 (CPU)", "0")
        self.gpu_combo.setToolTip(setting_tip("gpu_layers"))
        form.addRow(tr("GPU layers"), self.gpu_combo)
        form.addRow(tr("Context size (tokens)"), self._number("context_size"))
        form.addRow(tr("Replies generated at once (0 = auto)"), self._number("parallel_replies"))
        form.addRow(tr("Longest reply (tokens)"), self._number("max_reply_tokens"))
        self.reasoning = QComboBox()
        for key, label in REASONING:
            self.reasoning.addItem(tr(label), key)
        self.reasoning.setToolTip(setting_tip("reasoning"))
        form.addRow(tr("Reasoning (DeepSeek-R1's thinking)"), self.reasoning)
        form.addRow(tr("Thinking budget when brief (tokens)"), self._number("reasoning_budget"))
        form.addRow(tr("Temperature"), self._number("temperature"))
        return page

    def _replies_tab(self) -> QWidget:
        page, form = self._form()
        self.persona = QPlainTextEdit()
        self.persona.setToolTip(setting_tip("persona"))
        self.persona.setMinimumHeight(120)
        form.addRow(tr("Persona"), self.persona)
        form.addRow(tr("Reply prefix"), self._line("reply_prefix"))
        self.new_contacts = ModeCombo()
        form.addRow(tr("New contacts"), self.new_contacts)
        self.checks = {name: QCheckBox(label) for name, label in (
            ("draft_notices", tr("Tell me about each new draft in File Transfer Helper (#ok N / #no N / #edit N)")),
            ("draft_when_unsure", tr("With a knowledge base, replies the assistant is unsure of become drafts")),
            ("prefix_owner_words", tr("Put the reply prefix before drafts I edited too")))}
        for name, box in self.checks.items():
            box.setToolTip(setting_tip(name))
            form.addRow("", box)
        form.addRow(tr("Drafts expire after (minutes, 0 = never)"), self._number("draft_expire_minutes"))
        form.addRow(tr("Holding line while a draft waits"), self._line("draft_holding_line", tr("empty = silence")))
        form.addRow(tr("Holding line when handed to me"), self._line(
            "handoff_line", tr("empty = only I am told")))
        form.addRow(tr("Remembered messages"), self._number("history_turns"))
        form.addRow(tr("Reply to images, voice, files"), self._line("non_text_reply", tr("empty = no reply")))
        form.addRow(tr("Service hours"), self._line("service_hours", tr("e.g. 09:00-21:00; empty = always")))
        form.addRow(tr("Away message"), self._line("away_message", tr("sent once outside service hours")))
        form.addRow(tr("Answer from the knowledge base as written (passages, 0 = the model answers)"),
                    self._number("kb_quote_passages"))
        metrics = self._number("metrics_port")
        metrics.setSpecialValueText(tr("off"))  # 0: no endpoint
        form.addRow(tr("Prometheus metrics on 127.0.0.1, port"), metrics)
        hour = self._number("daily_summary_hour")
        hour.setSpecialValueText(tr("off"))  # -1: no summary
        form.addRow(tr("Daily summary to File Transfer Helper at (hour)"), hour)
        form.addRow(tr("When the knowledge base has no answer"), self._line(
            "kb_fallback_text", tr("sent as written for a price, stock, shipping or refund question")))
        return page

    def _faq_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(tr("Write a rule as a few ways customers ask (separated by |) and your answer: the rule "
                         "closest to a message answers it, exactly as you wrote it, without the model, unless a "
                         "knowledge-base passage fits the message better. Try a question on the Knowledge base "
                         "page."))
        note.setWordWrap(True)
        self.faq = FaqTable()
        alike = QFormLayout()
        alike.addRow(tr("A rule answers a question at least this alike (0-1)"), self._number("faq_min_similarity"))
        layout.addWidget(note)
        layout.addWidget(self.faq, 1)
        layout.addLayout(alike)
        return page

    def _pacing_tab(self) -> QWidget:
        page, form = self._form()
        note = QLabel(tr("Slow, human-like replies protect the account. The defaults are conservative."))
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(tr("Seconds between replies to one contact"), self._number("min_seconds_between_replies"))
        form.addRow(tr("Replies per minute (all contacts)"), self._number("max_replies_per_minute"))
        form.addRow(tr("Replies per day (all contacts)"), self._number("max_replies_per_day"))
        form.addRow(tr("Typing delay, base (s)"), self._number("typing_delay_base"))
        form.addRow(tr("Typing delay per character (s)"), self._number("typing_delay_per_char"))
        form.addRow(tr("Wait for more messages (s)"), self._number("aggregate_seconds"))
        form.addRow(tr("Pause after I reply by hand (minutes)"), self._number("takeover_minutes"))
        return page

    def _general_tab(self) -> QWidget:
        page, form = self._form()
        self.language = QComboBox()
        for key, label in LANGUAGES:
            self.language.addItem(tr(label), key)
        form.addRow(tr("Language (after restart)"), self.language)
        form.addRow(tr("Keep history (days, 0 = forever)"), self._number("retention_days"))
        self.guide_button = QPushButton(tr("First-run guide…"))
        self.guide_button.clicked.connect(self.guide_requested)
        form.addRow("", self.guide_button)
        return page

    # ------------------------------------------------------------------ values
    def load(self, settings: Settings) -> None:
        self.base = settings
        for name, widget in self.inputs.items():
            value = getattr(settings, name)
            if isinstance(widget, QLineEdit):
                widget.setText(value)
            else:
                widget.setValue(value)
        self.persona.setPlainText(settings.persona)
        self.new_contacts.set_mode(settings.new_contact_mode)
        for name, box in self.checks.items():
            box.setChecked(getattr(settings, name))
        self.faq.set_rules(settings.faq_rules)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.reasoning.setCurrentIndex(max(0, self.reasoning.findData(settings.reasoning)))
        index = self.gpu_combo.findData(settings.gpu_layers)
        if index >= 0:
            self.gpu_combo.setCurrentIndex(index)
        else:
            self.gpu_combo.setEditText(settings.gpu_layers)
        self._fill_models(settings)
        self.engine.load(settings)
        self.error.clear()

    def _fill_models(self, settings: Settings) -> None:
        self.model_combo.clear()
        self.model_combo.addItem(tr("Automatic (first .gguf in models/)"), "")
        for path in find_models(settings):
            self.model_combo.addItem(path.name, str(path))
        if settings.model_path:
            index = self.model_combo.findData(settings.model_path)
            if index < 0:
                self.model_combo.addItem(Path(settings.model_path).name, settings.model_path)
                index = self.model_combo.count() - 1
            self.model_combo.setCurrentIndex(index)
        folders = "; ".join(str(d) for d in settings.models_dirs)
        if self.model_combo.count() == 1 and not settings.model_path:
            self.model_hint.setText(tr("No model yet: put a DeepSeek .gguf file in %s, or choose one with "
                                       "Browse….") % folders)
        else:
            self.model_hint.setText(tr("Models are looked for in %s") % folders)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a model"), str(self.base.models_dirs[0]),
                                              tr("GGUF models (*.gguf)"))
        if path:
            self.model_combo.addItem(Path(path).name, path)
            self.model_combo.setCurrentIndex(self.model_combo.count() - 1)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            out[name] = widget.text() if isinstance(widget, QLineEdit) else widget.value()
            if isinstance(getattr(self.base, name), int):
                out[name] = int(out[name])
        index = self.model_combo.currentIndex()
        typed = self.model_combo.currentText().strip()
        data = self.model_combo.itemData(index) if index >= 0 else None
        out["model_path"] = data if data is not None and self.model_combo.itemText(index) == typed else typed
        gpu = self.gpu_combo.currentText().strip()
        gpu_index = self.gpu_combo.findText(gpu)
        out["gpu_layers"] = self.gpu_combo.itemData(gpu_index) if gpu_index >= 0 else gpu
        out["persona"] = self.persona.toPlainText().strip()
        out["new_contact_mode"] = self.new_contacts.mode().value
        out.update({name: box.isChecked() for name, box in self.checks.items()})
        out["faq_rules"] = self.faq.rules()
        out["language"] = self.language.currentData()
        out["reasoning"] = self.reasoning.currentData()
        out.update(self.engine.values())
        return out

    def apply(self) -> None:
        """Validate the form; on success emit ``apply_requested`` with the new settings."""
        self.saved.clear()
        try:
            new = self.base.replace(**self.values())
        except WxbotError as exc:
            self.error.setText(error_text(exc, self.lang))
            return
        self.error.clear()
        self.apply_requested.emit(new)

    def changed_elsewhere(self, settings: Settings) -> None:
        """The settings were written by another path (a rule kept from a draft, the phone): FAQ rules the form
        does not show yet appear at the top at once; the owner's unsaved edits stay as they are."""
        self.faq.drop([r for r in self.base.faq_rules if r not in settings.faq_rules])  # replaced by a kept rule
        shown = self.faq.rules()
        for rule in reversed([r for r in settings.faq_rules if r not in self.base.faq_rules and r not in shown]):
            self.faq.add_rule(rule, row=0)
        self.base = self.base.replace(faq_rules=list(settings.faq_rules))

    def applied(self, settings: Settings) -> None:
        self.load(settings)
        self.saved.setText(tr("Saved"))

    def failed(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc, self.lang))
