"""The UI language: English source strings translated through Qt's translator (a compiled .qm catalogue).

All UI text goes through ``tr()``, one translation context ("wxbot"); ``i18n/zh_CN.ts`` is the catalogue
source and ``i18n/zh_CN.qm`` its compiled form (``pyside6-lrelease wxbot/ui/i18n/zh_CN.ts``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

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


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Install the Chinese catalogue when ``language`` is 'zh'; returns the translator (keep a reference)."""
    if language != "zh":
        return None
    translator = QTranslator(app)
    if not translator.load(str(CATALOGUE_DIR / "zh_CN.qm")):
        return None
    app.installTranslator(translator)
    return translator
