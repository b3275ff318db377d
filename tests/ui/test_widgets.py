"""Widget behaviour that needs no WeChat login: the bridge's thread hop, the login page's QR code, the
settings form's validation, the conversation marks, single-instance raising, closing with and without a tray."""

from __future__ import annotations

import io
import threading

import qrcode
from PySide6.QtCore import QThread

from wxbot.events import LoginState, ModelState, Notice, QrCode
from wxbot.settings import Settings
from wxbot.ui.bridge import EventBridge
from wxbot.ui.pages.login import QR_SIZE, LoginPage
from wxbot.ui.pages.settings_page import SettingsPage
from wxbot.ui.pages.thread_html import bubble_html, skipped_text
from wxbot.ui.single import InstanceServer, ask_running_instance_to_raise
from wxbot.views import HistoryItem


def qr_png(text: str = "https://login.weixin.qq.com/l/abc") -> bytes:
    buf = io.BytesIO()
    qrcode.make(text, box_size=1, border=2).save(buf, format="PNG")
    return buf.getvalue()


def test_bridge_delivers_events_from_other_threads_on_the_gui_thread(qtbot):
    bridge = EventBridge()
    seen: list[tuple[object, bool]] = []
    bridge.notice.connect(lambda e: seen.append((e, QThread.currentThread() is bridge.thread())))
    bridge.model_state.connect(lambda e: seen.append((e, QThread.currentThread() is bridge.thread())))
    worker = threading.Thread(target=lambda: [bridge.post(Notice("info", "一")), bridge.post(ModelState("none"))])
    with qtbot.waitSignal(bridge.model_state, timeout=30000):
        worker.start()
    worker.join()
    assert [type(e).__name__ for e, _ in seen] == ["Notice", "ModelState"]
    assert all(on_gui for _, on_gui in seen)


def test_login_page_shows_a_crisp_qr_and_the_state_in_words(qtbot):
    page = LoginPage()
    qtbot.addWidget(page)
    page.show_state(LoginState("waiting_scan"))
    page.show_qr(QrCode(qr_png()))
    pix = page.qr.pixmap()
    assert not pix.isNull() and QR_SIZE // 2 < pix.width() <= QR_SIZE
    assert "Scan the QR code" in page.status.text()
    page.show_state(LoginState("scanned"))
    assert "confirm the login on your phone" in page.status.text()
    page.show_state(LoginState("logged_in", "小王的店"))
    assert page.status.text() == "Logged in as 小王的店"
    assert page.logout_button.isVisibleTo(page) and not page.login_button.isVisibleTo(page)
    page.show_qr(QrCode(b"not a png"))
    assert "could not be shown" in page.qr.text()


def test_settings_page_shows_config_errors_in_words_and_applies_valid_values(qtbot, data_dir):
    settings = Settings(data_dir=str(data_dir))
    page = SettingsPage(settings, "en")
    qtbot.addWidget(page)
    page.inputs["service_hours"].setText("9点到5点")
    with qtbot.assertNotEmitted(page.apply_requested):
        page.apply()
    assert "service_hours" in page.error.text() and "09:00-21:00" in page.error.text()

    page.inputs["service_hours"].setText("09:00-21:00")
    page.faq.add_rule({"match": "regex", "pattern": "([", "answer": "x"})
    with qtbot.assertNotEmitted(page.apply_requested):
        page.apply()
    assert "regular expression" in page.error.text()

    page.faq.set_rules([{"match": "contains", "pattern": "营业", "answer": "9点到18点"}])
    page.inputs["max_replies_per_day"].setValue(120)
    page.persona.setPlainText("你是书店助理。")
    page.new_contacts.set_mode("draft")
    page.checks["draft_notices"].setChecked(False)  # no phone notices for drafts
    page.inputs["draft_expire_minutes"].setValue(30)
    assert page.inputs["parallel_replies"].value() == 0  # auto
    page.inputs["parallel_replies"].setValue(2)
    assert page.reasoning.currentData() == "off"  # the default: customers should not wait for a thought
    page.reasoning.setCurrentIndex(page.reasoning.findData("brief"))
    page.inputs["reasoning_budget"].setValue(64)
    with qtbot.waitSignal(page.apply_requested, timeout=30000) as blocker:
        page.apply()
    new = blocker.args[0]
    assert page.error.text() == ""
    assert new.service_hours == "09:00-21:00" and new.max_replies_per_day == 120
    assert new.faq_rules == [{"match": "contains", "pattern": "营业", "answer": "9点到18点"}]
    assert new.persona == "你是书店助理。" and new.gpu_layers == "auto" and new.parallel_replies == 2
    assert (new.reasoning, new.reasoning_budget) == ("brief", 64)
    assert (new.new_contact_mode, new.draft_notices, new.draft_expire_minutes, new.draft_when_unsure) == \
        ("draft", False, 30, True)


def test_settings_page_says_what_to_do_without_a_model(qtbot, data_dir):
    page = SettingsPage(Settings(data_dir=str(data_dir)), "en")
    qtbot.addWidget(page)
    assert "No model yet" in page.model_file.hint.text() and ".gguf" in page.model_file.hint.text()


def test_conversation_tags_each_message_by_source_and_marks_unanswered_ones():
    reply = HistoryItem(1, "c1", "out", True, "您好<b>", 1_700_000_000, "", source="model")
    skipped = HistoryItem(2, "c1", "in", False, "在吗", 1_700_000_000, "skipped", "stale")
    answered = HistoryItem(3, "c1", "in", False, "在吗", 1_700_000_000, "replied")
    tags = {source: HistoryItem(4, "c1", "out", True, "x", 1_700_000_000, "sent", source=source)
            for source in ("faq", "kb", "draft")}
    owner = HistoryItem(5, "c1", "out", False, "我来回", 1_700_000_000, "sent")
    assert "&nbsp;AI&nbsp;" in bubble_html(reply) and "&lt;b&gt;" in bubble_html(reply)
    assert [tag in bubble_html(tags[s]) for tag, s in (("&nbsp;FAQ&nbsp;", "faq"), ("&nbsp;Knowledge base&nbsp;", "kb"),
                                                       ("&nbsp;Draft&nbsp;", "draft"))] == [True] * 3
    assert "&nbsp;Owner&nbsp;" in bubble_html(owner) and "&nbsp;" not in bubble_html(answered).split("<table")[2]
    assert all(ord(ch) < 0x1F000 for ch in bubble_html(reply) + bubble_html(owner))  # no emoji: no □ on Linux
    assert skipped_text(skipped) == "Not answered automatically: the message was too old"
    assert skipped_text(answered) == "" and skipped_text(reply) == ""


def test_second_start_asks_the_running_window_to_come_forward(qtbot, tmp_path):
    server = InstanceServer(tmp_path)
    with qtbot.waitSignal(server.raise_requested, timeout=30000):
        assert ask_running_instance_to_raise(tmp_path)
    assert not ask_running_instance_to_raise(tmp_path / "other")
