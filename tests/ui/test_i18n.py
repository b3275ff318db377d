"""The Chinese catalogue covers every UI string, the shipped .qm is compiled from the .ts, and the
installed translator turns tr() into Chinese."""

from __future__ import annotations

import ast
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QMessageBox

from wxbot.ui.i18n import CATALOGUE_DIR, install_translator, one_language, tr, ui_language

UI_DIR = Path(__file__).resolve().parents[2] / "wxbot" / "ui"


def ui_strings() -> set[str]:
    found = set()
    for path in UI_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "N_") \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def catalogue() -> dict[str, str]:
    root = ET.parse(CATALOGUE_DIR / "zh_CN.ts").getroot()
    return {m.findtext("source"): m.findtext("translation") for m in root.iter("message")}


def test_every_ui_string_has_a_chinese_translation():
    strings = ui_strings()
    assert len(strings) > 100
    cat = catalogue()
    missing = sorted(s for s in strings if not cat.get(s))
    assert missing == []
    assert all(cat[s].count("%") == s.count("%") for s in strings)  # placeholders survive translation


@pytest.mark.skipif(not shutil.which("pyside6-lrelease") and not (Path(__file__).parents[2] / ".venv/bin/pyside6-lrelease").exists(),
                    reason="pyside6-lrelease not installed")
def test_shipped_qm_is_compiled_from_the_ts(tmp_path):
    lrelease = shutil.which("pyside6-lrelease") or str(Path(__file__).parents[2] / ".venv/bin/pyside6-lrelease")
    out = tmp_path / "zh_CN.qm"
    subprocess.run([lrelease, str(CATALOGUE_DIR / "zh_CN.ts"), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == (CATALOGUE_DIR / "zh_CN.qm").read_bytes(), "run pyside6-lrelease on zh_CN.ts"


def test_translator_switches_the_ui_and_qts_own_dialogs_to_chinese(qapp):
    assert tr("Contacts") == "Contacts"
    translators = install_translator(qapp, "zh")
    try:
        assert len(translators) == 2  # ours and Qt's own
        assert tr("Contacts") == "联系人"
        assert tr("Replies today: %d") % 3 == "今日回复：3"
        box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Ok
                          | QMessageBox.StandardButton.Cancel)
        assert {box.button(b).text() for b in (QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Cancel)} \
            == {"确定", "取消"}  # Qt's buttons, no English OK/Cancel in the Chinese UI
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
    assert install_translator(qapp, "en") == []


def test_ui_language_follows_setting_then_locale():
    assert ui_language("zh") == "zh" and ui_language("en") == "en"
    assert ui_language("auto", QLocale(QLocale.Language.Chinese, QLocale.Country.China)) == "zh"
    assert ui_language("auto", QLocale(QLocale.Language.German, QLocale.Country.Germany)) == "en"


def test_core_texts_show_in_the_ui_language_only():
    """The core writes "中文 (English)"; the window shows one of the two."""
    notice = "有 3 个联系人需要确认（改名或重名），确认前不会自动回复 (3 contacts need confirming; no auto-reply until then)"
    assert one_language(notice, "zh") == "有 3 个联系人需要确认（改名或重名），确认前不会自动回复"
    assert one_language(notice, "en") == "3 contacts need confirming; no auto-reply until then"
    assert one_language("语义检索已启用（bge）(semantic search on)", "en") == "semantic search on"
    assert one_language("未配置。(no model: keyword (x) search only.)", "en") == "no model: keyword (x) search only."
    assert one_language("草稿 #1 正在发送给「张三」 (draft #1 is being sent to 张三)", "en") == "draft #1 is being sent to 张三"
    for other in ("plain English (as it is)", "中文（全角）", "Logged in as 小明", "张三 (老客户)"):
        assert one_language(other, "zh") == one_language(other, "en") == other
