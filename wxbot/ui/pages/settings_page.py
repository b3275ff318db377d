"""The Settings page: a form over the typed Settings (ranges come from the fields' metadata), in tabs by what an
owner does (how to reply, FAQ, knowledge base, business hours, account safety), the engine under Advanced; values
are validated first, and a ConfigError is shown beside the form in words before anything is applied."""

from __future__ import annotations

import enum
from dataclasses import fields
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wxbot.errors import WxbotError
from wxbot.settings import Settings
from wxbot.ui.i18n import N_, tr
from wxbot.ui.modes import ModeCombo
from wxbot.ui.pages.engine_box import EngineBox
from wxbot.ui.pages.faq_table import FaqTable
from wxbot.ui.pages.model_file import ModelFileBox
from wxbot.ui.setting_tips import setting_tip

META = {f.name: f.metadata for f in fields(Settings)}
LANGUAGES = (("auto", N_("Follow the system")), ("zh", "中文"), ("en", "English"))
REASONING = (("off", N_("Off: answer at once")), ("brief", N_("Brief: think within a budget")),
             ("full", N_("Full: think as long as it likes")))


class SettingsGroup(enum.Enum):
    """The Settings page's tabs, in order: what an owner does, the engine last. The value is the tab's title."""

    REPLIES = N_("How to reply")
    FAQ = N_("FAQ")
    KNOWLEDGE = N_("Knowledge base")
    HOURS = N_("Business hours")
    SAFETY = N_("Account safety")
    ADVANCED = N_("Advanced")


def error_text(exc: BaseException, lang: str) -> str:
    return exc.message(lang) if isinstance(exc, WxbotError) else str(exc)


