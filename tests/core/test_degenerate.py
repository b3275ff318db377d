"""Degenerate model output is noticed while it streams: walls of one character, a phrase going round, the
persona recited back; ordinary replies (prices, lists, 哈哈哈, ……) are left alone."""

from __future__ import annotations

from wxbot.core.degenerate import LoopWatch, exact_loop, mostly_loop, recites, trim_loop
from wxbot.settings import DEFAULT_PERSONA

ANSWER = "您好，这款规格 10*20cm，单价 15 元，两件*2 优惠，今天下单明天发货。"
ORDINARY = [
    ANSWER,
    "哈哈哈哈哈，好的好的！谢谢您……我们明天见。",
    "".join(f"{i}. 规格 {i}0*{i + 1}0cm，单价 {i * 3} 元，库存 {i * 7} 件，颜色可选红、蓝、白；\n" for i in range(1, 30)),
    "营业时间：周一至周五 9:00-18:00；周六 10:00-16:00；周日休息。\n地址：人民路 1 号，电话 138-0000-0000。" * 2,
    "---\n| 商品 | 价格 |\n|---|---|\n| 苹果 | 5元 |\n| 香蕉 | 3元 |\n---",
]


def stream(text: str, size: int = 3):
    watch = LoopWatch()
    for i in range(0, len(text), size):
        if (loop := watch.feed(text[i:i + size])) is not None:
            return watch, loop
    return watch, None


def test_a_wall_of_one_character_is_stopped_early_and_cut_back():
    watch, loop = stream("你好" + "！" * 1024)
    assert loop is not None and len(watch.text) < 40  # stopped, not 1,024 characters later
    assert trim_loop(watch.text, loop) == "你好！"
    assert mostly_loop(watch.text[:loop.start], watch.text[loop.start:])  # too little left to send


def test_thanks_three_hundred_times_and_a_phrase_loop():
    assert exact_loop("谢" * 341).start == 0
    phrase = "我很高兴为您服务。"
    watch, loop = stream(ANSWER + phrase * 50)
    assert trim_loop(watch.text, loop) == ANSWER + phrase
    assert not mostly_loop(ANSWER, phrase * 3)  # a real answer before a short loop is worth sending


def test_phrases_coming_round_with_small_changes_are_caught():
    rounds = "".join(f"你可以在这里提供一个{w}的价值，我可以安却稳峰了解你的价值。\n\n" for w in ["新", "更新", "好", "旧"] * 8)
    watch, loop = stream(rounds)
    assert loop is not None and len(watch.text) < len(rounds)


def test_ordinary_replies_are_not_loops():
    for text in ORDINARY:
        assert stream(text)[1] is None, text[:30]


def test_persona_recited_back_is_noticed():
    assert recites("你好！你是店主的微信助理，代表店主礼貌、简洁地回复客户！你可以…", DEFAULT_PERSONA)
    assert not recites("您好，我会转告店主，请稍等。", DEFAULT_PERSONA)
    assert not recites("你好你好你好你好你好你好", "你好")  # a short persona can't be told from a greeting


def test_a_recital_of_the_personas_opening_is_noticed_whatever_its_length():
    assert recites("你是店主的微信助理，代表店主礼", DEFAULT_PERSONA)  # 15 characters reached 12 customers
    for size in range(6, 21):
        assert recites(f"您好！{DEFAULT_PERSONA[:size]}", DEFAULT_PERSONA), size
    assert not recites(DEFAULT_PERSONA[:5], DEFAULT_PERSONA)  # "你是店主的" alone may be a customer's own words
    for text in [*ORDINARY, "店主的微信是多少？我帮您问问", "我是店主的助理，这款有货", "您是店主的朋友吧？"]:
        assert not recites(text, DEFAULT_PERSONA), text
