"""Questions about a table as a whole: 最便宜的…, 最贵的…, 100元以内的…, 有货的…, 最轻的…. They name no row; the
answer is the rows of the sheet they concern, filtered by the limit and sorted by price (or by the quantity a
superlative names: 最轻 by weight, 最长 by length). Rows are the passages the
spreadsheet reader writes (``货号: SJ-0412; 品名: 真丝围巾; 单价(元): 168; 库存: 23``), normalized."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

FIELD = re.compile(r"(?:^|;)\s*(?P<name>[^:;]{1,24}):\s*(?P<value>[^;]*)")
_CHEAPEST = re.compile(r"最便宜|最实惠|最划算|最低价|价格最低|价钱最低|最省钱")
_DEAREST = re.compile(r"最贵|最高价|价格最高|价钱最高|最高档|最好的")
_BELOW = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?:元|块钱|块)?\s*(?:以内|以下|之内|左右以内)")
_ABOVE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?:元|块钱|块)?\s*(?:以上)(?!.*(?:个月|岁|kg|cm))")
# A superlative of a measure: the dimension (quantities.py's names) and whether the most comes first.
_MEASURES = ((re.compile(r"最轻|最轻便"), ("weight",), False), (re.compile(r"最重"), ("weight",), True),
             (re.compile(r"最长|最高"), ("length",), True), (re.compile(r"最短|最矮"), ("length",), False),
             (re.compile(r"容量最大|最大容量|最能装"), ("volume", "charge"), True),
             (re.compile(r"容量最小|最小容量"), ("volume", "charge"), False))
_IN_STOCK = re.compile(r"(?:还)?有(?:现)?货的|现货的|能买到的|在售的")
_PRICE_FIELD = re.compile(r"价|price")
_MEMBER_PRICE = re.compile(r"会员|vip|批发")
_STOCK_FIELD = re.compile(r"库存|现货|数量|stock")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NAME_FIELD = re.compile(r"品名|名称|商品|产品|品类|机型|型号|name|item|product")


class Order(Enum):
    NONE = "none"
    CHEAPEST = "cheapest"
    DEAREST = "dearest"
    LEAST = "least"  # of the measure asked (最轻)
    MOST = "most"  # of the measure asked (最长)


@dataclass(frozen=True)
class TableAsk:
    order: Order = Order.NONE
    below: float | None = None  # price at most
    above: float | None = None  # price at least
    in_stock: bool = False
    rest: str = ""  # the question without the words above: what names the rows
    measure: tuple[str, ...] = ()  # the dimensions a superlative sorts by (weight for 最轻); () for price

    @property
    def active(self) -> bool:
        return self.order != Order.NONE or self.below is not None or self.above is not None or self.in_stock


def table_ask(question: str) -> TableAsk:
    """What a normalized question asks of a table as a whole (``active`` False when nothing)."""
    rest = question
    order = Order.NONE
    if m := _CHEAPEST.search(rest):
        order, rest = Order.CHEAPEST, rest.replace(m.group(), " ")
    elif m := _DEAREST.search(rest):
        order, rest = Order.DEAREST, rest.replace(m.group(), " ")
    measure: tuple[str, ...] = ()
    for pattern, dimensions, most in _MEASURES:
        if order == Order.NONE and (m := pattern.search(rest)):
            order, measure, rest = Order.MOST if most else Order.LEAST, dimensions, rest.replace(m.group(), " ")
    below = above = None
    if m := _BELOW.search(rest):
        below, rest = float(m.group("n")), rest.replace(m.group(), " ")
    elif m := _ABOVE.search(rest):
        above, rest = float(m.group("n")), rest.replace(m.group(), " ")
    in_stock = False
    if m := _IN_STOCK.search(rest):
        in_stock, rest = True, rest.replace(m.group(), " ")
    return TableAsk(order, below, above, in_stock, rest, measure)


def fields(row: str) -> dict[str, str]:
    return {m.group("name").strip(): m.group("value").strip() for m in FIELD.finditer(row)}


def price(row: dict[str, str]) -> float | None:
    """The row's price: the first price column that is not a member's or wholesale price."""
    for name, value in row.items():
        if _PRICE_FIELD.search(name) and not _MEMBER_PRICE.search(name) and (m := _NUMBER.search(value)):
            return float(m.group())
    return None


def name_cell(row: str) -> str:
    """What a table row is about: its first name-like cell (品名, 名称, 商品, 产品, 机型…); '' for prose."""
    return next((value for name, value in fields(row).items() if _NAME_FIELD.search(name)), "") if row else ""


def in_stock(row: dict[str, str]) -> bool:
    for name, value in row.items():
        if _STOCK_FIELD.search(name):
            m = _NUMBER.search(value)
            if m:
                return float(m.group()) > 0
            return not re.search(r"缺货|售罄|无货|卖完|断货|停产", value)
    return True


def answer_rows(ask: TableAsk, rows: list[tuple[int, str]]) -> list[int]:
    """The positions of ``rows`` (position, normalized text) that meet the limits, sorted as asked (by price;
    a measure's order is the caller's, which knows the rows' quantities)."""
    kept: list[tuple[float, int]] = []
    for position, text in rows:
        row = fields(text)
        cost = price(row)
        if cost is None:
            continue
        if (ask.below is not None and cost > ask.below) or (ask.above is not None and cost < ask.above):
            continue
        if ask.in_stock and not in_stock(row):
            continue
        kept.append((cost, position))
    if ask.order == Order.DEAREST:
        kept.sort(key=lambda item: (-item[0], item[1]))
    elif ask.order == Order.CHEAPEST or ask.below is not None or ask.above is not None:
        kept.sort()
    return [position for _, position in kept]
