"""The text that reaches the customer: the owner's words exactly as written, the model's Markdown made plain
without changing a digit, a `*` between numbers, a size, a price, a code or a URL; splits never cut those."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from wxbot.core.engine import ReplyEngine
from wxbot.core.history import MemoryHistory
from wxbot.core.plaintext import markdown_to_plain
from wxbot.core.textsplit import split_reply
from wxbot.messages import ChatKind, Message, ReplySource
from wxbot.settings import Settings

SHOP = "规格 10*20cm，两件*2 优惠，单价 3*5=15 元"
OWNER_TEXTS = [SHOP, "**包邮** 满 99 元，`CODE_2024` 可用", "# 不是标题\n- 也不是列表\n> 原样", "2**10 = 1024；a_b_c"]

# Tokens a shop reply is made of: the ones that must come out exactly as written.
NUMBERS = st.from_regex(r"\A(?:[0-9]{1,4}(?:\.[0-9]{1,2})?|[0-9]+\*[0-9]+(?:=[0-9]+)?|[0-9]+\*[0-9]+(?:cm|mm|kg)"
                        r"|[两三]件\*[0-9]|¥[0-9]+|[0-9]+%|[A-Z]{2}-[0-9]{3}_[a-z][0-9])\Z")
URLS = st.from_regex(r"\Ahttps://shop\.example\.cn/[a-z_*]{1,8}(?:\?id=[0-9]{1,4}&k=[a-z_]{1,4})?\Z")
WORDS = st.sampled_from(["单价", "规格", "两件", "优惠", "元", "包邮", "颜色", "库存", "尺寸", "下单"])
GLUE = st.sampled_from(["", " ", "，", "、", "：", "。"])


def _segments():
    token = st.one_of(NUMBERS, URLS, WORDS)
    return st.lists(st.tuples(token, GLUE), min_size=1, max_size=12)


def _join(segments, bold=frozenset()) -> str:
    out = []
    for i, (token, glue) in enumerate(segments):
        out.append(f"**{token}**" if i in bold else token)
        out.append(glue)
    return "".join(out)


def _protected(text: str) -> list[str]:
    return re.findall(r"https://[^，、：。 ]+|[0-9]+\*[0-9]+(?:=[0-9]+|cm|mm|kg)?|件\*[0-9]|[A-Z]{2}-[0-9]{3}_[a-z][0-9]", text)


def test_the_issue_example_is_unchanged():
    assert markdown_to_plain(SHOP) == SHOP
    assert markdown_to_plain("单价 3*5=15 元，2*4=8 元") == "单价 3*5=15 元，2*4=8 元"
    assert markdown_to_plain("`a*b*c` 和 **粗** *斜*") == "a*b*c 和 粗 斜"  # code first, then emphasis


def test_structure_that_regexes_got_wrong():
    assert markdown_to_plain("标题\n===\n\n正文 <b>粗</b><br>下一行") == "标题\n\n正文 粗\n下一行"
    assert markdown_to_plain("1. 先付款\n1. 再发货") == "1. 先付款\n1. 再发货"  # the model's own numbers
    assert markdown_to_plain("[店铺](https://shop.cn/a_b*c*) 见 <https://x.cn/y>") == \
        "店铺 (https://shop.cn/a_b*c*) 见 https://x.cn/y"


@settings(deadline=None, max_examples=60)
@given(_segments())
def test_model_plain_text_keeps_every_digit_and_token(segments):
    text = _join(segments).strip()
    plain = markdown_to_plain(text)
    assert re.findall(r"\d", plain) == re.findall(r"\d", text)
    for token in _protected(text):
        assert token in plain


@settings(deadline=None, max_examples=60)
@given(_segments(), st.sets(st.integers(0, 11)))
def test_bold_is_removed_and_nothing_else_changes(segments, bold):
    # the model bolds words, never inside a token: what is left is the text without the stars
    bold = frozenset(i for i in bold if i < len(segments) and segments[i][0] in WORDS_SET
                     and segments[i][1] in SPACERS and (i == 0 or segments[i - 1][1] in SPACERS))
    expected = _join(segments).strip()
    assert markdown_to_plain(_join(segments, bold).strip()) == expected


WORDS_SET = {"单价", "规格", "两件", "优惠", "元", "包邮", "颜色", "库存", "尺寸", "下单"}
SPACERS = {" ", "，", "、", "：", "。"}


@settings(deadline=None, max_examples=60)
@given(_segments(), st.integers(12, 60))
def test_splitting_never_cuts_a_token(segments, limit):
    text = "".join("她说" * 10 + token + glue for token, glue in segments)
    parts = split_reply(text, limit)
    for token in _protected(text):
        if len(token) <= limit // 3:
            assert any(token in p for p in parts), (token, parts)
    assert all(len(p) <= limit for p in parts)


def test_url_question_mark_is_no_sentence_end():
    url = "https://shop.cn/item?id=1024&k=v"
    parts = split_reply("请看" * 12 + url + "，谢谢。", 60)
    assert any(url in p for p in parts)


def _message(text: str) -> Message:
    return Message(msg_id="m1", contact_id="c", display_name="c", chat=ChatKind.PRIVATE, text=text)


def test_owner_words_reach_the_customer_exactly_as_written():
    for answer in OWNER_TEXTS:
        settings = Settings(faq_rules=[{"match": "contains", "pattern": "价格", "answer": answer}],
                            away_message=answer)
        engine = ReplyEngine(settings, None, MemoryHistory())
        faq = engine.reply([_message("价格多少")])
        away = engine.fixed_reply("c", answer, ReplySource.AWAY, ["m1"])
        for reply in (faq, away):
            assert reply.parts == ("[AI] " + answer,) and reply.body == answer
