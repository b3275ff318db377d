"""The three reply modes in the owner's words, and the combo box that picks one (Contacts, Settings)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from wxbot.messages import ReplyMode
from wxbot.ui.i18n import N_, tr

MODE_LABELS = {ReplyMode.OFF: N_("Off"), ReplyMode.DRAFT: N_("Draft (I approve)"), ReplyMode.AUTO: N_("Auto")}


def mode_text(mode: ReplyMode) -> str:
    return tr(MODE_LABELS[ReplyMode(mode)])


class ModeCombo(QComboBox):
    """Off / Draft / Auto; ``mode()`` and ``set_mode()`` speak ReplyMode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for mode, label in MODE_LABELS.items():
            self.addItem(tr(label), mode.value)
        self.setToolTip(tr("Off: no replies. Draft: the assistant writes a reply and waits for you to send it. "
                           "Auto: it answers by itself."))

    def mode(self) -> ReplyMode:
        return ReplyMode(self.currentData())

    def set_mode(self, mode: ReplyMode | str) -> None:
        self.setCurrentIndex(self.findData(ReplyMode(mode).value))
