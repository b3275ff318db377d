"""Retrieval for how Chinese shop customers ask: codes in any spelling, two-character words, colloquial
wording and synonyms, city names for shipping regions, and [] when nothing in the documents is relevant."""

from __future__ import annotations

import pytest

from bench.kb_shop import write_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return write_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture
def stocked(kb, shop):
    for path in shop:
        kb.add_file(path)
    return kb


def first(kb, question):
    found = kb.search(question, 5)
    assert found, f"nothing found for {question}"
    return found[0].text


@pytest.mark.parametrize("question", ["SJ-0412", "sj0412", "SJ0412 多少钱", "ＳＪ－０４１２", "sj 0412 有货吗", "Sj_0412"])
def test_product_codes_in_every_spelling(stocked, question):
    assert first(stocked, question).startswith("货号: SJ-0412;")


@pytest.mark.parametrize(("question", "expect"), [
    ("退货", "无理由退换货"), ("运费", "运费"), ("发票", "发票"), ("质保", "一年质保"), ("刻字", "刻字定制")])
def test_two_character_words(stocked, question, expect):
    assert any(expect in p.text for p in stocked.search(question, 5))


@pytest.mark.parametrize(("question", "expect"), [
    ("能退吗", "无理由退换货"),
    ("寄到乌鲁木齐邮费多少", "地区: 新疆"),
    ("发成都要几天", "地区: 四川"),
    ("触屏手套卖完了吗", "ST-1101"),
    ("买20个能便宜点吗", "批发和团购"),
    ("你们几点关门", "营业时间"),
    ("没有耳洞能戴什么", "EH-1002"),
])
def test_colloquial_questions_and_synonyms(stocked, question, expect):
    assert any(expect in p.text for p in stocked.search(question, 5)), [p.text for p in stocked.search(question, 5)]


@pytest.mark.parametrize("question", ["今天天气怎么样", "推荐一部好看的电影", "iPhone 17 多少钱", "有没有男士皮带",
                                      "汽车保养多少钱", "哈哈哈", "", "   ", "？？？",
                                      "这个多少钱", "还有货吗"])
def test_unrelated_questions_find_nothing(stocked, question):
    assert stocked.search(question, 5) == []


def test_a_product_the_shop_lacks_does_not_find_a_neighbour(stocked):
    assert stocked.search("羊驼毛围巾多少钱", 5) == []  # 真丝围巾's price must not answer it
    assert stocked.search("真丝围巾多少钱", 1)[0].text.startswith("货号: SJ-0412;")


def test_results_are_best_first_and_bounded(stocked):
    found = stocked.search("围巾", 3)
    assert len(found) == 3
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    assert stocked.search("围巾", 0) == []


def test_empty_knowledge_base_finds_nothing(kb):
    assert kb.search("SJ-0412 多少钱") == []
