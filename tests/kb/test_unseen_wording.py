"""Wording no synonym table was written for, met with general Chinese (issue 22, held-out shops): a name typed
in pinyin, a name jieba cuts in the wrong places, a gift set that only contains the product asked about, a
count between a verb and its object, a time word that names nothing, and general after-sales words (碎了,
寄存, 专票, 样品, 积分当钱用). Each test builds real files and imports them into a real encrypted store."""

from __future__ import annotations

import pytest

from tests.kb.files import write_sheets
from tests.kb.test_customer_wording import codes
from tests.kb.test_search import first

HEADER = ["货号", "品名", "类别", "规格", "单价(元)", "库存", "备注"]
ROWS = [
    ["YY-3103", "金骏眉", "红茶", "50g/罐", 398, 12, "武夷山桐木关"],
    ["YY-3104", "正山小种", "红茶", "250g/袋", 168, 30, ""],
    ["YY-4105", "寿眉饼", "白茶", "350g/饼", 260, 9, "2018年"],
    ["YY-4106", "白牡丹", "白茶", "100g/罐", 198, 20, ""],
    ["YY-5102", "勐海熟普洱", "普洱", "357g/饼", 228, 15, "2019年"],
    ["YY-7105", "宜兴紫砂壶 石瓢", "茶具", "原矿朱泥 150ml", 980, 3, "全手工"],
    ["YY-7106", "宜兴紫砂壶 西施", "茶具", "紫泥 200ml", 760, 4, ""],
    ["YY-7108", "白瓷品茗杯", "茶具", "50ml×6只装", 88, 40, ""],
]
BOXES = [["编号", "礼盒名称", "内含", "价格(元)"],
         ["LH-03", "金骏眉礼盒", "金骏眉50g×2罐", 828],
         ["LH-04", "白茶年份礼盒", "白牡丹100g + 2018年寿眉饼350g", 688]]
POLICY = """# 售后与配送说明

## 退换货

【7天无理由】自签收之日起7天内，商品和包装完好的，支持7天无理由退货。

【运输破损】茶具在运输中出现破损的，请在签收后48小时内拍照联系客服，免费补发。

## 发货与配送

【发货】每天16:00前付款的订单当天寄出，默认中通快递，运费见配送表。

【易碎茶具】紫砂壶、盖碗等易碎茶具一律发顺丰并保价，外面用气泡柱包好。

## 发票

所有订单都可以开电子普通发票；单位单笔满5000元可以开增值税专用发票，请提供税号和开户行。

## 存茶服务

在本店购买的普洱茶饼、白茶饼，可以免费存放在门店的恒温恒湿茶仓，最长三年，取茶请提前1天预约。

## 试饮

每款茶都有5g小样，每人每次最多选3款，合计9.9元包邮。

## 会员

每实付1元积1分，下单时100积分抵扣1元。

## 冲泡

紫砂壶会吸附茶味，一把壶只泡一类茶，不要今天泡绿茶、明天泡熟普。

## 门店

门店在杭州市西湖区满觉陇路88号，营业时间9:00-20:30。

## 茶宠

陶土茶宠每三个月驱虫保养一次：用软毛刷清理缝隙，再用茶汤养护。
"""


@pytest.fixture
def teashop(kb, tmp_path):
    kb.add_file(write_sheets(tmp_path / "商品价目表.xlsx", {"商品价目": [HEADER, *ROWS], "礼盒": BOXES}))
    policy = tmp_path / "售后与配送说明.md"
    policy.write_text(POLICY, encoding="utf-8")
    kb.add_file(policy)
    return kb


@pytest.mark.parametrize(("question", "code"), [("jinjunmei多少钱", "YY-3103"), ("shoumei饼还剩几饼", "YY-4105")])
def test_a_name_typed_in_pinyin_is_held_by_its_sound(teashop, question, code):
    assert code in first(teashop, question)


def test_a_glued_name_is_read_by_the_documents_own_character_pairs(teashop):
    # jieba cuts 朱泥石瓢壶 as 朱 / 泥石 / 瓢壶, none of which the sheet holds; the sheet writes 朱泥 and 石瓢
    assert "YY-7105" in first(teashop, "朱泥石瓢壶多大容量")


