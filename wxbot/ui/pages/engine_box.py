"""The engine part of the Settings page: the model on this PC or an OpenAI-compatible server, with its address,
model name, timeout and API key (the key goes to the OS keychain through the service, never into settings.json)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit, QWidget

from wxbot.settings import Settings
from wxbot.store.apikey import load_api_key
from wxbot.ui.i18n import N_, tr
from wxbot.ui.setting_tips import setting_tip

META = {f.name: f.metadata for f in fields(Settings)}
ENGINES = (("local", N_("The model on this PC")), ("openai", N_("An OpenAI-compatible server")))
SERVER_FIELDS = ("openai_base_url", "openai_model", "openai_timeout")


class EngineBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.engine = QComboBox()
        for key, label in ENGINES:
            self.engine.addItem(tr(label), key)
        self.engine.setToolTip(setting_tip("llm_backend"))
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("http://192.168.1.20:8080/v1")
        self.model = QLineEdit()
        self.model.setPlaceholderText(tr("empty = the first model the server lists"))
        self.timeout = QDoubleSpinBox()
        self.timeout.setDecimals(0)
        self.timeout.setRange(META["openai_timeout"]["min"], META["openai_timeout"]["max"])
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        for name, widget in zip(SERVER_FIELDS, (self.base_url, self.model, self.timeout), strict=True):
            widget.setToolTip(setting_tip(name))
        form.addRow(tr("Engine"), self.engine)
        form.addRow(tr("Server address"), self.base_url)
        form.addRow(tr("Model name on the server"), self.model)
        form.addRow(tr("Server timeout (seconds)"), self.timeout)
        form.addRow(tr("API key"), self.api_key)
        self.engine.currentIndexChanged.connect(self._sync)

    def load(self, settings: Settings) -> None:
        self.engine.setCurrentIndex(max(0, self.engine.findData(settings.llm_backend)))
        self.base_url.setText(settings.openai_base_url)
        self.model.setText(settings.openai_model)
        self.timeout.setValue(settings.openai_timeout)
        self.api_key.clear()
        kept = bool(load_api_key(settings.data_path))
        self.api_key.setPlaceholderText(tr("kept in the keychain; type to replace") if kept else tr("none"))
        self._sync()

    def values(self) -> dict[str, Any]:
        return {"llm_backend": self.engine.currentData(), "openai_base_url": self.base_url.text().strip(),
                "openai_model": self.model.text().strip(), "openai_timeout": float(self.timeout.value())}

    def new_key(self) -> str | None:
        """The key the owner typed, or None to keep the one the keychain holds."""
        return self.api_key.text().strip() or None

    def _sync(self) -> None:
        server = self.engine.currentData() == "openai"
        for widget in (self.base_url, self.model, self.timeout, self.api_key):
            widget.setEnabled(server)
