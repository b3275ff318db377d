"""The Settings page grouped by what an owner does: each tab holds the settings an owner looks for there (the
engine under Advanced, never on the first tab), every setting the window names is on the page with a tip in the
owner's words, and a value changed in any tab is applied through the service and saved."""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication

from wxbot.settings import Settings, load_settings
from wxbot.ui.controller import AppController
from wxbot.ui.i18n import install_translator
from wxbot.ui.pages.settings_page import SettingsGroup, SettingsPage
from wxbot.ui.setting_tips import LABELS

EXPECTED = {
    SettingsGroup.REPLIES: {"persona", "reply_prefix", "new_contact_mode", "handoff_line", "draft_notices"},
    SettingsGroup.FAQ: {"faq_rules", "faq_min_similarity"},
    SettingsGroup.KNOWLEDGE: {"kb_quote_passages", "kb_fallback_text", "draft_when_unsure", "draft_holding_line"},
    SettingsGroup.HOURS: {"service_hours", "away_message", "daily_summary_hour"},
    SettingsGroup.SAFETY: {"min_seconds_between_replies", "max_replies_per_minute", "max_replies_per_day",
                           "typing_delay_base", "typing_delay_per_char", "aggregate_seconds", "takeover_minutes"},
    SettingsGroup.ADVANCED: {"llm_backend", "openai_base_url", "openai_model", "openai_timeout", "model_path",
                             "gpu_layers", "context_size", "parallel_replies", "max_reply_tokens", "reasoning",
                             "reasoning_budget", "temperature", "metrics_port"},
}


def test_each_tab_holds_what_an_owner_looks_for_there(qtbot, qapp, data_dir):
    translators = install_translator(qapp, "zh")
    try:
        page = SettingsPage(Settings(data_dir=str(data_dir)), "zh")
        qtbot.addWidget(page)
        assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == \
            ["回复方式", "常见问题", "知识库", "营业时间", "账号安全", "高级"]
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        install_translator(qapp, "en")
    for group, names in EXPECTED.items():
        assert {name: page.group_of(name) for name in names} == dict.fromkeys(names, group)
    first = page.tabs.widget(0)
    assert not any(first.isAncestorOf(page.fields[name]) for name in EXPECTED[SettingsGroup.ADVANCED])
    assert first.isAncestorOf(page.persona)
    # every setting the window names (the operation log's labels) is reachable on the page, with a tip
    assert set(LABELS) - {"api_key"} <= set(page.fields)
    assert [name for name, widget in page.fields.items() if not widget.toolTip()] == []


def test_a_value_changed_in_each_tab_is_applied_and_saved(qtbot, data_dir):
    controller = AppController(load_settings(), "en", use_tray=False)
    qtbot.addWidget(controller.window)
    controller.window.show()
    controller.window.show_page("settings")
    page = controller.settings_page
    changes = [(SettingsGroup.REPLIES, "reply_prefix", "【助理】"), (SettingsGroup.KNOWLEDGE, "kb_quote_passages", 2),
               (SettingsGroup.HOURS, "service_hours", "09:00-21:00"), (SettingsGroup.SAFETY, "max_replies_per_day", 120),
               (SettingsGroup.FAQ, "faq_min_similarity", 0.6), (SettingsGroup.ADVANCED, "context_size", 2048)]
    try:
        for group, name, value in changes:
            page.show_group(group)
            widget = page.fields[name]
            assert widget.isVisible()  # on the tab the owner opened
            widget.setText(value) if isinstance(value, str) else widget.setValue(value)
            page.saved.clear()
            page.apply_button.click()
            qtbot.waitUntil(lambda: page.saved.text() == "Saved", timeout=30000)
            assert getattr(controller.svc.settings, name) == value
        saved = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
        assert {name: saved[name] for _, name, _ in changes} == {name: value for _, name, value in changes}
    finally:
        controller.close_now()
