"""Each format an owner has, written by the tests with real libraries, becomes the passages the bot will quote."""

from __future__ import annotations

import pytest

from tests.kb.files import write_csv, write_docx, write_pdf, write_xls, write_xlsx
from wxbot.kb.base import ImportStatus


def texts(kb, query, k=5):
    return [p.text for p in kb.search(query, k)]


def test_xlsx_rows_keep_column_names_title_note_and_sheets(kb, tmp_path):
    report = kb.add_file(write_xlsx(tmp_path / "价目表.xlsx"))
    assert report.status == ImportStatus.ADDED
    assert report.passages == 6  # 3 prices + the note row + 2 shipping rows; title and headers are no passages
    hit = kb.search("SJ-0412", 1)[0]
    assert hit.text == "货号: SJ-0412; 品名: 真丝围巾; 单价(元): 168; 库存: 23"
    assert (hit.source, hit.locator) == ("价目表.xlsx", "价目表 第3行")
    assert "货号: SJ-0415; 品名: 羊绒围巾; 单价(元): 299.5; 库存: 0" in texts(kb, "羊绒围巾多少钱")
    assert "注：以上价格不含运费，满199包邮" in texts(kb, "包邮吗")
    xinjiang = kb.search("新疆运费", 1)[0]
    assert xinjiang.text == "地区: 新疆; 首重(元): 20; 续重(元/kg): 10; 时效: 5-7天"
    assert xinjiang.locator == "运费 第3行"
    # the title row is searchable context, never pasted into a row
    assert kb.search("春季 真丝围巾", 1)[0].text.startswith("货号: SJ-0412")
    assert all("春季" not in t for t in texts(kb, "围巾"))


def test_xls_legacy_excel(kb, tmp_path):
    kb.add_file(write_xls(tmp_path / "old.xls"))
    assert texts(kb, "渔夫帽", 1) == ["货号: MZ-2201; 品名: 渔夫帽; 单价(元): 89; 库存: 120"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_in_every_encoding_windows_excel_writes(kb, tmp_path, encoding):
    kb.add_file(write_csv(tmp_path / "prices.csv", encoding))
    hit = kb.search("真丝围巾", 1)[0]
    assert hit.text == "货号: SJ-0412; 品名: 真丝围巾; 单价(元): 168; 库存: 23"
    assert hit.locator == "第2行"


def test_docx_paragraphs_under_headings_and_table_rows(kb, tmp_path):
    kb.add_file(write_docx(tmp_path / "售后.docx"))
    refund = kb.search("退换", 1)[0]
    assert refund.text == "签收后7天内支持无理由退换，商品需保持吊牌完整、未经水洗。"
    assert refund.locator.startswith("售后政策")
    invoice = kb.search("发票", 1)[0]
    assert invoice.text == "可开具电子普通发票，下单时备注抬头和税号即可。"
    assert invoice.locator.startswith("售后政策 > 发票")
    assert texts(kb, "多久发货", 1) == ["问题: 多久发货; 回答: 付款后48小时内发货"]


def test_pdf_chinese_text_and_the_page_without_text_is_named(kb, tmp_path):
    pdf = write_pdf(tmp_path / "guide.pdf", [["保养说明：真丝围巾请冷水手洗，勿暴晒。"], [], ["门店地址：杭州市西湖区文三路 88 号"]])
    report = kb.add_file(pdf)
    assert report.passages == 2
    assert any("第 2 页没有文字" in n and "page 2 has no text" in n for n in report.notes)
    assert kb.documents()[0].notes == report.notes
    hit = kb.search("真丝围巾怎么洗", 1)[0]
    assert "冷水手洗" in hit.text and hit.locator == "第1页"
    assert kb.search("门店地址", 1)[0].locator == "第3页"


def test_markdown_sections_and_plain_text(kb, tmp_path):
    (tmp_path / "faq.md").write_text("# 售后\n\n## 运费\n\n偏远地区（新疆、西藏）运费另计。\n\n## 发票\n\n支持开具发票。\n",
                                     encoding="utf-8")
    (tmp_path / "notes.txt").write_text("营业时间：每天 9:00-21:00\n\n客服电话：400-800-1234\n", encoding="gbk")
    kb.add_file(tmp_path / "faq.md")
    kb.add_file(tmp_path / "notes.txt")
    hit = kb.search("西藏运费", 1)[0]
    assert (hit.text, hit.locator) == ("偏远地区（新疆、西藏）运费另计。", "售后 > 运费")
    phone = kb.search("客服电话", 1)[0]
    assert (phone.text, phone.locator, phone.source) == ("客服电话：400-800-1234", "第3行", "notes.txt")


def test_long_paragraph_is_cut_at_sentence_ends(kb, tmp_path, settings):
    sentence = "本店所有商品均为现货，下单后尽快安排发货。"
    (tmp_path / "long.txt").write_text(sentence * 60, encoding="utf-8")
    report = kb.add_file(tmp_path / "long.txt")
    assert report.passages > 1
    passages = kb.search("现货", 50)
    assert all(len(p.text) <= settings.kb_passage_chars for p in passages)
    assert all(p.text.endswith("。") for p in passages)
