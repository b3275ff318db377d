"""The engine part of the Settings page: the model on this PC or an OpenAI-compatible server, with its address,
model name, timeout and API key (the key goes to the OS keychain through the service, never into settings.json,
kept for the server it was typed for; it can be removed). An http:// address off this PC is warned about."""

from __future__ import annotations

import ipaddress
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from wxbot.settings import Settings
from wxbot.store.apikey import key_origin, saved_api_key
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
        self.forget_key = QPushButton(tr("Remove saved key"))
        self.forget_key.clicked.connect(self._forget)
        self.forget = False  # Apply removes the saved key
        self.saved_for: str | None = ""  # the server the saved key is kept for ("" none, None an unbound old one)
        self.clear_text = QLabel()
        self.clear_text.setWordWrap(True)
        self.clear_text.setStyleSheet("color: #b35c00;")
        self.base_url.textChanged.connect(self._describe)
        for name, widget in zip(SERVER_FIELDS, (self.base_url, self.model, self.timeout), strict=True):
            widget.setToolTip(setting_tip(name))
        form.addRow(tr("Engine"), self.engine)
        form.addRow(tr("Server address"), self.base_url)
        form.addRow(tr("Model name on the server"), self.model)
        form.addRow(tr("Server timeout (seconds)"), self.timeout)
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.forget_key)
        form.addRow(tr("API key"), key_row)
        form.addRow("", self.clear_text)
        self.engine.currentIndexChanged.connect(self._sync)

    def load(self, settings: Settings) -> None:
        self.engine.setCurrentIndex(max(0, self.engine.findData(settings.llm_backend)))
        self.base_url.setText(settings.openai_base_url)
        self.model.setText(settings.openai_model)
        self.timeout.setValue(settings.openai_timeout)
        self.api_key.clear()
        self.forget = False
        self.saved_for, key = saved_api_key(settings.data_path)
        if not key:
            self.saved_for = ""
        self._describe()
        self._sync()

    def values(self) -> dict[str, Any]:
        return {"llm_backend": self.engine.currentData(), "openai_base_url": self.base_url.text().strip(),
                "openai_model": self.model.text().strip(), "openai_timeout": float(self.timeout.value())}

    def new_key(self) -> str | None:
        """The key the owner typed, "" to remove the saved one, or None to keep it."""
        return self.api_key.text().strip() or ("" if self.forget else None)

    def _forget(self) -> None:
        self.forget = True
        self.api_key.clear()
        self._describe()
        self._sync()

    def _describe(self) -> None:
        """The key field's hint: whether a key is kept, and for which server; the warning for clear text."""
        here = key_origin(self.base_url.text())
        if self.forget:
            hint = tr("removed when you apply")
        elif self.saved_for is None or (self.saved_for and self.saved_for == here):
            hint = tr("kept in the keychain; type to replace")
        elif self.saved_for:
            hint = tr("kept for %s only, not sent to this address; type it again to use it here") % self.saved_for
        else:
            hint = tr("none")
        self.api_key.setPlaceholderText(hint)
        self.clear_text.setText(tr("http:// is not encrypted: the API key and every customer message cross the "
                                   "network in clear text. Use https://, or a server on this PC.")
                                if clear_text_off_this_pc(self.base_url.text()) else "")
        self._sync()

    def _sync(self) -> None:
        server = self.engine.currentData() == "openai"
        for widget in (self.base_url, self.model, self.timeout, self.api_key):
            widget.setEnabled(server)
        self.forget_key.setEnabled(server and bool(self.saved_for or self.saved_for is None) and not self.forget)
        self.clear_text.setVisible(server and bool(self.clear_text.text()))


def clear_text_off_this_pc(base_url: str) -> bool:
    """Whether ``base_url`` is plain http:// to another machine (loopback is this PC: nothing crosses a network)."""
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme.lower() != "http" or not host:
        return False
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: it may be anywhere
