"""Customers' spelling meets the documents' (issue 22): traditional characters, a homophone typo, a model name
typed glued and lower-case, Chinese numerals, a quantity inside a row's range, the cheapest item of a kind,
paragraph-sized passages from a long PDF page, and the owner's own synonyms. Each test builds real files and
imports them into a real encrypted store."""

from __future__ import annotations

import pytest

from tests.kb.files import write_pdf, write_sheets

HEADER = ["货号", "品名", "规格", "适用", "单价(元)", "库存"]
ROWS = [
    ["PT-101", "鸡肉味猫粮", "2kg", "全阶段", 89, 30],
    ["PT-102", "三文鱼猫粮", "2kg", "幼猫", 129, 0],
    ["PT-103", "牛肉狗粮", "5kg", "体重10-25kg的狗狗", 199, 12],
    ["PT-104", "小型犬狗粮", "2kg", "体重1-10kg的狗狗", 99, 40],
    ["PT-105", "宠物牵引绳", "1.5米", "中小型犬", 39, 50],
    ["PT-106", "宠物牵引绳", "3米", "大型犬", 49, 20],
    ["PT-201", "智能喂食器 FeedMate 2", "4L", "猫狗通用", 299, 8],
    ["PT-202", "智能喂食器 FeedMate 2 Pro", "6L，带摄像头", "猫狗通用", 459, 5],
    ["PT-203", "智能喂食器 FeedMate 2 Pro Max", "8L，带摄像头", "多宠家庭", 599, 3],
]


@pytest.fixture
def pets(kb, tmp_path):
    kb.add_file(write_sheets(tmp_path / "宠物用品价目表.xlsx", {"价目表": [HEADER, *ROWS]}))
    return kb


def codes(kb, question, k=5):
    return [p.text.split(";")[0].removeprefix("货号: ") for p in kb.search(question, k)]


def test_traditional_characters(pets):
    assert codes(pets, "三文魚貓糧多少錢")[0] == "PT-102"


def test_a_homophone_typo(pets):
    assert codes(pets, "鸡肉味毛粮多少钱")[0] == "PT-101"  # 毛 for 猫: same pinyin, mao


@pytest.mark.parametrize(("question", "code"), [("feedmate2pro多少钱", "PT-202"), ("FEEDMATE 2 PRO MAX", "PT-203"),
                                                ("feedmate2 多少钱", "PT-201")])
def test_model_names_glued_split_or_upper_case(pets, question, code):
    assert codes(pets, question)[0] == code


def test_chinese_numerals_and_a_quantity_inside_a_range(pets):
    assert codes(pets, "我家狗狗三十斤 吃哪个狗粮")[0] == "PT-103"  # 三十斤 = 15 kg, inside 10-25kg
    assert codes(pets, "一米五的牵引绳多少钱")[0] == "PT-105"  # 一米五 = 1.5米


def test_the_cheapest_of_a_kind_and_a_price_limit(pets):
    assert codes(pets, "最便宜的喂食器")[:3] == ["PT-201", "PT-202", "PT-203"]
    assert codes(pets, "最贵的猫粮")[0] == "PT-102"
    assert codes(pets, "一百以内的狗粮")[0] == "PT-104"  # 99; the 199 one is over the limit
    assert "PT-102" not in codes(pets, "有货的猫粮")[:1]  # 库存 0


def test_owner_synonyms(pets):
    assert pets.search("小绿罐多少钱", 5) == []
    pets.add_synonyms(["小绿罐", "三文鱼猫粮"])
    assert codes(pets, "小绿罐多少钱")[0] == "PT-102"
    assert pets.synonyms() == [("小绿罐", "三文鱼猫粮")]
    assert pets.remove_synonyms("小绿罐")
    assert pets.search("小绿罐多少钱", 5) == []


def test_a_long_pdf_page_is_cut_into_its_paragraphs_under_their_headings(kb, tmp_path):
    lines = ["一、新猫到家", "换粮",
             " 换粮要用7天慢慢过渡：前两天新粮占四分之一，中间三天占一半，最后两天", "占四分之三，第八天全换新粮。",
             "饮水",
             " 猫咪每天每公斤体重需要约50毫升水，喝水少的猫可以加湿粮或者用流动饮水", "机。",
             "二、驱虫", "体内驱虫",
             " 幼猫满2个月开始体内驱虫，之后每3个月一次；成猫每3个月一次。"]
    kb.add_file(write_pdf(tmp_path / "养宠指南.pdf", [lines]))
    found = kb.search("换粮要几天", 5)
    assert found[0].text.startswith("换粮要用7天慢慢过渡") and found[0].text.endswith("第八天全换新粮。")
    assert "饮水" not in found[0].text and "驱虫" not in found[0].text
    assert "新猫到家 > 换粮" in found[0].locator
    worms = kb.search("幼猫几个月开始驱虫", 5)
    assert worms[0].text.startswith("幼猫满2个月") and "二、驱虫 > 体内驱虫" in worms[0].locator
