"""Quantities with units, in questions and in documents, on one scale per dimension: 17斤 = 8500 g, 6-11kg =
6000-11000 g, 一米五 = 150 cm, 两万毫安 = 20000 mAh, 八个月 = 8 months, 两岁半 = 30 months. A question's
quantity finds the passage whose value or range holds it. Text is expected normalized (normal.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wxbot.kb.tablequery import FIELD

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("weight", 1000), "公斤": ("weight", 1000), "千克": ("weight", 1000), "斤": ("weight", 500),
    "克": ("weight", 1), "g": ("weight", 1),
    "cm": ("length", 1), "厘米": ("length", 1), "公分": ("length", 1), "mm": ("length", 0.1), "毫米": ("length", 0.1),
    "米": ("length", 100), "m": ("length", 100), "英寸": ("length", 2.54), "寸": ("length", 2.54),
    "inch": ("length", 2.54),
    "mah": ("charge", 1), "毫安时": ("charge", 1), "毫安": ("charge", 1),
    "wh": ("energy", 1), "w": ("power", 1), "瓦": ("power", 1),
    "ml": ("volume", 1), "毫升": ("volume", 1), "l": ("volume", 1000), "升": ("volume", 1000),
    "个月": ("age", 1), "月龄": ("age", 1), "月": ("age", 1), "周岁": ("age", 12), "岁": ("age", 12),
    "℃": ("temperature", 1), "°c": ("temperature", 1), "度": ("temperature", 1),  # NFKC writes ℃ as °c
    "元": ("money", 1), "块钱": ("money", 1), "块": ("money", 1),
}
_UNIT = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
_NUM = r"\d+(?:\.\d+)?"
_QUANTITY = re.compile(
    rf"(?<![\d.a-z])(?P<lo>{_NUM})\s*(?:(?P<lo_unit>{_UNIT})?\s*(?:-|至|到)\s*(?P<hi>{_NUM})\s*)?(?P<unit>{_UNIT})"
    rf"(?P<half>半)?(?P<tail>{_NUM}(?![\d.]|\s*(?:{_UNIT})))?(?![a-z])\s*(?P<bound>以上|以下|以内|之内|及以上|起|多(?!少)|左右|上下)?")
_FIELD_UNIT = re.compile(rf"\((?P<unit>{_UNIT})\)$|（(?P<unit2>{_UNIT})）$")


@dataclass(frozen=True)
class Quantity:
    dimension: str  # weight, length, charge, energy, power, volume, age, money
    low: float  # in the dimension's base unit (g, cm, mAh, Wh, W, ml, months, yuan)
    high: float  # == low for a single value
    about: bool = False  # 40升左右: a value near it will do

    def holds(self, value: float) -> bool:
        slack = 1e-6 * max(1.0, abs(value))
        return self.low - slack <= value <= self.high + slack


def _one(m: re.Match[str]) -> Quantity | None:
    unit = m.group("unit")
    dimension, factor = UNITS[unit]
    lo = float(m.group("lo"))
    lo_factor = factor
    if m.group("lo_unit"):
        lo_dimension, lo_factor = UNITS[m.group("lo_unit")]
        if lo_dimension != dimension:
            return None
    if m.group("tail") and unit in ("米", "m", "块", "元", "斤", "度"):  # 1米5 = 1.5 m, 38度5 = 38.5 ℃
        tail = m.group("tail")
        lo = float(f"{int(lo)}.{tail}") if m.group("hi") is None else lo
    if m.group("half"):
        lo += 0.5
    hi = float(m.group("hi")) if m.group("hi") else lo
    if m.group("hi") and m.group("half"):
        hi += 0.5
    bound = m.group("bound") or ""
    if bound in ("以上", "及以上", "起"):
        hi = float("inf")
    elif bound in ("以下", "以内", "之内"):
        lo = 0.0
    elif bound == "多":  # 一岁多: above the value, below the next
        hi = lo + (1 if factor >= 1 else 0.5)
    return Quantity(dimension, lo * lo_factor, hi * factor, bound in ("左右", "上下"))


def quantities(text: str) -> list[Quantity]:
    """Every quantity with a unit in normalized ``text``; a table cell takes its unit from its column name
    (``单价(元): 168``)."""
    found = [q for m in _QUANTITY.finditer(text) if (q := _one(m)) is not None]
    for m in FIELD.finditer(text):
        unit = _FIELD_UNIT.search(m.group("name").strip())
        value = m.group("value").strip()
        if unit and re.fullmatch(_NUM, value):
            dimension, factor = UNITS[unit.group("unit") or unit.group("unit2")]
            found.append(Quantity(dimension, float(value) * factor, float(value) * factor))
    return found


def without_quantities(text: str) -> str:
    """``text`` with its quantities blanked out (they are matched as quantities, not as words)."""
    return _QUANTITY.sub(" ", text)


NEAR = 0.1  # 40升左右 is met by 38L: within this share of the value asked


def holding(asked: list[Quantity], held: list[Quantity]) -> float:
    """How well a passage's quantities hold one the question asks about: 2 for the same value or a closed
    range around it (6-11kg for 17斤), 1 for an open one (22kg以下) or a value near one asked 左右, 0 for none."""
    best = 0.0
    for a in asked:
        for h in held:
            if h.dimension != a.dimension or a.low != a.high:
                continue
            if h.holds(a.low):
                best = max(best, 2.0 if h.low > 0 and h.high != float("inf") else 1.0)
            elif a.about and h.low == h.high and abs(h.low - a.low) <= NEAR * a.low:
                best = max(best, 1.0)
    return best