class SettingsPage(QWidget):
    apply_requested = Signal(object)  # a validated Settings
    guide_requested = Signal()  # "First-run guide…": the controller shows it again

    def __init__(self, settings: Settings, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.base = settings
        self.inputs: dict[str, QWidget] = {}  # numbers and lines, loaded and read alike
        self.fields: dict[str, QWidget] = {}  # every setting the page shows -> the widget that shows it
        self.checks: dict[str, QCheckBox] = {}
        self.tabs = QTabWidget()
        self.groups: dict[SettingsGroup, QWidget] = {}
        for group, build in ((SettingsGroup.REPLIES, self._replies_tab), (SettingsGroup.FAQ, self._faq_tab),
                             (SettingsGroup.KNOWLEDGE, self._knowledge_tab), (SettingsGroup.HOURS, self._hours_tab),
                             (SettingsGroup.SAFETY, self._safety_tab), (SettingsGroup.ADVANCED, self._advanced_tab)):
            scroll = QScrollArea()  # a long tab scrolls instead of squeezing its rows
            scroll.setWidgetResizable(True)
            scroll.setWidget(build())
            self.groups[group] = scroll
            self.tabs.addTab(scroll, tr(group.value))
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
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.load(settings)

    def group_of(self, name: str) -> SettingsGroup:
        """The tab that shows setting ``name`` (KeyError for one the page does not show)."""
        widget = self.fields[name]
        return next(g for g, page in self.groups.items() if page.isAncestorOf(widget))

    def show_group(self, group: SettingsGroup) -> None:
        self.tabs.setCurrentWidget(self.groups[group])

    # ------------------------------------------------------------------ building the form
    def _field(self, name: str, widget: QWidget) -> QWidget:
        """``widget`` shows setting ``name``: it gets the setting's tip in the owner's words."""
        widget.setToolTip(setting_tip(name))
        self.fields[name] = widget
        return widget

    def _number(self, name: str) -> QWidget:
        meta = META[name]
        is_float = isinstance(getattr(self.base, name), float)
        box = QDoubleSpinBox() if is_float else QSpinBox()
        if is_float:
            box.setDecimals(2)
        box.setRange(meta["min"] if meta["min"] is not None else 0, meta["max"] if meta["max"] is not None else 1e9)
        self.inputs[name] = box
        return self._field(name, box)

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self.inputs[name] = edit
        self._field(name, edit)
        return edit

    def _check(self, name: str, label: str) -> QCheckBox:
        box = QCheckBox(label)
        self.checks[name] = box
        self._field(name, box)
        return box

    def _combo(self, name: str, choices: tuple[tuple[str, str], ...]) -> QComboBox:
        combo = QComboBox()
        for key, label in choices:
            combo.addItem(tr(label), key)
        self._field(name, combo)
        return combo

    @staticmethod
    def _form(note: str = "", page: QWidget | None = None) -> tuple[QWidget, QFormLayout]:
        """A form on ``page`` (a new one by default), a long label above its field rather than widening the tab."""
        page = page or QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            form.addRow(label)
        return page, form

    def _replies_tab(self) -> QWidget:
        page, form = self._form()
        self.persona = QPlainTextEdit()
        self.persona.setMinimumHeight(120)
        form.addRow(tr("Persona"), self._field("persona", self.persona))
        form.addRow(tr("Reply prefix"), self._line("reply_prefix"))
        self.new_contacts = ModeCombo()
        form.addRow(tr("New contacts"), self._field("new_contact_mode", self.new_contacts))
        form.addRow(tr("Remembered messages"), self._number("history_turns"))
        form.addRow(tr("Reply to images, voice, files"), self._line("non_text_reply", tr("empty = no reply")))
        form.addRow(tr("Holding line when handed to me"), self._line(
            "handoff_line", tr("empty = only I am told")))
        form.addRow("", self._check("draft_notices", tr(
            "Tell me about each new draft in File Transfer Helper (#ok N / #no N / #edit N)")))
        form.addRow("", self._check("prefix_owner_words", tr("Put the reply prefix before drafts I edited too")))
        form.addRow(tr("Drafts expire after (minutes, 0 = never)"), self._number("draft_expire_minutes"))
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
        self._field("faq_rules", self.faq)
        alike = QFormLayout()
        alike.addRow(tr("A rule answers a question at least this alike (0-1)"), self._number("faq_min_similarity"))
        layout.addWidget(note)
        layout.addWidget(self.faq, 1)
        layout.addLayout(alike)
        return page

    def _knowledge_tab(self) -> QWidget:
        page, form = self._form(tr("How replies use the shop's documents; add or remove them on the Knowledge "
                                   "base page."))
        form.addRow(tr("Answer from the knowledge base as written (passages, 0 = the model answers)"),
                    self._number("kb_quote_passages"))
        form.addRow(tr("When the knowledge base has no answer"), self._line(
            "kb_fallback_text", tr("sent as written for a price, stock, shipping or refund question")))
        form.addRow("", self._check("draft_when_unsure", tr(
            "With a knowledge base, replies the assistant is unsure of become drafts")))
        form.addRow(tr("Holding line while a draft waits"), self._line("draft_holding_line", tr("empty = silence")))
        return page

    def _hours_tab(self) -> QWidget:
        page, form = self._form()
        form.addRow(tr("Service hours"), self._line("service_hours", tr("e.g. 09:00-21:00; empty = always")))
        form.addRow(tr("Away message"), self._line("away_message", tr("sent once outside service hours")))
        hour = self._number("daily_summary_hour")
        hour.setSpecialValueText(tr("off"))  # -1: no summary
        form.addRow(tr("Daily summary to File Transfer Helper at (hour)"), hour)
        return page

    def _safety_tab(self) -> QWidget:
        page, form = self._form(tr("Slow, human-like replies protect the account. The defaults are conservative."))
        form.addRow(tr("Seconds between replies to one contact"), self._number("min_seconds_between_replies"))
        form.addRow(tr("Replies per minute (all contacts)"), self._number("max_replies_per_minute"))
        form.addRow(tr("Replies per day (all contacts)"), self._number("max_replies_per_day"))
        form.addRow(tr("Typing delay, base (s)"), self._number("typing_delay_base"))
        form.addRow(tr("Typing delay per character (s)"), self._number("typing_delay_per_char"))
        form.addRow(tr("Wait for more messages (s)"), self._number("aggregate_seconds"))
        form.addRow(tr("Pause after I reply by hand (minutes)"), self._number("takeover_minutes"))
        form.addRow(tr("Keep history (days, 0 = forever)"), self._number("retention_days"))
        return page

    def _advanced_tab(self) -> QWidget:
        """The engine (this PC's model or a server) and how it generates; then the app itself."""
        page = QWidget()
        layout = QVBoxLayout(page)
        engine_box = QGroupBox(tr("Engine"))
        _, form = self._form(page=engine_box)
        self.engine = EngineBox()
        for name, widget in zip(("llm_backend", "openai_base_url", "openai_model", "openai_timeout"),
                                (self.engine.engine, self.engine.base_url, self.engine.model, self.engine.timeout),
                                strict=True):
            self.fields[name] = widget  # EngineBox gives them their tips
        form.addRow(self.engine)
        self.model_file = ModelFileBox()
        self._field("model_path", self.model_file.combo)
        form.addRow(tr("Model file"), self.model_file)
        self.gpu_combo = self._combo("gpu_layers", (("auto", N_("auto")),))
        self.gpu_combo.setEditable(True)
        self.gpu_combo.addItem("0 (CPU)", "0")
        form.addRow(tr("GPU layers"), self.gpu_combo)
        form.addRow(tr("Context size (tokens)"), self._number("context_size"))
        form.addRow(tr("Replies generated at once (0 = auto)"), self._number("parallel_replies"))
        form.addRow(tr("Longest reply (tokens)"), self._number("max_reply_tokens"))
        self.reasoning = self._combo("reasoning", REASONING)
        form.addRow(tr("Reasoning (DeepSeek-R1's thinking)"), self.reasoning)
        form.addRow(tr("Thinking budget when brief (tokens)"), self._number("reasoning_budget"))
        form.addRow(tr("Temperature"), self._number("temperature"))
        app_box = QGroupBox(tr("This app"))
        _, app_form = self._form(page=app_box)
        self.language = self._combo("language", LANGUAGES)
        app_form.addRow(tr("Language (after restart)"), self.language)
        metrics = self._number("metrics_port")
        metrics.setSpecialValueText(tr("off"))  # 0: no endpoint
        app_form.addRow(tr("Prometheus metrics on 127.0.0.1, port"), metrics)
        self.guide_button = QPushButton(tr("First-run guide…"))
        self.guide_button.clicked.connect(self.guide_requested)
        app_form.addRow("", self.guide_button)
        layout.addWidget(engine_box)
        layout.addWidget(app_box)
        layout.addStretch(1)
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
        self.model_file.load(settings)
        self.engine.load(settings)
        self.error.clear()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            out[name] = widget.text() if isinstance(widget, QLineEdit) else widget.value()
            if isinstance(getattr(self.base, name), int):
                out[name] = int(out[name])
        out["model_path"] = self.model_file.value()
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
