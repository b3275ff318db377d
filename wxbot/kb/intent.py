"""What kind of answer a question asks for, read from general question wording, never from a shop's words: a
quantity of some dimension (多少钱 a price, 多重 a weight, 多少度 a temperature, 多大的宝宝 an age), the stock
(有货吗, 还有几包), a product's row (its price, a spec, whether it fits something) or an explanation (为什么,
会不会, 正常吗). Ranking prefers the passages that give that kind of answer: one stating a quantity of the asked
dimension, a table row for a question about a product, prose for an explanation or a shop rule. Text is
expected normalized (normal.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The dimension a question asks about (quantities.py's names), by how customers ask for it.
_ASKS = {
    "money": r"多少钱|多钱|什么价|啥价|价格|价钱|几块|几元|贵不贵|价位|怎么卖|咋卖|卖多少",
    "weight": r"多重|多沉|多少斤|几斤|多少公斤|几公斤|多少kg|多少克|体重|重量|称重",
    "length": r"多长|多高|多宽|多厚|多少米|几米|多少厘米|多少cm|多少公分|身高|长度|高度|宽度|几寸|多少寸",
    "age": r"多大(?:的)?(?:宝宝|孩子|小孩|娃|儿童|婴儿)|多大(?:可以|能|才能|开始)|几个月|几岁|月龄|年龄|多少个月",
    "temperature": r"多少度|几度|温度|水温|多热|多烫",
    "charge": r"多少毫安|几毫安|多少mah|容量多大|电池多大",
    "power": r"多少w(?![a-z])|几w(?![a-z])|多少瓦|几瓦|功率|多大功率",
    "volume": r"多少ml|多少毫升|几毫升|容量|多少升",
}
_DIMENSION = {name: re.compile(pattern) for name, pattern in _ASKS.items()}
# 几段, 多少号, 几寸: which number of a measure; a passage with "2段" states one.
_WHICH = re.compile(r"(?:几|多少)(?P<measure>[段号码寸片包罐盒瓶支条双套层档代])")
_STOCK = re.compile(r"有货|现货|库存|缺货|补货|卖完|售罄|断货|还有吗|还有几|还剩|剩几|剩多少|有没有货|没货")
# What a product's row answers besides a quantity: its spec, what it fits, whether the shop sells one.
_PRODUCT = re.compile(r"规格|型号|几片|几包|几个装|几只|多少片|多少包|适用|适合|能用吗|可以用吗|能不能用|兼容|通用|"
                      r"有没有.{1,8}的|有卖|卖不卖|推荐|哪款|哪个好|哪种好|什么.{0,3}好|选哪|买哪|"
                      r"(?:多大|几岁|几个月).{0,4}用")
# An explanation or advice: a paragraph answers it, not a row.
# 怎么/怎样 before a verb asks how to do it (怎么洗, 怎样保养), except asking a price or an opinion (怎么卖, 怎么样).
_EXPLAIN = re.compile(r"为什么|为啥|怎么回事|什么原因|原因|会不会|正常吗|正常不|是不是坏|怎么办|咋办|"
                      r"(?:怎么|怎样|咋)(?!卖|买|样|算|收费|回事)|如何|注意什么|要注意|区别|有什么不同|什么意思|是什么|和.{1,10}(?:通用|一样|兼容|差别)")
# The shop's rules: returns, shipping, invoices, warranty, payment, membership. A paragraph states them.
_RULE = re.compile(r"退|换货|能换|换吗|运费|邮费|包邮|快递|物流|发货|发票|开票|保修|质保|维修|售后|付款|支付|积分|会员|"
                   r"优惠|打折|几折|折扣|活动|门店|地址|营业|电话|客服|赔|差价|降价|保价|定制|刻字|印字|绣")

# A gift set or a bundle: its row answers only a question that asks for one.
_BUNDLE = re.compile(r"礼盒|礼包|礼品|套装|套餐|组合|送人|送礼|伴手礼")


@dataclass(frozen=True)
class Intent:
    dimensions: frozenset[str]  # the quantities it asks for (money, weight, …)
    measures: tuple[str, ...]  # the measure words it asks a number of (段 for 几段)
    stock: bool  # asks whether (or how many) are in stock
    product: bool  # asks about a product: its row answers (a price, the stock, a spec, what it fits)
    explain: bool  # asks why or how: prose answers
    rule: bool  # asks a shop rule (returns, shipping, invoices, warranty, a service): prose or a rule table answers
    bundle: bool = False  # asks for a gift set or a bundle (礼盒, 套装, 送人)


def intent(text: str) -> Intent:
    """The kind of answer a normalized question asks for."""
    dimensions = frozenset(name for name, pattern in _DIMENSION.items() if pattern.search(text))
    stock = bool(_STOCK.search(text))
    explain = bool(_EXPLAIN.search(text))
    asks_row = "money" in dimensions or stock or bool(_PRODUCT.search(text))
    measures = tuple(dict.fromkeys(m.group("measure") for m in _WHICH.finditer(text)))
    rule = bool(_RULE.search(text))
    return Intent(dimensions, measures, stock, asks_row and not explain and not rule, explain, rule,
                  bool(_BUNDLE.search(text)))


def stated(wants: Intent, text: str) -> int:
    """How many of the numbers a question asks by measure word (几段) a normalized passage states (2段)."""
    return sum(bool(re.search(rf"\d{m}", text)) for m in wants.measures)
