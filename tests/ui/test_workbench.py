"""The Conversations workbench as the owner uses it: the list newest first with its badges and filters, a reply
typed in the window reaching the customer through real itchat-uos and the simulator (a takeover, like the
phone), a draft approved in the thread sent once, a reject undone, and the keyboard (Ctrl+Enter, Alt+Up/Down).
Real widgets, a real encrypted store."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QTextCursor

from tests.ui.flows import log_in
from wxbot.errors import MessageRefused
from wxbot.messages import ChatKind, DraftState, Message, Passage, Reply, ReplyMode, ReplySource
from wxbot.ui.i18n import install_translator
from wxbot.ui.pages.conversation_list import ListFilter
from wxbot.ui.pages.thread_html import PASSAGE_PREVIEW_CHARS, source_tag
from wxbot.views import WaitReason

FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9 点到 18 点"}]


def _sent_to(sim, who: str) -> list[str]:
    return [o["text"] for o in sim.outbox() if o["to_id"] == who]


def _contact(app, name: str) -> str:
    return next(c.contact_id for c in app.svc.contacts() if c.name == name)


def _open(qtbot, app, contact_id: str):
    page = app.conversations_page
    app.window.show_page("conversations")
    qtbot.waitUntil(lambda: page.conversations.row_of(contact_id) >= 0, timeout=30000)
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        page.show_contact(contact_id)
    return page


def _state(app, msg_id: str) -> tuple[str, str]:
    m = app.svc.store.get_message(msg_id)
    return (m.state, m.reason) if m else ("", "")


def test_a_reply_typed_in_the_window_reaches_the_customer_and_pauses_the_bot(qtbot, make_app, sim):
    app = make_app(with_model=False, takeover_minutes=10, reply_prefix="[AI] ")
    log_in(qtbot, app, sim)
    qtbot.waitUntil(lambda: app.svc.bot_running, timeout=30000)
    li = _contact(app, "李四🌸")
    app.svc.set_mode(li, ReplyMode.AUTO)
    asked = sim.inject("li", "你好，还有货吗？")
    qtbot.waitUntil(lambda: _state(app, asked)[0] not in ("", "received", "replying"), timeout=30000)
    page = _open(qtbot, app, li)

    # nothing typed: refused in words, nothing sent
    app.window.activateWindow()
    page.reply.setFocus()
    qtbot.keyClick(page.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert page.reply_note.text() == "Type a message first: nothing was sent." and _sent_to(sim, "li") == []

    # Ctrl+Enter sends the owner's words through the channel, as written (no [AI] prefix)
    page.reply.setPlainText("有的，今天下午发货")  # Chinese arrives through the input method, not keys
    with qtbot.waitSignal(page.sent, timeout=30000):
        qtbot.keyClick(page.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert _sent_to(sim, "li") == ["有的，今天下午发货"]
    assert page.reply.toPlainText() == ""

    # stored once, as the owner's, and tagged so in the thread (web WeChat's echo is not stored again)
    qtbot.waitUntil(lambda: any(i.text == "有的，今天下午发货" for i in page.items), timeout=30000)
    mine = [i for i in page.items if i.direction == "out"]
    assert [(i.text, i.by_bot) for i in mine] == [("有的，今天下午发货", False)]
    assert "Owner" in page.view.toPlainText()

    # the bot is paused for this contact, as when the owner writes from the phone
    contact = next(c for c in app.svc.contacts() if c.contact_id == li)
    assert contact.paused_until > time.time() + 9 * 60
    later = sim.inject("li", "好的，谢谢")
    qtbot.waitUntil(lambda: _state(app, later)[0] == "skipped", timeout=30000)
    assert _state(app, later) == ("skipped", "paused") and _sent_to(sim, "li") == ["有的，今天下午发货"]
    qtbot.waitUntil(lambda: page.state_label.text().startswith("Paused until"), timeout=30000)


def test_an_over_long_reply_is_refused_in_words_and_kept(qtbot, make_app, sim):
    app = make_app(with_model=False)
    log_in(qtbot, app, sim)
    sim.inject("wang", "在吗")
    qtbot.waitUntil(lambda: any(c.name == "王五" for c in app.svc.contacts()), timeout=30000)
    wang = _contact(app, "王五")
    page = _open(qtbot, app, wang)
    page.reply.setPlainText("长" * 2001)
    page.send_button.click()
    assert page.reply_note.text() == "The message is too long (2001 characters, at most 2000): nothing was sent."
    assert page.reply.toPlainText() == "长" * 2001 and _sent_to(sim, "wang") == []
    # the service refuses too, in both languages, whatever calls it
    for text, words in (("  ", "the message is empty"), ("长" * 2001, "too long (2001 characters")):
        with pytest.raises(MessageRefused) as refused:
            app.svc.send_reply(wang, text)
        assert words in refused.value.en and refused.value.zh
    assert _sent_to(sim, "wang") == [] and next(c for c in app.svc.contacts() if c.contact_id == wang).paused_until == 0


def test_a_draft_approved_in_the_thread_is_sent_once(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)
    log_in(qtbot, app, sim)
    sim.inject("zhang", "今天营业吗")
    qtbot.waitUntil(lambda: len(app.svc.drafts()) == 1, timeout=30000)
    zhang = _contact(app, "张三-老客户")
    page = _open(qtbot, app, zhang)
    qtbot.waitUntil(lambda: page.draft.card.isVisible(), timeout=30000)
    assert page.draft.text.toPlainText() == "每天 9 点到 18 点" and _sent_to(sim, "zhang") == []

    page.draft.send_button.click()
    page.draft.send_button.click()  # a second click before the first one is done sends nothing more
    qtbot.waitUntil(lambda: _sent_to(sim, "zhang") == ["[AI] 每天 9 点到 18 点"], timeout=30000)
    qtbot.waitUntil(lambda: not page.draft.isVisible() and any(i.source == "draft" for i in page.items),
                    timeout=30000)
    draft = app.svc.store.drafts_pending()
    assert draft == [] and "Draft" in page.view.toPlainText()
    sim.inject("zhang", "好的")  # later traffic moves nothing: still one send
    qtbot.waitUntil(lambda: len(app.svc.drafts()) == 0 and len(page.items) >= 3, timeout=30000)
    assert _sent_to(sim, "zhang") == ["[AI] 每天 9 点到 18 点"]


def test_an_edited_draft_sends_the_owners_words(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)
    log_in(qtbot, app, sim)
    sim.inject("li", "周日营业吗")
    qtbot.waitUntil(lambda: len(app.svc.drafts()) == 1, timeout=30000)
    page = _open(qtbot, app, _contact(app, "李四🌸"))
    qtbot.waitUntil(lambda: page.draft.card.isVisible(), timeout=30000)
    app.window.activateWindow()
    page.draft.text.setFocus()
    page.draft.text.setPlainText("周日休息，周一见")
    qtbot.keyClick(page.draft.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # the owner's own words: no reply prefix (prefix_owner_words is off by default)
    qtbot.waitUntil(lambda: _sent_to(sim, "li") == ["周日休息，周一见"], timeout=30000)


def test_an_edited_draft_shows_in_the_thread_as_the_owners_words(qtbot, qapp, make_app, sim):
    """A draft the owner rewrote and sent is their words: tagged 店主 in the thread, not 草稿 (an approved one
    stays 草稿, the first test above)."""
    translators = install_translator(qapp, "zh")
    try:
        app = make_app(with_model=False, lang="zh", new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)
        log_in(qtbot, app, sim)
        sim.inject("li", "周日营业吗")
        qtbot.waitUntil(lambda: len(app.svc.drafts()) == 1, timeout=30000)
        page = _open(qtbot, app, _contact(app, "李四🌸"))
        qtbot.waitUntil(lambda: page.draft.card.isVisible(), timeout=30000)
        page.draft.text.setPlainText("周日休息，周一见")
        page.draft.send_button.click()
        qtbot.waitUntil(lambda: _sent_to(sim, "li") == ["周日休息，周一见"], timeout=30000)
        qtbot.waitUntil(lambda: any(i.text == "周日休息，周一见" for i in page.items), timeout=30000)
        sent = next(i for i in page.items if i.text == "周日休息，周一见")
        assert sent.source == ReplySource.DRAFT_EDITED and source_tag(sent)[0] == "店主"
        shown = page.view.toPlainText()
        assert " 店主 " in shown and "草稿" not in shown
    finally:
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        install_translator(qapp, "en")


def test_undo_of_a_reject_restores_the_draft(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)
    log_in(qtbot, app, sim)
    sim.inject("zhang", "今天营业吗")
    qtbot.waitUntil(lambda: len(app.svc.drafts()) == 1, timeout=30000)
    page = _open(qtbot, app, _contact(app, "张三-老客户"))
    qtbot.waitUntil(lambda: page.draft.card.isVisible(), timeout=30000)
    draft_id = app.svc.drafts()[0].draft_id

    page.draft.undo_ms = 600_000  # the undo stays offered for the whole of this step
    page.draft.reject_button.click()
    assert not page.draft.card.isVisible() and page.draft.undo_bar.isVisible()
    assert page.draft.undo_label.text() == "Draft rejected: it will not be sent."
    page.draft.undo_button.click()
    assert page.draft.card.isVisible() and not page.draft.undo_bar.isVisible()
    assert page.draft.text.toPlainText() == "每天 9 点到 18 点"
    assert app.svc.store.draft_get(draft_id).state is DraftState.PENDING

    # without undo, the reject is committed once its time is over: nothing is sent
    page.draft.undo_ms = 50
    with qtbot.waitSignal(app.bridge.drafts_changed, timeout=30000):
        page.draft.reject_button.click()
    assert app.svc.store.draft_get(draft_id).state is DraftState.REJECTED and _sent_to(sim, "zhang") == []
    qtbot.waitUntil(lambda: not page.draft.isVisible(), timeout=30000)


def _seed(svc, name: str, texts: list[str], at: float) -> str:
    contact = svc.store.upsert_contact("friend", name)
    for i, text in enumerate(texts):
        svc.store.inbox_add(Message(f"{name}-{i}", contact.id, name, ChatKind.PRIVATE, text, time=at + i), contact.id)
    return contact.id


def test_the_list_sorts_badges_filters_and_moves_between_waiting_conversations(qtbot, make_app):
    app = make_app(with_model=False)
    svc = app.svc
    svc.open_store()
    now = time.time()
    old = _seed(svc, "老王", ["上周的问题"], now - 7 * 86400)
    missed = _seed(svc, "小李", ["在吗", "怎么不回"], now - 3600)
    svc.store.inbox_set_state("小李-0", "skipped", "bot_stopped")  # the bot meant to answer and couldn't
    svc.store.inbox_set_state("小李-1", "skipped", "auto_reply_off")
    drafted = _seed(svc, "小张", ["多少钱"], now - 1800)
    svc.store.draft_add(Reply(drafted, ("十元",), ReplySource.FAQ, in_reply_to=("小张-0",), body="十元"))
    answered = _seed(svc, "小赵", ["谢谢"], now - 60)
    svc.store.inbox_claim("小赵-0")
    svc.store.inbox_set_state("小赵-0", "sending")
    svc.store.record_reply(Reply(answered, ("不客气",), ReplySource.MODEL, in_reply_to=("小赵-0",), body="不客气"),
                           answered)

    page = app.conversations_page
    app.window.show()
    app.window.activateWindow()
    qtbot.waitActive(app.window)
    app.window.show_page("conversations")
    with qtbot.waitSignal(page.list_shown, timeout=30000):
        app.refresh_contacts()
    model = page.conversations
    assert [c.contact.name for c in model.rows] == ["小赵", "小张", "小李", "老王"]  # newest message first
    by_name = {c.contact.name: c for c in model.rows}
    assert by_name["小赵"].preview == "不客气" and by_name["小李"].preview == "怎么不回"
    assert [svc.waiting_reason(by_name[n]) for n in ("小赵", "小张", "小李", "老王")] == \
        [None, WaitReason.DRAFT, WaitReason.MISSED, None]
    assert [model.unread(by_name[n]) for n in ("小赵", "小张", "小李", "老王")] == [0, 1, 2, 1]

    # opening a conversation reads it: its unread badge goes
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        page.show_contact(old)
    assert model.unread(by_name["老王"]) == 0

    page.filter_buttons[ListFilter.WAITING].click()
    assert [c.contact.name for c in model.rows] == ["小张", "小李"]
    page.filter_buttons[ListFilter.DRAFTS].click()
    assert [c.contact.name for c in model.rows] == ["小张"]
    page.filter_buttons[ListFilter.ALL].click()
    assert len(model.rows) == 4 and page.list.currentIndex().row() == model.row_of(old)

    # Alt+Up / Alt+Down move between the waiting conversations only
    page.list.setFocus()
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        qtbot.keyClick(page.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert page.contact_id == missed
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        qtbot.keyClick(page.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert page.contact_id == drafted
    qtbot.keyClick(page.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # none above: it stays
    assert page.contact_id == drafted
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        qtbot.keyClick(page.list, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert page.contact_id == missed
    qtbot.keyClick(page.list, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # none below: it stays
    assert page.contact_id == missed

    # from the reply box too
    page.reply.setFocus()
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        qtbot.keyClick(page.reply, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert page.contact_id == drafted and answered not in (page.contact_id, missed)


def _click_link(qtbot, view, words: str) -> None:
    """Click the link that reads ``words`` in the thread, where it is drawn."""
    found = view.document().find(words)
    assert not found.isNull()
    at = QTextCursor(view.document())
    at.setPosition(found.selectionStart() + 1)
    view.ensureCursorVisible()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(at).center())


def test_a_long_passage_shows_cut_and_opens_in_place(qtbot, make_app):
    app = make_app(with_model=False)
    svc = app.svc
    svc.open_store()
    whole = "退换货：收到商品七天内可以无理由退换，" + "商品须保持原包装、配件齐全，" * 6 + "运费由买家承担。"
    short = Passage("周一到周五 9 点发货", "发货.md", "", 1.0)
    contact = _seed(svc, "小王", ["能退货吗"], time.time() - 60)
    svc.store.inbox_claim("小王-0")
    svc.store.inbox_set_state("小王-0", "sending")
    svc.store.record_reply(Reply(contact, ("可以退",), ReplySource.KB, in_reply_to=("小王-0",), body="可以退",
                                 passages=(Passage(whole, "售后.md", "退换", 2.0), short)), contact)
    page = app.conversations_page
    app.window.show()
    qtbot.waitExposed(app.window)
    app.window.show_page("conversations")
    with qtbot.waitSignal(page.list_shown, timeout=30000):
        app.refresh_contacts()
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        page.show_contact(contact)
    shown = page.view.toPlainText()
    assert whole not in shown and whole[:PASSAGE_PREVIEW_CHARS] + "…" in shown and short.text in shown
    assert shown.count("More") == 1  # the short passage shows whole, with no link

    with qtbot.waitSignal(page.history_shown, timeout=30000):
        _click_link(qtbot, page.view, "More")
    assert whole in page.view.toPlainText() and "More" not in page.view.toPlainText()
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        _click_link(qtbot, page.view, "Less")
    assert whole not in page.view.toPlainText() and "More" in page.view.toPlainText()
