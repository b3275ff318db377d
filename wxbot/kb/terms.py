"""How the knowledge base turns text into search terms: NFKC (full-width ＳＪ－０４１２ becomes sj-0412), product
codes joined across separators (SJ-0412 = sj0412), jieba words plus character pairs for Chinese (a two-character
word such as 退货 is always a pair), and a small synonym table for how customers ask (能退吗 → 退货/退换)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import rjieba

# An ASCII run: letters/digits joined by - or _ (codes), or by a dot between digits (3.5, 168.00).
_TOKEN = re.compile(r"(?P<code>[a-z0-9]+(?:(?:[-_]|(?<=\d)\.(?=\d))[a-z0-9]+)*)|(?P<cjk>[\u3400-\u9fff\uf900-\ufaff]+)")
_PARTS = re.compile(r"[a-z]+|\d+(?:\.\d+)?")

# Words that carry no meaning for retrieval: particles, pronouns, question words.
STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 哦 嘛 么 哈 是 在 有 和 与 及 或 我 你 您 他 她 它 我们 你们 他们 咱们 请问 请 问 问下 问一下 "
    "一下 这个 那个 这 那 哪 哪个 什么 怎么 怎么样 怎样 如何 多少 几 可以 能 能不能 可不可以 会 要 想 还 还有 就 都 也 又 "
    "很 太 好 个 些 一 给 把 被 让 对 从 吗 不 没 没有 是不是 有没有 知道 告诉 一个 现在 亲 老板 店家 客服 谢谢 你好 在吗 时候 什么时候 啥 咋 呗 咯 嗯 "
    "a an the is are do does can i you we it of to for and or what how".split())

# Customer wording -> the words a shop's documents use. Matched as substrings of the normalized question,
# longest first; each hit becomes one term group (matched when a passage has any of its words).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "能退": ("退货", "退换", "退款", "无理由"), "可以退": ("退货", "退换", "退款", "无理由"),
    "退货": ("退货", "退换", "无理由"), "退换": ("退换", "退货", "无理由"), "退款": ("退款", "退货"),
    "换货": ("换货", "退换", "更换"), "能换": ("换货", "退换", "更换"), "退": ("退货", "退换", "退款"),
    "换": ("换货", "退换", "更换"),
    "多少钱": ("价格", "单价", "售价", "价钱", "元"), "价钱": ("价格", "单价", "售价"), "价格": ("价格", "单价", "售价"),
    "贵不贵": ("价格", "单价", "售价"), "几块": ("价格", "单价", "元"),
    "有货": ("库存", "现货", "有货", "缺货"), "有现货": ("库存", "现货"), "库存": ("库存", "现货"), "缺货": ("库存", "缺货"),
    "卖完": ("库存", "缺货", "售罄"), "还有吗": ("库存", "现货"),
    "包邮": ("包邮", "运费", "免运费", "邮费"), "运费": ("运费", "邮费", "快递费"), "邮费": ("运费", "邮费"),
    "寄": ("运费", "快递", "发货", "邮费"), "快递": ("快递", "物流", "发货"), "物流": ("物流", "快递", "发货"),
    "发货": ("发货", "发出", "出库"), "几天到": ("时效", "送达", "到货", "天"), "多久到": ("时效", "送达", "到货", "天"),
    "多久发": ("发货", "时效"), "什么时候发": ("发货", "时效"), "什么时候到": ("时效", "送达", "到货"),
    "发票": ("发票", "开票"), "开票": ("发票", "开票"), "收据": ("发票", "收据"),
    "保修": ("保修", "质保", "维修"), "质保": ("质保", "保修"), "坏了": ("保修", "质保", "维修", "质量问题"),
    "优惠": ("优惠", "折扣", "满减", "活动"), "打折": ("折扣", "优惠"), "便宜": ("优惠", "折扣"),
    "尺码": ("尺码", "码数", "尺寸"), "多大": ("尺寸", "尺码", "规格"), "尺寸": ("尺寸", "规格", "尺码"),
    "营业": ("营业", "营业时间", "上班"), "几点": ("营业时间", "时间"), "地址": ("地址", "门店", "位置"),
    "在哪": ("地址", "门店", "位置"), "联系": ("电话", "联系", "客服"), "电话": ("电话", "联系"),
    "付款": ("付款", "支付"), "支付": ("支付", "付款"), "定制": ("定制", "刻字", "订做"),
    "公斤": ("公斤", "kg", "千克"), "千克": ("公斤", "kg", "千克"), "kg": ("公斤", "kg", "千克"),
}
_TRIGGERS = sorted(SYNONYMS, key=len, reverse=True)


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and dashes become ASCII) and case folding."""
    return unicodedata.normalize("NFKC", text).casefold().replace("—", "-").replace("－", "-")


def _pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _code_terms(code: str) -> list[str]:
    """sj-0412 -> sj0412 (the joined form), sj, 0412; 3.5 -> 3.5."""
    joined = code.replace("-", "").replace("_", "")
    parts = _PARTS.findall(code)
    return [joined, *(p for p in parts if p != joined)]


def index_terms(text: str) -> list[str]:
    """Every term a passage is found by (with repeats, for term frequency)."""
    out: list[str] = []
    for m in _TOKEN.finditer(normalize(text)):
        if m.group("code"):
            out.extend(_code_terms(m.group("code")))
            continue
        run = m.group("cjk")
        words = [w for w in rjieba.cut_for_search(run) if len(w) != 2 and w not in STOPWORDS]
        out.extend(words)
        out.extend(p for p in _pairs(run) if p not in STOPWORDS)
    return out


@dataclass(frozen=True)
class TermGroup:
    """One thing the question asks about: matched when a passage holds any of ``terms``, or partly by the
    share of ``parts`` (a long word's character pairs, as a passage segmented differently holds them)."""

    terms: tuple[str, ...]
    parts: tuple[str, ...] = ()
    weak: bool = False  # a single character or a short number: helps ranking, not evidence of relevance


def query_groups(question: str) -> list[TermGroup]:
    """The question as term groups: synonym hits first, then the remaining words."""
    text = normalize(question)
    groups: list[TermGroup] = []
    for trigger in _TRIGGERS:
        if trigger in text:
            groups.append(TermGroup(SYNONYMS[trigger]))
            text = text.replace(trigger, " ")
    seen: set[tuple[str, ...]] = {g.terms for g in groups}
    for m in _TOKEN.finditer(text):
        if m.group("code"):
            code = m.group("code")
            if code in STOPWORDS:
                continue
            terms = (_code_terms(code)[0],)
            weak = code.replace(".", "").isdigit() and len(code) <= 2
            candidates = [TermGroup(terms, weak=weak)]
        else:
            candidates = [TermGroup((w,), tuple(_pairs(w)) if len(w) > 2 else (), len(w) == 1)
                          for w in rjieba.cut(m.group("cjk")) if w not in STOPWORDS]
        for group in candidates:
            if group.terms not in seen:
                seen.add(group.terms)
                groups.append(group)
    return groups

