"""Chinese numerals as customers type them (一百二, 两万, 八个月, 一米五, 半斤) written as Arabic digits, so a
question and a document that spell a number differently meet. Only numerals that count something are
rewritten (followed by a unit or measure word, or a whole written-out number): 一起, 统一, 一下 stay as they are."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
# What follows a number that counts something: units, measure words, approximations (十来岁, 一岁多).
_FOLLOWERS = ("个岁月年天周日号码段斤克米厘毫寸英尺分秒小点元块角毛片包罐盒箱瓶件根条双只套台张本支位人次倍折瓦伏升"
              "层档孔口份提袋桶斤公千来多余楼室期种款色")
_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万半]+")
# Digits with a Chinese multiplier before a unit or measure word: 3万毫安 = 30000毫安, 1.5万 = 15000.
_MIXED = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)([万千])(?=[{_FOLLOWERS}]|mah|w\b|元|块)")
# A time of day as the clock writes it: 下午3点 = 15:00, 晚上8点半 = 20:30, 10点 = 10:00.
# Without a part of the day, only an hour bounding something (3点前, 10点到) is read as a time: 差1点 is not.
_CLOCK = re.compile(r"(?P<part>凌晨|早上|上午|中午|下午|晚上|傍晚)?(?<![\d.])(?P<h>\d{1,2})点(?P<m>半|\d{1,2}分?)?"
                    r"(?(part)|(?=前|后|以前|以后|之前|之后|左右|到|至|-))(?![\d钟])")
_AFTERNOON = ("下午", "晚上", "傍晚")


def cn_number(run: str) -> float | None:
    """一百二 -> 120, 两万五 -> 25000, 十 -> 10, 半 -> 0.5; None when ``run`` is not one number (一二三)."""
    if run == "半":
        return 0.5
    if "半" in run:
        return None
    total = section = 0
    digit: int | None = None
    last_unit = 1
    for ch in run:
        if ch in _DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = _DIGITS[ch]
        elif ch == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit, last_unit = 0, None, 10_000
        else:
            unit = _UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:  # 一百二 = 120, 一万五 = 15000: a last digit after a unit counts the next lower one
        section += digit * (last_unit // 10 if last_unit >= 100 and run[-2] in _UNITS else 1)
    return float(total + section)


def _digits(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def arabic_numerals(text: str) -> str:
    """Rewrite the numerals in ``text`` that count something; everything else is left as written."""
    def swap(m: re.Match[str]) -> str:
        run = m.group()
        after = text[m.end():m.end() + 1]
        before = text[m.start() - 1:m.start()] if m.start() else ""
        counts = (after and after in _FOLLOWERS) or any(u in run for u in _UNITS) and len(run) > 1 \
            or (before in "米块元斤" and before != "" and run != "半")
        if not counts or run[0] in "万千百":  # a multiplier alone counts nothing (3万 is _MIXED's)
            return run
        value = cn_number(run)
        return run if value is None else _digits(value)

    text = _RUN.sub(swap, text)
    text = _MIXED.sub(lambda m: _digits(float(m.group(1)) * (10_000 if m.group(2) == "万" else 1000)), text)
    return _CLOCK.sub(_clock, text)


def _clock(m: re.Match[str]) -> str:
    hour = int(m.group("h"))
    if hour > 24:
        return m.group()
    if m.group("part") in _AFTERNOON and hour < 12 or m.group("part") == "中午" and hour < 6:
        hour += 12
    minute = m.group("m") or ""
    minutes = 30 if minute == "半" else int(minute.rstrip("分")) if minute else 0
    return f"{hour}:{minutes:02d}"