@pytest.mark.parametrize("question", ["金骏眉一罐多少钱", "寿眉饼多少钱一饼"])
def test_a_gift_set_holding_the_product_does_not_answer_its_price(teashop, question):
    assert first(teashop, question).startswith("货号: YY-")


def test_a_gift_set_answers_when_a_set_is_asked_for(teashop):
    assert first(teashop, "金骏眉礼盒多少钱").startswith("编号: LH-03")
    assert first(teashop, "金骏眉多少钱").startswith("货号: YY-3103")


def test_a_count_between_a_verb_and_its_object(teashop):
    assert "每三个月驱虫" in first(teashop, "多久驱一次虫")


@pytest.mark.parametrize(("question", "expect"), [
    ("盖碗寄到碎了咋办", "48小时内"),
    ("公司要专票行不行", "增值税专用发票"),
    ("想先买点样品尝尝 有吗", "9.9元包邮"),
    ("积分能当钱用吗", "100积分抵扣1元"),
])
def test_general_after_sales_words(teashop, question, expect):
    assert any(expect in p.text for p in teashop.search(question, 3)), [p.text for p in teashop.search(question, 3)]


def test_leaving_tea_with_the_shop_is_not_shipping_it(teashop):
    assert "恒温恒湿茶仓" in first(teashop, "我买的普洱能寄存在你们店吗")  # not the 普洱 row, not 寄出


def test_a_time_word_alone_is_no_evidence(teashop):
    # 明天 is in the brewing paragraph, but a weather question is not about it
    assert teashop.search("杭州明天下雨吗", 5) == []


GEAR = [["货号", "品名", "类别", "规格", "单价(元)", "库存"],
        ["SY-1101", "云岭轻量帐篷 双人", "帐篷", "1.6kg", 899, 6],
        ["SY-1102", "云岭轻量帐篷 三人", "帐篷", "2.1kg", 1099, 4],
        ["SY-2101", "信封式化纤睡袋", "睡袋", "舒适温度5℃", 259, 10],
        ["SY-1104", "苍山单人超轻帐", "帐篷", "0.98kg", 1280, 6],
        ["SY-3101", "暖阳鹅绒羽绒服 男款", "羽绒服", "800蓬", 999, 5],
        ["SY-6102", "轻装徒步背包", "背包", "38L", 459, 8],
        ["SY-6104", "重装徒步背包", "背包", "65L", 899, 3]]
GEAR_RULES = """# 售后

【价格保护】下单后15天内，如果本店同款商品降价，可以联系客服申请退还差价。

【7天无理由】自签收之日起7天内，商品未使用、吊牌完好的，支持7天无理由退货。

【租赁】露营装备可以租，双人帐篷加两个睡袋每天80元。

【钻绒】羽绒服少量钻绒是正常的，把钻出来的绒从里面往回拉，不要往外拔。
"""


@pytest.fixture
def gear(kb, tmp_path):
    kb.add_file(write_sheets(tmp_path / "装备价目表.xlsx", {"装备": GEAR}))
    rules = tmp_path / "售后.md"
    rules.write_text(GEAR_RULES, encoding="utf-8")
    kb.add_file(rules)
    return kb


def test_a_typo_that_jieba_lists_as_a_word(gear):
    assert "SY-1101" in first(gear, "双人账篷多少钱")  # 账篷 for 帐篷: one character, same sound


def test_a_span_of_time_is_not_what_the_question_is_about(gear):
    assert "退还差价" in first(gear, "才买了一个礼拜就降价了 能补吗")


def test_a_weight_right_before_how_much(teashop):
    assert "YY-3103" in first(teashop, "金骏眉50g多少钱")  # not 50g多 (fifty-odd grams) and 少钱


def test_a_word_jieba_only_guessed_is_not_what_the_question_is_about(gear):
    # 钻毛 is no word of jieba's dictionary nor of the documents: customer wording, not another product
    assert "不要往外拔" in first(gear, "羽绒服一直钻毛 咋整")


def test_the_lightest_of_a_kind(gear):
    assert codes(gear, "最轻的帐篷是哪款")[:3] == ["SY-1104", "SY-1101", "SY-1102"]
    assert codes(gear, "容量最大的背包")[0] == "SY-6104"  # 65L


def test_a_quantity_asked_about_is_met_nearby(gear):
    assert codes(gear, "四十升左右的包有啥")[0] == "SY-6102"  # 38L is about 40; 65L is not
