"""The Settings page's model file: the .gguf files found in the models folders, one from anywhere on disk
(Browse…), or automatic (the first one found); a hint says where models are looked for, or what to do without one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wxbot.llm.locate import find_models
from wxbot.settings import Settings
from wxbot.ui.i18n import tr


class ModelFileBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_dir = ""
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setMinimumWidth(300)
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")
        row = QHBoxLayout()
        row.addWidget(self.combo, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.hint)

    def load(self, settings: Settings) -> None:
        self.start_dir = str(settings.models_dirs[0]) if settings.models_dirs else ""
        self.combo.clear()
        self.combo.addItem(tr("Automatic (first .gguf in models/)"), "")
        for path in find_models(settings):
            self.combo.addItem(path.name, str(path))
        if settings.model_path:
            index = self.combo.findData(settings.model_path)
            if index < 0:
                self.combo.addItem(Path(settings.model_path).name, settings.model_path)
                index = self.combo.count() - 1
            self.combo.setCurrentIndex(index)
        folders = "; ".join(str(d) for d in settings.models_dirs)
        if self.combo.count() == 1 and not settings.model_path:
            self.hint.setText(tr("No model yet: put a DeepSeek .gguf file in %s, or choose one with "
                                 "Browse….") % folders)
        else:
            self.hint.setText(tr("Models are looked for in %s") % folders)

    def value(self) -> str:
        """The chosen file's path; what the owner typed when it names no listed entry; "" for automatic."""
        index = self.combo.currentIndex()
        typed = self.combo.currentText().strip()
        data = self.combo.itemData(index) if index >= 0 else None
        return data if data is not None and self.combo.itemText(index) == typed else typed

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a model"), self.start_dir, tr("GGUF models (*.gguf)"))
        if path:
            self.combo.addItem(Path(path).name, path)
            self.combo.setCurrentIndex(self.combo.count() - 1)
