"""The spelling both sides of a search share (normal.py, numerals.py) and quantities with units
(quantities.py): units converted to one scale per dimension, ranges and open bounds."""

from __future__ import annotations

import pytest

from wxbot.kb.normal import normalize
from wxbot.kb.numerals import arabic_numerals
from wxbot.kb.quantities import holding, quantities


@pytest.mark.parametrize(("text", "expect"), [("白毫銀針多少錢", "白毫银针多少钱"), ("ＳＪ－０４１２", "sj-0412"),
                                              ("6～11KG", "6-11kg"), ("iPhone 16  Pro", "iphone 16 pro")])
def test_normalize(text, expect):
    assert normalize(text) == expect


@pytest.mark.parametrize(("text", "expect"), [("一百二的红茶", "120的红茶"), ("两万毫安", "20000毫安"), ("半斤", "0.5斤"),
                                              ("一米五", "1米5"), ("八个月", "8个月"), ("两岁半", "2岁半"),
                                              ("一万五", "15000"), ("孕前一百二十斤", "孕前120斤"),
                                              ("一起统一一下", "一起统一一下")])
def test_chinese_numerals_that_count_something(text, expect):
    assert arabic_numerals(text) == expect


def test_quantities_meet_ranges_in_their_units():
    asked = quantities(normalize("宝宝十七斤"))  # 8.5 kg
    assert holding(asked, quantities("适用体重: 6-11kg")) == 2
    assert not holding(asked, quantities("适用体重: 12-17kg"))
    assert holding(asked, quantities("承重22kg以下")) == 1  # an open bound counts less than a closed range
    assert holding(quantities(normalize("一米五")), quantities("长度: 150cm"))
    assert holding(quantities(normalize("两岁半")), quantities("适用: 2-3岁"))
    assert holding(quantities(normalize("两万毫安")), quantities("容量 20000mah"))
    assert holding(quantities("8个月"), quantities("适用: 6-12个月"))
    assert not holding(quantities("8个月"), quantities("适用: 0-6个月"))


def test_a_cell_takes_its_unit_from_its_column():
    assert holding(quantities("168元"), quantities("货号: a; 单价(元): 168"))


@pytest.mark.parametrize(("text", "expect"), [("3万毫安", "30000毫安"), ("1.5万元", "15000元"), ("下午三点前下单", "15:00前下单"),
                                              ("晚上8点半", "20:30"), ("中午一点", "13:00"), ("差一点", "差1点"),
                                              ("五万", "50000"), ("万一", "万一")])
def test_multipliers_after_digits_and_times_of_day(text, expect):
    assert normalize(text) == expect


def test_units_that_normalization_rewrites_are_still_units():
    assert holding(quantities(normalize("水温45℃")), quantities(normalize("水温40-50℃"))) == 2  # NFKC: ℃ is °c
    assert holding(quantities(normalize("240毫升")), quantities(normalize("规格: 240ml，配M号")))  # not 240 m + l
    assert not holding(quantities(normalize("160毫升")), quantities(normalize("规格: 240ml")))
