"""Grounded replies: what the engine asks of the owner's knowledge base (``Retriever``), which questions are
factual (price, stock, shipping, refund, invoice) and so must not be guessed, and how passages enter the prompt."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from wxbot.messages import Passage


class Retriever(Protocol):
    """The knowledge base as the engine sees it (wxbot.kb.KnowledgeBase implements it)."""

    def __len__(self) -> int:
        """How many passages it holds; 0 means the bot answers as if there were no knowledge base."""

    def search(self, query: str, k: int = 5) -> Sequence[Passage]:
        """The ``k`` most relevant passages, best first; empty when nothing is relevant."""


# Words of questions whose answer is a fact of the shop (a number, a yes/no on stock, a policy).
_FACTUAL_ZH = (
    "多少钱", "价格", "价钱", "价位", "报价", "单价", "几块", "几元", "多少元", "怎么卖", "卖多少", "优惠", "折扣", "打折",
    "几折", "便宜点", "包邮", "运费", "邮费", "快递费", "快递", "物流", "发货", "几天到", "多久到", "配送", "寄到",
    "库存", "有货", "有没有货", "现货", "还有吗", "缺货", "断货", "补货", "到货", "退货", "退款", "退换", "换货",
    "能退", "可以退", "能换", "可以换", "无理由", "售后", "保修", "质保", "三包", "发票", "开票", "专票", "普票", "税点",
)
_FACTUAL_EN = (
    r"price[sd]?", r"pricing", r"cost[s]?", r"how much", r"discount[s]?", r"stock", r"available",
    r"availability", r"ship(?:s|ping|ped)?", r"deliver(?:y|ed|s)?", r"postage", r"refund(?:s|ed)?", r"return(?:s|ed)?",
    r"exchange", r"warrant(?:y|ies)", r"guarantee", r"invoice[s]?", r"receipt[s]?", r"vat",
)
_FACTUAL = re.compile("|".join(map(re.escape, _FACTUAL_ZH)) + r"|\b(?:" + "|".join(_FACTUAL_EN) + r")\b|[¥$￥]",
                      re.IGNORECASE)

GROUNDING_RULE = (
    "\n\n店铺资料规则：客户问价格、库存、运费、发货、退换货、发票等事实时，只能依据消息里「店铺资料」中的内容回答，"
    "数字、价格、货号照原样引用；资料里没有的，就说需要向店主确认，绝不猜测或编造。"
)
_HEADER = "店铺资料（回答事实问题只能依据这些）："
_QUESTION = "客户的问题："


def is_factual(question: str) -> bool:
    """A question about price, stock, shipping, refunds or invoices (Chinese or English)."""
    return _FACTUAL.search(question) is not None


def grounded_question(passages: Sequence[Passage], question: str) -> str:
    """The user turn of a grounded prompt: the numbered passages with their sources, then the question."""
    if not passages:
        return question
    blocks = [f"[{i}] 来源：{p.label}\n{p.text}" for i, p in enumerate(passages, 1)]
    return "\n\n".join([_HEADER, *blocks, _QUESTION + question])
