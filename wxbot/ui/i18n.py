"""The UI language: English source strings translated through Qt's translator (a compiled .qm catalogue).

All UI text goes through ``tr()``, one translation context ("wxbot"); ``i18n/zh_CN.ts`` is the catalogue
source and ``i18n/zh_CN.qm`` its compiled form (``pyside6-lrelease wxbot/ui/i18n/zh_CN.ts``). Qt's own strings
(dialog buttons, the file picker) come from Qt's ``qtbase_zh_CN`` catalogue, shipped with PySide6.
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

CONTEXT = "wxbot"
CATALOGUE_DIR = Path(__file__).resolve().parent / "i18n"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def N_(text: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a string in a table for the catalogue; it is translated later with ``tr(value)``."""
    return text


def ui_language(setting: str, locale: QLocale | None = None) -> str:
    """'zh' or 'en': the setting, or for 'auto' the system locale."""
    if setting in ("zh", "en"):
        return setting
    locale = locale or QLocale.system()
    return "zh" if locale.language() == QLocale.Language.Chinese else "en"


def install_translator(app: QCoreApplication, language: str) -> list[QTranslator]:
    """For 'zh': our catalogue and Qt's own (``qtbase_zh_CN``: the buttons and texts of Qt's dialogs, such as
    the file picker and message boxes); returns the translators installed (keep a reference), none for 'en'."""
    if language != "zh":
        return []
    installed = []
    for name, folder in (("zh_CN", str(CATALOGUE_DIR)),
                         ("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            logger.warning("translation {} not found in {}", name, folder)
    return installed
