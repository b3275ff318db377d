"""How the knowledge base turns text into search terms: NFKC (full-width ＳＪ－０４１２ becomes sj-0412), product
codes joined across separators (SJ-0412 = sj0412), jieba words plus character pairs for Chinese (a two-character
word such as 退货 is always a pair), and, for questions, the synonym table of synonyms.py."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import rjieba

from wxbot.kb.synonyms import ATTRIBUTES, NOISE, STOPWORDS, SYNONYMS, TRIGGERS

# An ASCII run: letters/digits joined by - or _ (codes), or by a dot between digits (3.5, 168.00).
_TOKEN = re.compile(r"(?P<code>[a-z0-9]+(?:(?:[-_]|(?<=\d)\.(?=\d))[a-z0-9]+)*)|(?P<cjk>[\u3400-\u9fff\uf900-\ufaff]+)")
_PARTS = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and dashes become ASCII) and case folding."""
    return unicodedata.normalize("NFKC", text).casefold().replace("—", "-")


def pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


@functools.lru_cache(maxsize=1 << 16)
def _code_terms(code: str) -> tuple[str, ...]:
    """sj-0412 -> sj0412 (the joined form), sj, 0412; 3.5 -> 3.5."""
    joined = code.replace("-", "").replace("_", "")
    parts = _PARTS.findall(code)
    return (joined, *(p for p in parts if p != joined))


@functools.lru_cache(maxsize=1 << 16)
def _run_terms(run: str) -> tuple[str, ...]:
    """A Chinese run's terms: jieba's words (besides pairs) and every character pair. Cached: a sheet's column
    names recur in every row."""
    words = [w for w in rjieba.cut_for_search(run) if len(w) != 2 and w not in STOPWORDS]
    return (*words, *(p for p in pairs(run) if p not in STOPWORDS))


def index_terms(text: str) -> list[str]:
    """Every term a passage is found by (with repeats, for term frequency)."""
    out: list[str] = []
    for m in _TOKEN.finditer(normalize(text)):
        code = m.group("code")
        out.extend(_code_terms(code) if code else _run_terms(m.group("cjk")))
    return out


@dataclass(frozen=True)
class TermGroup:
    """One thing the question asks about: matched when a passage holds any of ``terms``, or partly by the
    share of ``parts`` (a long word's character pairs, as a passage segmented differently holds them)."""

    terms: tuple[str, ...]
    parts: tuple[str, ...] = ()
    broad: bool = False  # a synonym group: a concept as broad as its commonest word
    weak: bool = False  # a single character or a short number: helps ranking, not evidence of relevance
    code: bool = False  # a product code: an exact identifier weighs double
    run: int = -1  # the Chinese run (between punctuation, codes and synonyms) the word came from, in order


def word_group(word: str, run: int = -1) -> TermGroup:
    return TermGroup((word,), tuple(pairs(word)) if len(word) > 2 else (), weak=len(word) == 1, run=run)


def _cjk_groups(run: str, number: int) -> list[TermGroup]:
    """jieba's words minus stopwords; a lone character joins the word before it (羊毛 + 袜 = 羊毛袜), or at
    the start of a run the word after it (羊 + 驼毛 = 羊驼毛)."""
    words: list[str] = []
    joinable = False
    lone_start = ""
    for word in rjieba.cut(run):
        if word in STOPWORDS:
            joinable = False
            if lone_start:
                words.append(lone_start)
                lone_start = ""
            continue
        if len(word) == 1 and joinable:
            words[-1] += word
        elif len(word) == 1 and not words and not lone_start:
            lone_start = word
            continue
        else:
            words.append(lone_start + word)
            lone_start = ""
        joinable = len(word) > 1
    if lone_start:
        words.append(lone_start)
    return [word_group(w, number) for w in words]


def query_groups(question: str) -> list[TermGroup]:
    """The question as term groups: synonym hits first, then the remaining words and codes."""
    text = NOISE.sub(" ", normalize(question))
    groups: list[TermGroup] = []
    for trigger in TRIGGERS:
        if trigger in text:
            groups.append(TermGroup(SYNONYMS[trigger], broad=True, weak=SYNONYMS[trigger] in ATTRIBUTES))
            text = text.replace(trigger, " ")
    for number, m in enumerate(_TOKEN.finditer(text)):
        code = m.group("code")
        if code is None:
            groups.extend(_cjk_groups(m.group("cjk"), number))
        elif code not in STOPWORDS:
            number = code.replace(".", "").isdigit()
            groups.append(TermGroup((_code_terms(code)[0],), weak=number and len(code) <= 2, code=not number))
    unique: dict[tuple[str, ...], TermGroup] = {}
    for group in groups:
        unique.setdefault(group.terms, group)
    return list(unique.values())
