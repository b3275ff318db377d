"""The UI language: English source strings translated through Qt's translator (a compiled .qm catalogue).

All UI text goes through ``tr()``, one translation context ("wxbot"); ``i18n/zh_CN.ts`` is the catalogue
source and ``i18n/zh_CN.qm`` its compiled form (``pyside6-lrelease wxbot/ui/i18n/zh_CN.ts``). Qt's own strings
(dialog buttons, the file picker) come from Qt's ``qtbase_zh_CN`` catalogue, shipped with PySide6.
"""

from __future__ import annotations

import re
from pathlib import Path

from loguru import logger
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

CONTEXT = "wxbot"
_HAN = re.compile(r"[\u3400-\u9fff]")
_installed = ["en"]  # the language install_translator last set up, as tr() itself follows the installed translator
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
    the file picker and message boxes); returns the translators installed (keep a reference), none for 'en'.
    ``one_language`` follows the language set here."""
    _installed[0] = language
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


def one_language(text: str, language: str | None = None) -> str:
    """A core text written "中文 (English)" in the UI's language only (``language``, else the installed one): the
    Chinese part for 'zh', the English in the closing parentheses for 'en'. Another text is returned as it is."""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return text
    depth = 0
    for i in range(len(stripped) - 1, -1, -1):  # the "(" that the final ")" closes
        depth += {")": 1, "(": -1}.get(stripped[i], 0)
        if depth == 0:
            break
    zh, en = stripped[:i].rstrip(), stripped[i + 1:-1].strip()
    if depth or not _HAN.search(zh) or not re.match(r"[A-Za-z0-9#]", en):  # English may name a contact: 张三
        return text
    return zh if (language or _installed[0]) == "zh" else en
