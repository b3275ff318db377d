"""Grounded replies on the real test model: passages go into the prompt with their source and within their
token budget, a factual question the knowledge base can't answer gets the owner's fallback text verbatim,
and an empty knowledge base changes nothing."""

from __future__ import annotations

import pytest

from tests.core.test_engine import CountingModel, msg
from wxbot.core.engine import ReplyEngine
from wxbot.core.grounding import GROUNDING_RULE, grounded_question, is_factual
from wxbot.core.history import MemoryHistory
from wxbot.llm.worker import ModelWorker
from wxbot.messages import Passage, ReplySource
from wxbot.settings import DEFAULT_PERSONA, Settings

PRICE = Passage("货号: SJ-0412; 品名: 手机支架; 单价(元): 168; 库存: 23", "价目表.xlsx", "商品 第3行", 2.5)
REFUND = Passage("7天无理由退换：商品未使用、包装完好，收货 7 天内可退换。", "售后政策.docx", "退换货", 1.2)


class ShelfRetriever:
    """A knowledge base reduced to what the engine sees: its size and a search that returns what a query's
    words hit (the real one, wxbot.kb, is exercised end to end in tests/e2e/test_kb_flow.py)."""

    def __init__(self, passages: list[Passage], hits: dict[str, list[Passage]] | None = None) -> None:
        self.passages = passages
        self.hits = hits or {}
        self.queries: list[tuple[str, int]] = []

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: str, k: int = 5) -> list[Passage]:
        self.queries.append((query, k))
        return [p for word, found in self.hits.items() if word in query for p in found][:k]


@pytest.fixture(scope="module")
def worker(test_model_path):
    w = ModelWorker(Settings(context_size=1024, temperature=0.0), test_model_path).start()
    yield w
    w.close()


def engine(worker, retriever=None, **settings):
    base = dict(context_size=1024, max_reply_tokens=24, temperature=0.0)
    model = CountingModel(worker)
    return ReplyEngine(Settings(**{**base, **settings}), model, MemoryHistory(), retriever), model


def test_passages_go_into_the_prompt_with_their_source(worker):
    kb = ShelfRetriever([PRICE, REFUND], {"SJ-0412": [PRICE]})
    eng, model = engine(worker, kb, kb_top_k=3)
    reply = eng.reply([msg("SJ-0412 多少钱？")])
    assert reply is not None and reply.source == ReplySource.MODEL
    assert reply.passages == (PRICE,)
    assert kb.queries == [("SJ-0412 多少钱？", 3)]
    system, user = model.last_prompt[0]["content"], model.last_prompt[-1]["content"]
    assert system == DEFAULT_PERSONA + GROUNDING_RULE  # the persona tells the model to answer facts from them
    assert "来源：价目表.xlsx · 商品 第3行\n" + PRICE.text in user
    assert user.endswith("SJ-0412 多少钱？")
    assert model.generations == 1


def test_passages_stay_within_their_token_budget_best_first_with_few_count_calls(worker):
    rows = [Passage(f"货号: SJ-{i:04d}; 品名: 第{i}号手机支架，铝合金折叠款，适合桌面和床头使用; 单价(元): {100 + i}",
                    "价目表.xlsx", f"商品 第{i + 2}行", 10.0 - i) for i in range(8)]
    kb = ShelfRetriever(rows, {"支架": rows})
    eng, model = engine(worker, kb, kb_top_k=8, kb_token_budget=350)
    bare_prompt = eng.build_prompt("A", "支架多少钱？")  # no passages given: the question alone
    model.counts = 0
    reply = eng.reply([msg("支架多少钱？")])
    assert 0 < len(reply.passages) < len(rows)
    assert reply.passages == tuple(rows[:len(reply.passages)])  # the best ones, whole, in order
    calls, n = model.counts, len(reply.passages)
    assert calls <= 5  # the question, all passages, an estimate from their lengths: not one call per passage
    system, budget = model.last_prompt[0], model.count_tokens(bare_prompt) + 350
    assert model.count_tokens(model.last_prompt) <= budget
    one_more = {"role": "user", "content": grounded_question(rows[:n + 1], "支架多少钱？")}
    assert model.count_tokens([system, one_more]) > budget  # the next passage did not fit


