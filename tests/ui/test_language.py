"""One language at a time: every page of the logged-in window, in Chinese and in English, shows no text of the
other language and no raw setting key. Visible labels, buttons, placeholders, tooltips, list and combo items,
table headers, tab titles, the status bar and the banner are read; data (contact names, file names, paths,
model names) is taken out first, since it is the owner's and shows as it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableView,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QWidget,
)

from tests.ui.flows import log_in
from wxbot.llm.catalog import CATALOG, EMBEDDING_CATALOG
from wxbot.ui.i18n import install_translator

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # a setting key such as faq_rules
WORD = re.compile(r"#?[A-Za-z][A-Za-z0-9+.\-']*")
# words the Chinese UI keeps in Latin letters: names of products, formats, keys and units
PROPER = {"wxbot", "AI", "FAQ", "GPU", "CPU", "CUDA", "Metal", "Vulkan", "MB", "GB", "KB", "MB/s", "DeepSeek",
          "ModelScope", "Hugging", "Face", "GGUF", "gguf", ".gguf", "Excel", "CSV", "Word", "PDF", "Markdown", "QR",
          "Ctrl", "Enter", "Esc", "Ctrl+Enter", "Ctrl+E", "Ctrl+R", "Alt", "Tab", "F2", "OpenAI", "API", "Prometheus",
          "HTTP", "URL", "IP", "ID", "token", "tokens", "s", "ms", "h", "min", "English", "llama.cpp", "Q4_K_M",
          "Q8_0", "BAAI", "Qwen", "Llama", "R1", "GB,", "http", "https", "NVIDIA", "#ok", "#no", "#edit", "#faq",
          "#note", "#pause", "#resume", "#status", "e.g", "vs", "AM", "PM", "txt", "md", "xlsx", "docx", "json", "vLLM",
          "Ollama", "LM", "Studio", "Whisper", "base", "small", "medium"}  # Whisper's sizes are its models' names
OWN_NAMES = {"中文", "简体中文"}  # a language picker names Chinese in Chinese in any UI


def texts_of(widget: QWidget) -> list[str]:
    out = [widget.toolTip(), widget.windowTitle() if widget.isWindow() else ""]
    if isinstance(widget, QLabel):
        out.append(widget.text())
    if isinstance(widget, QAbstractButton):
        out.append(widget.text())
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        out.append(widget.placeholderText())
    if isinstance(widget, QComboBox):
        out += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QGroupBox):
        out.append(widget.title())
    if isinstance(widget, QTabWidget):
        out += [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QListWidget) and widget.objectName() == "nav":
        out += [widget.item(i).text() for i in range(widget.count())]
    if isinstance(widget, QTableWidget):  # cells the window writes itself (the log, the model list, FAQ rules)
        out += [widget.item(r, c).text() for r in range(widget.rowCount()) for c in range(widget.columnCount())
                if widget.item(r, c) is not None]
    if isinstance(widget, (QTableView, QTreeView)) and widget.model() is not None:
        header = widget.horizontalHeader() if isinstance(widget, QTableView) else widget.header()
        out += [str(widget.model().headerData(c, Qt.Orientation.Horizontal) or "") for c in range(header.count())
                if not header.isSectionHidden(c)]
    return [t for t in out if t]


def visible_texts(window: QWidget) -> list[str]:
    widgets = [w for w in window.findChildren(QWidget) if w.isVisibleTo(window)]
    return [t for w in widgets for t in texts_of(w)]


def strip_data(text: str, data: list[str]) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # rich text markup
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return re.sub(r"(?:/|[A-Za-z]:\\)[^\s，。；：、（）()]*", " ", text)  # paths


def wrong_language(text: str, lang: str) -> list[str]:
    found = SNAKE.findall(text)
    if lang == "en":
        found += [c for c in CJK.findall(text) if not any(c in name for name in OWN_NAMES)]
    else:
        found += [w for w in WORD.findall(text) if w.strip(".-'") not in PROPER and w not in PROPER
                  and not re.search(r"[\d-]", w) and not w.isupper()]  # DeepSeek-R1, bge-small-zh, GPU: names
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_one_language(qtbot, qapp, make_app, sim, test_model_path, lang):
    translators = install_translator(qapp, lang)
    try:
        app = make_app(lang=lang, new_contact_mode="draft",
                       faq_rules=[{"match": "contains", "pattern": "营业", "answer": "每天 9 点到 18 点"}])
        log_in(qtbot, app, sim)
        qtbot.waitUntil(lambda: app.svc.model_state.state == "ready", timeout=120000)
        sim.inject("zhang", "今天营业吗")
        qtbot.waitUntil(lambda: len(app.drafts_page.drafts) == 1, timeout=30000)
        window = app.window
        data = [c.name for c in app.svc.contacts()] + [app.svc.login_state.detail, Path(test_model_path).name,
                                                        app.svc.model.info.name, "今天营业吗", "营业", "每天 9 点到 18 点"]
        data += [m.title for m in (*CATALOG, *EMBEDDING_CATALOG)] + ["models/"]
        problems: dict[str, list[str]] = {}
        for page in window.PAGES:
            window.show_page(page)
            qtbot.waitUntil(lambda: not app.tasks.busy(), timeout=60000)
            QApplication.processEvents()
            tabs = window.pages[page].findChildren(QTabWidget)
            for tab in [(t, i) for t in tabs for i in range(t.count())] or [(None, 0)]:
                if tab[0] is not None:
                    tab[0].setCurrentIndex(tab[1])
                for text in visible_texts(window):
                    bad = wrong_language(strip_data(text, data), lang)
                    if bad:
                        problems.setdefault(page, []).append(f"{text[:80]!r}: {bad[:5]}")
        window.show_page("drafts")  # what the drafts page says after a send comes from the core: one language too
        app.drafts_page.send_button.click()
        qtbot.waitUntil(lambda: app.drafts_page.status.text() != "", timeout=30000)
        said = app.drafts_page.status.text()
        if wrong_language(strip_data(said, data), lang):
            problems["drafts (after sending)"] = [said]
        assert problems == {}, "\n".join(f"{page}: {line}" for page, lines in problems.items() for line in lines)
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        install_translator(qapp, "en")
