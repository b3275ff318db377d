"""The passphrase that protects the chat history, asked in the UI language: a new one typed twice with a strength
hint and refused while too short (the guide's key step and the start-up dialog share these fields), an existing
one asked again when wrong. Nothing here leaves the owner stuck: each refusal says why and asks again."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from wxbot.store.keys import MIN_PASSPHRASE_CHARS, Strength, passphrase_strength
from wxbot.ui.i18n import N_, tr

STRENGTH_TEXT = {Strength.TOO_SHORT: N_("Too short: at least %d characters"), Strength.WEAK: N_("Strength: weak"),
                 Strength.FAIR: N_("Strength: fair"), Strength.STRONG: N_("Strength: strong")}
STRENGTH_COLOUR = {Strength.TOO_SHORT: "#d9453b", Strength.WEAK: "#d9453b", Strength.FAIR: "#b07800",
                   Strength.STRONG: "#2aae67"}


def strength_text(text: str) -> str:
    strength = passphrase_strength(text)
    label = tr(STRENGTH_TEXT[strength])
    return label % MIN_PASSPHRASE_CHARS if strength is Strength.TOO_SHORT else label


class PassphraseFields(QWidget):
    """The passphrase (and, for a new one, the same again) with a live strength hint and an error line."""

    def __init__(self, new: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = new
        self.passphrase = QLineEdit()
        self.repeat = QLineEdit()
        self.passphrase.setPlaceholderText(tr("Passphrase (at least %d characters)") % MIN_PASSPHRASE_CHARS
                                           if new else tr("Passphrase"))
        self.repeat.setPlaceholderText(tr("The same passphrase again"))
        for edit in (self.passphrase, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.strength = QLabel()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9453b;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.passphrase)
        if new:
            layout.addWidget(self.repeat)
            layout.addWidget(self.strength)
            self.passphrase.textChanged.connect(self._hint)
        else:
            self.repeat.hide()
            self.strength.hide()
        layout.addWidget(self.error)

    def _hint(self, text: str) -> None:
        strength = passphrase_strength(text)
        self.strength.setStyleSheet(f"color: {STRENGTH_COLOUR[strength]};")
        self.strength.setText(strength_text(text) if text else "")

    def taken(self) -> str | None:
        """The passphrase when it may be used; else None, with the reason on the error line."""
        text = self.passphrase.text()
        if not text:
            self.error.setText(tr("Type the passphrase."))
        elif self.new and passphrase_strength(text) is Strength.TOO_SHORT:
            self.error.setText(strength_text(text))
        elif self.new and text != self.repeat.text():
            self.error.setText(tr("The two passphrases differ."))
        else:
            self.error.setText("")
            return text
        return None


class PassphraseDialog(QDialog):
    """Asks for the passphrase; OK is refused (with the reason) until the fields hold a usable one."""

    def __init__(self, prompt: str, new: bool, error: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Passphrase"))
        self.setMinimumWidth(420)
        text = QLabel(prompt)
        text.setWordWrap(True)
        self.fields = PassphraseFields(new)
        self.fields.error.setText(error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)
        self.value = ""

    def _ok(self) -> None:
        text = self.fields.taken()
        if text is not None:
            self.value = text
            self.accept()


def ask_passphrase(parent: QWidget | None, prompt: str, *, new: bool, error: str = "") -> str | None:
    """The passphrase the owner typed, or None when they cancelled."""
    dialog = PassphraseDialog(prompt, new, error, parent)
    return dialog.value if dialog.exec() == QDialog.DialogCode.Accepted else None
