"""FAQ rules as an owner writes them: a few example customer questions and an answer, scored by likeness so the
best rule answers, not the first in the list; a question that says what an example says (a greeting, a thanks)
is answered at once; the older kinds (exact, contains, regex) still work; the answer reaches the customer
exactly as written."""

from __future__ import annotations

import pytest

from wxbot.core.engine import ReplyEngine
from wxbot.core.faq import FaqMatcher
from wxbot.core.history import MemoryHistory
from wxbot.core.likeness import ExampleIndex, grams, likeness
from wxbot.demoshop import FAQ_RULES
from wxbot.messages import ChatKind, Message
from wxbot.settings import Settings
from wxbot.validation import FAQ_MATCH_KINDS

MIN = Settings().faq_min_similarity
RETURNS = {"match": "examples", "examples": ["能退货吗", "不喜欢可以退吗", "拆开了还能退吗", "尺码不合适能换吗"],
           "answer": "签收 7 天内无理由退换，吊牌完好即可。"}
SHIPPING_WORD = {"match": "contains", "pattern": "运费", "answer": "满 99 元包邮，不满收 8 元。"}
SHIPPING = {"match": "examples", "examples": ["运费多少", "包邮吗"], "answer": "满 99 元包邮，不满收 8 元。"}


def best(matcher: FaqMatcher, text: str) -> str | None:
    """The answer of the rule that ranks first for ``text``, or None."""
    ranked = matcher.rank(text)
    return ranked[0].rule.answer if ranked else None


def demo_answer(number: int) -> str:
    return FAQ_RULES[number - 1]["answer"]


@pytest.mark.parametrize("other", [SHIPPING_WORD, SHIPPING], ids=["contains", "examples"])
def test_a_rule_written_as_example_questions_beats_a_rule_that_only_shares_one_word(other):
    matcher = FaqMatcher([other, RETURNS], MIN)  # the other rule comes first in the owner's list
    question = "裙子收到拆开试穿了，颜色不喜欢，能退吗？运费怎么算？"
    ranked = matcher.rank(question)
    assert ranked[0].rule.answer == RETURNS["answer"] and ranked[0].number == 2
    assert ranked[0].why in RETURNS["examples"]
    if len(ranked) > 1:
        assert ranked[1].score < ranked[0].score
    assert best(matcher, "运费多少钱") == other["answer"]  # and the other rule still answers its own question


@pytest.mark.parametrize(("question", "number"), [
    ("拆开试戴了一下不喜欢，能退吗？运费谁出？", 4),  # returns, not shipping, though 运费 is asked too
    ("你好，在吗？", 1), ("Hello", 1), ("HI!", 1),  # greetings, however punctuated or cased
    ("邮费要几天", 3),  # shipping time: the rule covers it though no example says 邮费 and 几天 together
    ("好的谢谢", 6), ("今天营业吗", 2), ("这个围巾什么时候发货", 3), ("有没有优惠", 5),
])
def test_the_demo_shops_rules_answer_customers_wording(question, number):
    assert best(FaqMatcher(FAQ_RULES, MIN), question) == demo_answer(number)


@pytest.mark.parametrize("question", ["周末一起去爬山吗", "你们老板是哪里人", "真丝围巾怎么洗", "SK-101 多少钱",
                                      "你好，请问羊绒围巾多少钱"])
def test_questions_no_rule_covers_match_no_rule(question):
    assert FaqMatcher(FAQ_RULES, MIN).rank(question) == []


def test_exact_examples_greetings_and_thanks_are_instant():
    matcher = FaqMatcher(FAQ_RULES, MIN)
    for text in ("你好", "您好！", "在吗？", "hello", "谢谢～", "Thank you!"):
        top = matcher.rank(text)[0]
        assert top.instant and top.score == 1.0, text
    top = matcher.rank("你好，请问什么时候发货")[0]  # a greeting with a question: the question's rule, not at once
    assert top.rule.answer == demo_answer(3) and not top.instant


def test_the_older_kinds_still_work():
    matcher = FaqMatcher([
        {"match": "exact", "pattern": "营业时间", "answer": "9点到18点"},
        {"match": "contains", "pattern": "地址", "answer": "人民路1号"},
        {"match": "regex", "pattern": r"^价格?\s*\d+号$", "answer": "请看价目表"},
    ], MIN)
    assert best(matcher, " 营业时间 ") == "9点到18点"
    assert matcher.rank(" 营业时间 ")[0].instant
    assert best(matcher, "营业时间呢") is None  # exact means exact
    assert best(matcher, "请问你们地址在哪") == "人民路1号"  # a contains hit always counts
    assert best(matcher, "价格 3号") == "请看价目表"
    assert best(matcher, "你好") is None


def test_every_kind_the_settings_accept_is_a_kind_the_matcher_knows():
    for kind in FAQ_MATCH_KINDS:
        rule = {"match": kind, "answer": "x", **({"examples": ["a"]} if kind == "examples" else {"pattern": "a"})}
        Settings(faq_rules=[rule]).validate()
        FaqMatcher([rule], MIN)


def test_the_faq_answer_reaches_the_customer_exactly_as_written():
    engine = ReplyEngine(Settings(faq_rules=FAQ_RULES), None, MemoryHistory())  # no model: rules need none
    msg = Message(msg_id="1", contact_id="c", display_name="c", chat=ChatKind.PRIVATE, text="邮费要几天", time=1.0)
    reply = engine.reply([msg])
    assert reply is not None and reply.source == "faq"
    assert reply.parts == ("[AI] " + demo_answer(3),) and reply.body == demo_answer(3)


@pytest.mark.parametrize("question", ["拆开试戴了一下不喜欢，能退吗？运费谁出？", "邮费要几天", "hello there", "？", ""])
def test_the_example_index_scores_as_likeness_does(question):
    groups = [rule["examples"] for rule in FAQ_RULES]
    q = grams(question)
    scores = ExampleIndex(groups).scores(q)
    for g, examples in enumerate(groups):
        expected = likeness(q, [grams(e) for e in examples])
        assert scores.get(g, (0.0, 0))[0] == pytest.approx(expected)
