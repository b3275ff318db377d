"""Whether the best passages answer the question at all, decided apart from ranking. The question is read as
concepts (its words, codes and quantities, each with the forms that satisfy it: synonyms, the owner's words,
its sound); each is weighted by how rare it is in the documents, and a word the documents lack weighs a little
more than the heaviest word they have. The confidence of a passage is the weighted share of concepts it holds;
under the threshold, search answers ``[]`` (「有奶茶吗」 in a baby shop, 「这个多少钱」 with no product named)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wxbot.kb.bm25 import TermIndex
from wxbot.kb.channels import cjk_runs, code_terms, phrase_words
from wxbot.kb.pinyin import PinyinTable, spell
from wxbot.kb.quantities import Quantity, holding
from wxbot.kb.synonyms import ATTRIBUTE_WORDS, NOISE, STOPWORDS, SYNONYMS

UNKNOWN_WEIGHT = 1.2  # a word no passage has, relative to the question's heaviest known word
SINGLE_WEIGHT = 0.5  # a one-character word: a product noun (壳, 线, 膜) but weak evidence alone
SOUND_COVER = 0.9  # a word found only by its sound (a homophone typo)
PART_COVER = 0.8  # scale of a long word's share of character pairs found
_SKU = re.compile(r"^(?=.*[a-z])(?=.*\d)[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_ASCII = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*(?: [a-z0-9]+(?:[-_.][a-z0-9]+)*)*")


@dataclass(frozen=True)
class Concept:
    word: str
    forms: tuple[str, ...]  # any of these in a passage satisfies it
    weight: float
    strong: bool  # holding it whole is evidence of relevance (a single character or a number is not)
    sound: str = ""  # its syllables, "tie guan yin" (Chinese words of 2+ characters)


@dataclass(frozen=True)
class Question:
    concepts: tuple[Concept, ...]
    quantities: tuple[Quantity, ...]
    unknown_code: bool  # names a product code no document has: nothing answers it


def _pairs(word: str) -> list[str]:
    return [word[i:i + 2] for i in range(len(word) - 1)] or [word]


def read_question(text: str, chars: TermIndex, codes: TermIndex, table: PinyinTable,
                  sounds: TermIndex, owner: Mapping[str, tuple[str, ...]]) -> Question:
    """The concepts of a normalized question, weighted against the documents' character-pair index."""
    raw: list[tuple[str, tuple[str, ...], bool]] = []  # (word, forms, strong)
    for word, forms in owner.items():
        if word in text:
            raw.append((word, forms, True))
            text = text.replace(word, " ")
    unknown_code = False
    for m in _ASCII.finditer(text):
        phrase = m.group()
        joined = re.sub(r"[-_ ]", "", phrase)
        if joined in STOPWORDS or not joined:
            continue
        if _SKU.match(phrase) and not codes.df(joined):
            unknown_code = True
        number = joined.replace(".", "").isdigit()
        raw.append((joined, (joined, *(t for t in code_terms(phrase) if len(t) > 2)), not number))
    text = NOISE.sub(" ", text)
    for run in cjk_runs(text):
        for word, forms in phrase_words(run, SYNONYMS):
            if word in STOPWORDS or word in ATTRIBUTE_WORDS:
                continue
            raw.append((word, forms, len(word) > 1))
    concepts = []
    known_weights = []
    pending = []
    for word, forms, strong in raw:
        if word.isascii():
            df = codes.df(word)
            weight = codes.idf(word) if df else 0.0
        else:
            found = [chars.idf(p) for form in forms for p in _pairs(form) if chars.df(p)]
            whole = any(all(chars.df(p) for p in _pairs(form)) for form in forms)
            sound = " ".join(spell(word, table))
            heard = len(word) > 1 and all(sounds.df(f"{a}_{b}") for a, b in zip(sound.split(), sound.split()[1:],
                                                                                strict=False))
            weight = max(found) if found and (whole or heard or len(word) > 2) else 0.0
        scale = 1.0 if strong else SINGLE_WEIGHT
        if weight:
            known_weights.append(weight)
            concepts.append(Concept(word, forms, weight * scale, strong, " ".join(spell(word, table))))
        else:
            pending.append((word, forms, strong, scale))
    ceiling = max(known_weights, default=chars.idf("\0"))
    concepts += [Concept(w, f, ceiling * UNKNOWN_WEIGHT * s, st) for w, f, st, s in pending]
    return Question(tuple(concepts), (), unknown_code)


def cover(concept: Concept, text: str, sound: str) -> float:
    """How much of ``concept`` a passage (normalized text, its syllables) holds, 0..1."""
    if any(form in text for form in concept.forms):
        return 1.0
    if concept.sound and len(concept.word) > 1 and concept.sound in sound:
        return SOUND_COVER
    if len(concept.word) > 2 and not concept.word.isascii():
        pairs = _pairs(concept.word)
        return PART_COVER * sum(p in text for p in pairs) / len(pairs)
    return 0.0


def confidence(question: Question, asked: Sequence[Quantity], held: Sequence[Quantity], text: str,
               table: PinyinTable) -> float:
    """The weighted share of the question a passage holds; 0 when it holds no strong concept whole."""
    total = sum(c.weight for c in question.concepts)
    sound = " ".join(spell(text, table)) if any(c.sound for c in question.concepts) else ""
    got = 0.0
    anchored = False
    for concept in question.concepts:
        share = cover(concept, text, sound)
        got += concept.weight * share
        anchored |= concept.strong and share >= SOUND_COVER
    if asked:
        weight = max((c.weight for c in question.concepts), default=1.0)
        total += weight
        if holding(list(asked), list(held)):
            got += weight
            anchored = True
    return got / total if total and anchored else 0.0
