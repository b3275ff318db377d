"""Grounded replies end to end: real itchat-uos ⇄ simulator ⇄ BotService ⇄ the knowledge base (a real Excel file
the test writes, the real test model in embedding mode for its vectors) ⇄ the real chat model ⇄ real SQLite."""

from __future__ import annotations

import openpyxl
import pytest

from wxbot.core.gaps import GapWhy
from wxbot.messages import DraftWhy, ReplySource

FALLBACK = "这个我确认一下再回复您"


@pytest.fixture
def price_list(tmp_path):
    path = tmp_path / "价目表.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "商品"
    sheet.append(["货号", "品名", "单价(元)", "库存"])
    sheet.append(["SJ-0412", "铝合金手机支架", 168, 23])
    sheet.append(["XL-0007", "快充数据线", 25, 300])
    book.save(path)
    return path


def start(harness, price_list, test_model_path, **overrides):
    # Semantic search runs on real vectors (the chat model in embedding mode, not fake ones) at import and for
    # every question; its vectors mean nothing, so only a near-identical text may count as similar.
    h = harness(kb_embedding_model=test_model_path, kb_min_similarity=0.99, **overrides)
    svc = h.start(login=False)
    [(name, report)] = svc.kb().add_files([str(price_list)])
    assert (name, report.passages) == ("价目表.xlsx", 2)
    assert "semantic search on" in svc.kb().semantic_note()
    h.login()
    return h


def bot_reply(h, contact: str):
    return next(m for m in h.svc.history(h.contact_id(contact)) if m.by_bot)


def test_a_question_answered_from_an_imported_document_records_its_passages(harness, price_list, test_model_path):
    h = start(harness, price_list, test_model_path)
    asked = h.sim.inject("zhang", "SJ-0412 多少钱？")
    out = h.wait_outbox(1, timeout=240)
    assert h.settle([asked])[asked] == "replied"
    assert out[0]["to_id"] == "zhang" and out[0]["text"].startswith("[AI] ")
    reply = bot_reply(h, "张三-老客户")
    assert reply.passages, "the reply keeps the passages its prompt held"
    best = reply.passages[0]
    assert (best.source, "SJ-0412" in best.text, "168" in best.text) == ("价目表.xlsx", True, True)
    assert h.svc.store.get_message(asked).state == "replied"
    assert h.svc.store.page(h.contact_id("张三-老客户"), limit=1)[0].source == ReplySource.MODEL


def test_an_unanswerable_price_question_gets_the_fallback_text_exactly(harness, price_list, test_model_path):
    h = start(harness, price_list, test_model_path, draft_when_unsure=False)  # sent at once, not held as a draft
    asked = h.sim.inject("zhang", "寄新疆 3 公斤多少运费？")
    out = h.wait_outbox(1, timeout=240)
    assert h.settle([asked])[asked] == "replied"
    assert [m["text"] for m in out] == ["[AI] " + FALLBACK]
    reply = bot_reply(h, "张三-老客户")
    assert (reply.text, reply.passages) == (FALLBACK, ())
    assert h.svc.store.page(h.contact_id("张三-老客户"), limit=1)[0].source == ReplySource.KB_FALLBACK


def test_an_unanswerable_price_question_waits_as_a_draft_by_default(harness, price_list, test_model_path):
    """draft_when_unsure (on by default once the knowledge base has documents): no guess and no fallback goes
    out by itself; the owner gets a draft holding the fallback text, saying why it was held; the customer gets
    the owner's short holding line at once, once. A second such question in a row hands the contact to the
    owner (one handoff holding line, no draft holding line)."""
    h = start(harness, price_list, test_model_path, draft_notice_seconds=0)
    asked = h.sim.inject("zhang", "寄新疆 3 公斤多少运费？")
    notice = h.sim.wait_sent_to("filehelper", 1, timeout=240)[0]["text"]
    assert f"「{FALLBACK}」" in notice and "#ok " in notice and "知识库里没有答案" in notice
    assert [o["text"] for o in h.sim.wait_sent_to("zhang", 1)] == ["稍等，我帮您确认一下～"]  # as written, no prefix
    assert h.svc.store.get_message(asked).state == "drafted"
    [draft] = h.svc.drafts()
    assert (draft.asked, draft.text, draft.why) == (("寄新疆 3 公斤多少运费？",), FALLBACK, DraftWhy.NO_PASSAGE)
    second = h.sim.inject("zhang", "能开专票吗？税点多少")
    assert h.settle([second], timeout=240)[second] == "replied"
    assert [o["text"] for o in h.sim.wait_sent_to("zhang", 2)] == ["稍等，我帮您确认一下～", "好的，我请店主马上来处理，请稍等～"]
    assert [c.name for c in h.svc.waiting()] == ["张三-老客户"]
    assert "等你处理" in h.sim.wait_sent_to("filehelper", 2)[1]["text"]
    assert [(g.question, g.whys) for g in h.svc.gaps()] == [("寄新疆 3 公斤多少运费？", {GapWhy.DRAFTED})]  # a gap


def test_a_customers_wording_is_answered_with_the_right_row(harness, tmp_path):
    """kb_quote_passages on: a question typed as customers type (a homophone typo, 够粮 for 狗粮, and a weight in
    斤 written in Chinese numerals) is answered with the one row whose weight range holds it, as written."""
    path = tmp_path / "宠物用品.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["货号", "品名", "适用", "单价(元)"])
    sheet.append(["PT-103", "牛肉狗粮 5kg", "体重10-25kg的狗狗", 199])
    sheet.append(["PT-104", "小型犬狗粮 2kg", "体重1-10kg的狗狗", 99])
    sheet.append(["PT-105", "大型犬狗粮 10kg", "体重25-50kg的狗狗", 299])
    book.save(path)
    h = harness(with_model=False, kb_quote_passages=1)
    svc = h.start(login=False)
    svc.kb().add_files([str(path)])
    h.login()
    asked = h.sim.inject("zhang", "我家狗狗三十斤 该吃哪个够粮")
    out = h.wait_outbox(1, timeout=120)
    assert h.settle([asked])[asked] == "replied"
    row = "货号: PT-103; 品名: 牛肉狗粮 5kg; 适用: 体重10-25kg的狗狗; 单价(元): 199"
    assert [m["text"] for m in out] == ["[AI] " + row]
    assert h.svc.store.page(h.contact_id("张三-老客户"), limit=1)[0].source == ReplySource.KB
