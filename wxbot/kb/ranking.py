"""Recall first: several channels each rank the passages (character pairs, jieba words with synonyms, codes
and model names, pinyin, quantities held), fused by reciprocal rank fusion so no single hand-tuned score
decides; then relevance.py decides whether the best of them answers at all; then a question about a sheet as
a whole (最便宜的…) gets that sheet's rows, filtered and sorted. ``BuiltIndex`` is everything derived from
the passages, picklable, so it can be kept sealed and loaded instead of rebuilt."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wxbot.kb.bm25 import TermIndex
from wxbot.kb.channels import char_terms, code_terms, pinyin_terms, synonym_text, word_terms
from wxbot.kb.intent import Intent, intent, stated
from wxbot.kb.normal import normalize
from wxbot.kb.pinyin import Homophones, PinyinTable, pinyin_table, spell, syllables
from wxbot.kb.quantities import Quantity, holding, quantities
from wxbot.kb.relevance import (
    ANCHOR,
    Concept,
    Question,
    confidence,
    cover,
    missing_thing,
    named,
    read_question,
)
from wxbot.kb.synonyms import RANKING_SYNONYMS
from wxbot.kb.tablequery import FIELD, Order, TableAsk, answer_rows, name_cell, table_ask

CANDIDATES = 50  # each channel's depth before fusion
RRF_K = 10  # fusion constant: small, because a channel's first places matter most for a shop's few hundred rows
JUDGED = 16  # how many of the fused best the relevance decision looks at
MISSING_THING = 0.2  # the bar rises this much when a thing the question names is in none of the passages
RERANK = 1.5  # the best are reordered by fused rank (as a share of the first's) plus this times their confidence
STATES = 0.5  # and this much more when it states what the question asks (a price, a weight, the stock)
NAMED = 0.3  # and up to this much more for a row whose name cell holds the things the question names
KIND = 0.3  # and this much more when it is the kind of passage that answers such a question (a row, prose)
_STOCK_FIELD = re.compile(r"库存|现货|有货|缺货|售罄")
_BUNDLE = re.compile(r"礼盒|礼包|套装|套餐|组合装|大礼包")  # a row that sells several products together
KEEP = 0.5  # a passage returned needs this share of the threshold's confidence itself
WEIGHTS = {"chars": 1.0, "words": 1.0, "codes": 1.0, "sounds": 0.5, "quantity": 1.0, "semantic": 1.0}

# A count between a verb and its object (驱一次虫, 洗两次澡): the documents write the verb and object together
# (驱虫, 洗澡); never after 第, 每, 这 (第一次用) nor before 性 (一次性).
_ONCE = re.compile(r"(?<=[\u4e00-\u9fff])(?<![第每这那上下前后首头])(?:\d+|几)次(?=[\u4e00-\u9fff])(?![性数的吗了呢啊吧])")
_BRAND = re.compile(r"苹果(?=\s?\d)")  # 苹果16 is an iPhone 16: customers name the brand in Chinese


@dataclass(frozen=True)
class BuiltIndex:
    texts: tuple[str, ...]  # each passage's searchable text, normalized
    chars: TermIndex
    words: TermIndex
    codes: TermIndex
    sounds: TermIndex
    held: tuple[tuple[Quantity, ...], ...]  # each passage's quantities
    sheets: tuple[str, ...]  # the table a row belongs to ('' for prose)
    rows: tuple[str, ...]  # a table row's own text, normalized ('' for prose): its cells, without its context
    table: PinyinTable
    known: frozenset[str]  # pinyin syllables


def build_index(texts: Sequence[str], sheets: Sequence[str], rows: Sequence[str]) -> BuiltIndex:
    """Everything search needs, from the passages' searchable texts, the sheet each row is in and the rows'
    own texts."""
    table = pinyin_table() if texts else {}
    known = syllables(table)
    norm = tuple(normalize(t) for t in texts)
    return BuiltIndex(norm, TermIndex([char_terms(t) for t in norm]), TermIndex([word_terms(t) for t in norm]),
                      TermIndex([code_terms(t) for t in norm]),
                      TermIndex([pinyin_terms(t, table, known) for t in norm]),
                      tuple(tuple(quantities(t)) for t in norm), tuple(sheets), tuple(normalize(r) for r in rows),
                      table, known)


def _ranked(scores: np.ndarray) -> np.ndarray:
    hits = np.flatnonzero(scores > 0)
    order = hits[np.lexsort((hits, -scores[hits]))]
    return order[:CANDIDATES]


def _distinct(ranked: list[tuple[int, float]], rows: Sequence[str]) -> list[tuple[int, float]]:
    """Each passage once, and the same row imported twice (the price list as .xlsx and as .csv) once."""
    seen: set[int | str] = set()
    out: list[tuple[int, float]] = []
    for pos, score in ranked:
        key = rows[pos] or pos
        if key not in seen:
            seen.add(key)
            out.append((pos, score))
    return out


class Retriever:
    def __init__(self, index: BuiltIndex) -> None:
        self.index = index
        self.alike = Homophones(index.table)

    def __len__(self) -> int:
        return len(self.index.texts)

    def search(self, question: str, k: int, owner: Mapping[str, tuple[str, ...]], threshold: float,
               semantic: Sequence[int] = ()) -> list[tuple[int, float]]:
        """(position, fused score) of the passages that answer ``question``, best first; [] when none does.
        ``owner``: the owner's synonyms; ``threshold``: the confidence the best passages need; ``semantic``:
        an embedding model's ranking, fused with the others."""
        ix = self.index
        if not ix.texts or k <= 0:
            return []
        text = _ONCE.sub("", normalize(question))
        text = _BRAND.sub("iphone ", text) + (" 苹果" if _BRAND.search(text) else "")
        ask = table_ask(text)
        text = ask.rest if ask.active else text
        extra = " ".join(w for word, forms in owner.items() if word in text for w in forms)
        query = f"{text} {extra} {synonym_text(text, RANKING_SYNONYMS)}"
        asked = [q for q in quantities(text) if q.low == q.high]
        rankings = {
            "chars": _ranked(ix.chars.scores(char_terms(query))),
            "words": _ranked(ix.words.scores(word_terms(query))),
            "codes": _ranked(ix.codes.scores(code_terms(query))),
            "sounds": _ranked(ix.sounds.scores(pinyin_terms(query, ix.table, ix.known))),
        }
        if asked:
            base = ix.chars.scores(char_terms(query)) + ix.words.scores(word_terms(query)) + 1e-3
            holds = np.array([holding(asked, list(h)) for h in ix.held])
            rankings["quantity"] = _ranked(holds * base)
        if len(semantic):
            rankings["semantic"] = np.asarray(semantic[:CANDIDATES])
        fused: dict[int, float] = {}
        for name, ranking in rankings.items():
            for rank, pos in enumerate(ranking.tolist(), 1):
                fused[pos] = fused.get(pos, 0.0) + WEIGHTS[name] / (RRF_K + rank)
        best = _distinct(sorted(fused.items(), key=lambda item: (-item[1], item[0])), ix.rows)
        if not best:
            return []
        read = read_question(text, ix.chars, ix.codes, ix.table, ix.known, self.alike, ix.sounds, owner)
        if read.unknown_code:
            return []
        judged = {pos: confidence(read, asked, ix.held[pos], ix.texts[pos], ix.table)
                  for pos, _ in best[:max(JUDGED, k)]}
        # A thing or a quantity the question names that none of them holds (38度5 where no passage says it)
        lacking = missing_thing(read, [ix.texts[p] for p in judged], ix.table) \
            or bool(asked) and not any(holding([q], list(ix.held[p])) for q in asked for p in judged)
        bar = threshold + MISSING_THING if lacking else threshold
        if max(judged.values()) < bar:
            return []
        # Each passage returned holds some of the question itself: a neighbour in the ranking that holds
        # none of it (SJ-0415 for a question about SJ-0412) is left out.
        top = best[0][1]
        wants = intent(text)
        kept = sorted(((pos, score / top + RERANK * judged[pos] + STATES * self._states(pos, wants)
                        + KIND * self._kind(pos, wants) + NAMED * self._named(pos, read, wants))
                       for pos, score in best[:max(JUDGED, k)] if judged[pos] >= threshold * KEEP),
                      key=lambda item: (-item[1], item[0]))
        if ask.active:
            kept = self._table_rows(ask, read, best) + kept
        return _distinct(kept, ix.rows)[:k]

    def _states(self, pos: int, wants: Intent) -> int:
        """How many of the things the question asks a passage states: a quantity of an asked dimension, the
        stock, a number of an asked measure (2段 for 几段)."""
        ix = self.index
        dimensions = {q.dimension for q in ix.held[pos]} & wants.dimensions
        return len(dimensions) + (wants.stock and bool(_STOCK_FIELD.search(ix.rows[pos]))) + stated(wants, ix.texts[pos])

    def _named(self, pos: int, read: Question, wants: Intent) -> float:
        """How much of what the question names a row's name cell holds, unless it asks a rule or why."""
        return 0.0 if wants.rule or wants.explain else named(read, self.index.rows[pos], self.index.table)

    def _kind(self, pos: int, wants: Intent) -> bool:
        """Whether a passage is the kind that answers the question: a table row for a question about a
        product (a gift set's row only when a set is asked for: 明前龙井礼盒 holds 明前龙井 but is not its
        price), prose for an explanation."""
        row = self.index.rows[pos]
        if wants.product and row:
            return wants.bundle or not _BUNDLE.search(name_cell(row))
        return wants.explain and not row

    def _table_rows(self, ask: TableAsk, read: Question, best: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The rows of the sheet the question concerns (the best-ranked row's sheet) that hold what the
        question names (盖碗 in 「最便宜的盖碗」), filtered and sorted as asked, ahead of the ranking."""
        ix = self.index
        rows = [(pos, score) for pos, score in best if ix.sheets[pos] and FIELD.search(ix.rows[pos])]
        if not rows:
            return []
        top, top_score = rows[0]

        def holds(concept: Concept, pos: int) -> bool:  # by its forms or its sound (账篷 for 帐篷)
            sound = " ".join(spell(ix.texts[pos], ix.table)) if concept.sound else ""
            return cover(concept, ix.texts[pos], sound) >= ANCHOR

        named = [c for c in read.concepts if c.strong and holds(c, top)]
        same = [(pos, ix.rows[pos]) for pos, sheet in enumerate(ix.sheets)
                if sheet == ix.sheets[top] and all(holds(c, pos) for c in named)]
        chosen = answer_rows(ask, same)
        if ask.measure:  # 最轻的帐篷: the rows that state a weight, lightest first
            sizes = {pos: next((q.low for q in ix.held[pos] if q.dimension in ask.measure), None) for pos in chosen}
            chosen = sorted((pos for pos in chosen if sizes[pos] is not None),
                            key=lambda pos: -(sizes[pos] or 0.0) if ask.order == Order.MOST else (sizes[pos] or 0.0))
        return [(pos, top_score + 1.0 - i * 1e-3) for i, pos in enumerate(chosen)]