def test_unanswerable_price_question_gets_the_fallback_text_without_the_model(worker):
    kb = ShelfRetriever([PRICE, REFUND], {"SJ-0412": [PRICE]})
    eng, model = engine(worker, kb)
    for question in ("寄新疆 3 公斤多少运费？", "ZX-9 还有货吗", "How much is shipping to Canada?"):
        reply = eng.reply([msg(question)])
        assert reply.source == ReplySource.KB_FALLBACK
        assert reply.parts == ("[AI] 这个我确认一下再回复您",) and reply.passages == ()
    assert model.generations == 0


def test_fallback_is_the_owners_text_exactly_even_with_markdown_signs(worker):
    text = "**稍等**，我问下店主 :) 1. 价格以店主为准"
    eng, _ = engine(worker, ShelfRetriever([PRICE]), kb_fallback_text=text, reply_prefix="")
    assert eng.reply([msg("能开发票吗？")]).parts == (text,)


def test_factual_question_whose_passages_all_overflow_the_budget_still_gets_the_fallback(worker):
    kb = ShelfRetriever([PRICE], {"SJ-0412": [PRICE]})
    eng, model = engine(worker, kb, kb_token_budget=5)
    reply = eng.reply([msg("SJ-0412 多少钱？")])
    assert reply.source == ReplySource.KB_FALLBACK and model.generations == 0


def test_small_talk_without_passages_is_answered_by_the_model(worker):
    eng, model = engine(worker, ShelfRetriever([PRICE]))
    reply = eng.reply([msg("你好呀，今天天气真好")])
    assert reply.source == ReplySource.MODEL and reply.passages == ()
    assert "店铺资料（" not in model.last_prompt[-1]["content"]


def test_an_empty_knowledge_base_changes_nothing(worker):
    empty = ShelfRetriever([], {"多少钱": [PRICE]})
    with_kb, model_a = engine(worker, empty)
    without, model_b = engine(worker, None)
    a = with_kb.reply([msg("SJ-0412 多少钱？")])
    b = without.reply([msg("SJ-0412 多少钱？")])
    assert model_a.last_prompt == model_b.last_prompt
    assert model_a.last_prompt[0]["content"] == DEFAULT_PERSONA
    assert a == b and a.source == ReplySource.MODEL and a.passages == ()
    assert empty.queries == []


@pytest.mark.parametrize("question", [
    "SJ-0412 多少钱", "这个怎么卖", "还有货吗", "寄新疆运费多少", "拆开了还能退吗", "可以开发票吗", "几天能到货",
    "包邮吗", "保修多久", "What's the price?", "Do you ship to Hong Kong?", "Is it in stock", "can I get a refund",
])
def test_factual_questions_are_recognised(question):
    assert is_factual(question)


@pytest.mark.parametrize("question", ["你好", "在吗", "谢谢老板", "今天天气不错", "Hello there", "Thanks a lot!",
                                      "你们店在哪里", "the shipment of ideas"])
def test_small_talk_is_not_factual(question):
    assert not is_factual(question)


def test_quote_mode_answers_with_the_passages_as_written_without_the_model(worker):
    star = Passage("**新品** 货号: SJ-0413; 单价(元): 1,299.50; 规格: 3*4 cm", "价目表.xlsx", "商品 第4行", 2.0)
    kb = ShelfRetriever([PRICE, star, REFUND], {"SJ-041": [PRICE, star, REFUND]})
    eng, model = engine(worker, kb, kb_quote_passages=2)
    reply = eng.reply([msg("SJ-041 多少钱？")])
    assert reply.source == ReplySource.KB and reply.passages == (PRICE, star)
    assert reply.parts == ("[AI] " + PRICE.text + "\n" + star.text,)  # stars, commas, 3*4 untouched
    assert model.generations == 0
    assert eng.reply([msg("寄新疆多少运费？")]).source == ReplySource.KB_FALLBACK  # nothing found: still no guess

