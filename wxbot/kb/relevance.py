"""Whether the best passages answer the question at all, decided apart from ranking. The question is read as
concepts (its words, codes and quantities, each with the forms that satisfy it: synonyms, the owner's words,
its sound); each is weighted by how rare it is in the documents, and a word the documents lack weighs a little
more than the heaviest word they have. The confidence of a passage is the weighted share of concepts it holds;
under the threshold, search answers ``[]`` (「有奶茶吗」 in a baby shop, 「这个多少钱」 with no product named)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import rjieba

from wxbot.kb.bm25 import TermIndex
from wxbot.kb.channels import END, cjk_runs, code_terms, phrase_words
from wxbot.kb.pinyin import PinyinTable, spell, split_pinyin
from wxbot.kb.quantities import Quantity, holding, without_quantities
from wxbot.kb.synonyms import (
    ATTRIBUTE_WORDS,
    FUNCTION_CHARS,
    NOISE,
    PEOPLE,
    PLACES,
    STOPWORDS,
    SYNONYMS,
    TIMES,
)
from wxbot.kb.tablequery import name_cell

UNKNOWN_WEIGHT = 1.25  # a noun no passage has (the question is about something else), relative to the
# question's heaviest known word; any other word no passage has (带上, 今天, 开车) is incidental wording
UNKNOWN_OTHER = 0.3
SINGLE_WEIGHT = 0.5  # a one-character word: a product noun (壳, 线, 膜) but weak evidence alone
SOUND_COVER = 0.9  # a word found only by its sound (a homophone typo)
PART_COVER = 0.8
CODE_PART_COVER = 0.35  # a code's parts without the whole (pro of 16pro): some evidence, never an anchor
ANCHOR = 0.4  # a passage must hold this much of one strong concept: a shared character is no evidence  # scale of a long word's share of character pairs found
_SKU = re.compile(r"^(?=.*[a-z])(?=.*\d)[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_ASCII = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*(?: [a-z0-9]+(?:[-_.][a-z0-9]+)*)*")


@dataclass(frozen=True)
class Concept:
    word: str
    thing: bool  # names a thing (a noun, a code, a synonym phrase): what the question is about
    forms: tuple[str, ...]  # any of these in a passage satisfies it
    weight: float
    strong: bool  # holding it whole is evidence of relevance (a single character or a number is not)
    sound: str = ""  # its syllables, "tie guan yin" (Chinese words of 2+ characters)
    place: bool = False  # a place name: where, not what; holding it alone is no evidence
    code: bool = False  # a code, model name or number: held as a whole code term (16pro in "iphone 16 pro",
    # not "pro" in "小米15 pro"; 2 in "2段", not in "328"); its other forms are its parts


@dataclass(frozen=True)
class Question:
    concepts: tuple[Concept, ...]
    quantities: tuple[Quantity, ...]
    unknown_code: bool  # names a product code no document has: nothing answers it


def _pairs(word: str) -> list[str]:
    return [word[i:i + 2] for i in range(len(word) - 1)] or [word]


_THINGS = ("syn", "l", "vn", "b", "eng")  # parts of speech that name a thing (jieba's tags)


def _merge_singles(words: list[tuple[str, tuple[str, ...], str]]) -> list[tuple[str, tuple[str, ...], str]]:
    """Neighbouring one-character words as one word: jieba cuts a word its dictionary lacks into characters
    (花 + 呗 = 花呗, a payment name)."""
    out: list[tuple[str, tuple[str, ...], str]] = []
    for word, forms, tag in words:
        if out and len(word) == 1 and len(forms) == 1 and len(out[-1][1]) == 1 and len(out[-1][0]) == 1 \
                and word not in FUNCTION_CHARS and out[-1][0] not in FUNCTION_CHARS:
            merged = out[-1][0] + word
            out[-1] = (merged, (merged,), "nm" if tag[:1] == "n" else "merged")  # 月 + 嫂: a noun jieba lacks
        else:
            out.append((word, forms, tag))
    return out


def _resplit(words: list[tuple[str, tuple[str, ...], str]], chars: TermIndex) -> list[tuple[str, tuple[str, ...], str]]:
    """A two-character guess of jieba's that is no word (充电 + 宝用) gives its first character back to the word
    before it when the documents write them together (充电宝 + 用)."""
    out: list[tuple[str, tuple[str, ...], str]] = []
    for word, forms, tag in words:
        if out and len(word) == 2 and len(forms) == 1 and not rjieba.has_word(word) and len(out[-1][1]) == 1 \
                and len(out[-1][0]) > 1 and all(chars.df(p) for p in _pairs(out[-1][0] + word[0])):
            out[-1] = (out[-1][0] + word[0], (out[-1][0] + word[0],), out[-1][2])
            word, forms, tag = word[1], (word[1],), "x"
        out.append((word, forms, tag))
    return out


def _spoken(word: str, codes: TermIndex, sounds: TermIndex, known: frozenset[str]) -> Concept | None:
    """An ASCII word that is no code of the documents but spells, in pinyin, syllables they hold in that order
    (shoumei for 寿眉, jinjunmei for 金骏眉): a name typed in pinyin, held by its sound."""
    heard = split_pinyin(word, known) if word.isalpha() and not codes.df(word) else None
    pairs = [f"{a}_{b}" for a, b in zip(heard, heard[1:], strict=False)] if heard else []
    if not pairs or not all(sounds.df(p) for p in pairs):
        return None
    return Concept(word, True, (word,), max(sounds.idf(p) for p in pairs), True, " ".join(heard or ()))


def _held(word: str, chars: TermIndex) -> bool:
    return all(chars.df(p) for p in _pairs(word))


def _documents_cut(words: list[tuple[str, tuple[str, ...], str]], chars: TermIndex) -> list[tuple[str, tuple[str, ...], str]]:
    """A stretch of words the documents lack (朱 / 泥石 / 瓢壶 for 朱泥石瓢壶) cut again where the documents' own
    character pairs break (朱泥 | 石瓢 | 壶): customers type together the names a document writes apart, and
    jieba, not knowing them, cuts them anywhere."""
    out: list[tuple[str, tuple[str, ...], str]] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j][1]) == 1 and words[j][0] not in STOPWORDS \
                and (len(words[j][0]) == 1 or not _held(words[j][0], chars)):
            j += 1
        stretch = "".join(w for w, _, _ in words[i:j])
        if j - i > 1 and any(len(w) > 1 for w, _, _ in words[i:j]):
            cuts = [0, *(k for k in range(1, len(stretch)) if not chars.df(stretch[k - 1:k + 1])), len(stretch)]
            pieces = [stretch[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
            if any(len(p) > 1 for p in pieces):
                out.extend((p, (p,), "n" if len(p) > 1 else "x") for p in pieces)
                i = j
                continue
        out.append(words[i])
        i += 1
    return out


def read_question(text: str, chars: TermIndex, codes: TermIndex, table: PinyinTable, known: frozenset[str],
                  alike: Mapping[str, str], sounds: TermIndex, owner: Mapping[str, tuple[str, ...]]) -> Question:
    """The concepts of a normalized question, weighted against the documents' character-pair index;
    ``known``: the pinyin syllables; ``alike``: the characters of each syllable."""
    raw: list[tuple[str, tuple[str, ...], bool, bool, int]] = []  # (word, forms, strong, names a thing, run)
    spoken: list[Concept] = []  # names typed in pinyin
    for word, forms in owner.items():
        if word in text:
            raw.append((word, forms, True, True, -1))
            text = text.replace(word, " ")
    unknown_code = False
    for m in _ASCII.finditer(without_quantities(text)):
        phrase = m.group()
        joined = re.sub(r"[-_ ]", "", phrase)
        if joined in STOPWORDS or not joined:
            continue
        if _SKU.match(phrase) and not codes.df(joined):
            unknown_code = True
        if said := _spoken(joined, codes, sounds, known):
            spoken.append(said)
            continue
        number = joined.replace(".", "").isdigit()  # a bare number: a size or a count, weak evidence alone
        parts = tuple(dict.fromkeys(t for t in code_terms(phrase.replace("-", " ").replace("_", " "))
                                    if t != joined and not t.endswith(END) and t.isalpha() != t.isdigit()))
        raw.append((joined, (joined, *parts), not number, not number, -2))
    text = NOISE.sub(" ", without_quantities(text))
    guessed: set[str] = set()  # jieba's guesses at words its dictionary lacks (钻毛, 试会 of 咋试会不会)
    for number, run in enumerate(cjk_runs(text)):
        for word, forms, tag in _merge_singles(_documents_cut(_resplit(phrase_words(run, SYNONYMS), chars), chars)):
            if len(forms) == 1 and word not in STOPWORDS and not all(chars.df(p) for p in _pairs(word)):
                word = word.strip(FUNCTION_CHARS)  # 我住 is 住, but 哈衣 is a word the documents hold
                forms = (word, *SYNONYMS.get(word, ()))  # 能寄到 is 寄到
                tag = "syn" if word in SYNONYMS else tag
            if not word or word in STOPWORDS or word in ATTRIBUTE_WORDS:
                continue
            if tag not in ("nm", "syn") and len(forms) == 1 and not rjieba.has_word(word):
                guessed.add(word)
            when = tag == "t" or word in TIMES  # a time (明天, 今年, 礼拜) says when, never what
            raw.append((word, forms, len(word) > 1 and not when,
                        (tag[:1] == "n" or tag in _THINGS) and word not in PEOPLE and not when, number))
    concepts: list[Concept] = list(spoken)
    pending: list[tuple[str, bool, tuple[str, ...], bool, float, int]] = []  # weighed once the heaviest known word is
    unknown_before = ""  # a noun the documents lack, right before this word in the same run
    for i, (word, forms, strong, thing, run) in enumerate(raw):
        before, unknown_before = unknown_before, ""
        if before and strong and thing and len(forms) == 1 and i and raw[i - 1][4] == run >= 0:
            # 羊驼毛 + 围巾: one name, which only a passage holding all of it answers (真丝围巾 does not)
            forms = (before + word,)
        if not strong and not word.isascii():  # a single character: weak, whatever the documents hold
            pending.append((word, False, forms, False, SINGLE_WEIGHT * UNKNOWN_OTHER, run))
            continue
        weight = _known_weight(word, forms, chars, codes, sounds, table, alike)
        if weight:
            concepts.append(Concept(word, thing, forms, weight * (1.0 if strong else SINGLE_WEIGHT), strong,
                                    " ".join(spell(word, table)), word in PLACES, run == -2))
        elif not word.isascii() and len(forms) == 1 and not thing and not rjieba.has_word(word):
            # jieba's guess at a word it doesn't know (膜贴, 宝用): its characters, each weak
            pending.extend((ch, False, (ch,), False, SINGLE_WEIGHT * UNKNOWN_OTHER, run) for ch in word
                           if ch not in FUNCTION_CHARS)
        else:
            # a noun the documents lack is what the question is about (奶茶, 月嫂), unless it is only jieba's
            # guess at a word (钻毛, 车充): then it is incidental wording like any other
            named_thing = thing and (word not in guessed or not strong)
            pending.append((word, named_thing, forms, strong, UNKNOWN_WEIGHT if named_thing else UNKNOWN_OTHER, run))
            unknown_before = word if strong and thing and len(forms) == 1 else ""
    ceiling = max((c.weight for c in concepts), default=chars.idf("\0"))
    concepts += [Concept(w, th, f, ceiling * scale, st, code=run == -2) for w, th, f, st, scale, run in pending]
    return Question(tuple(concepts), (), unknown_code)


def _one_homophone_off(word: str, chars: TermIndex, table: PinyinTable, alike: Mapping[str, str]) -> bool:
    """Whether the documents hold ``word`` with one character swapped for another of the same sound (帐篷 for
    账篷, a typo jieba's dictionary happens to list), not merely the same syllables (件费 for 减肥)."""
    for i, ch in enumerate(word):
        for other in alike.get(table.get(ch, ""), ""):
            if other != ch and all(chars.df(p) for p in _pairs(word[:i] + other + word[i + 1:])):
                return True
    return False


def _known_weight(word: str, forms: tuple[str, ...], chars: TermIndex, codes: TermIndex, sounds: TermIndex,
                  table: PinyinTable, alike: Mapping[str, str]) -> float:
    """A word's weight when the documents hold it (the idf of its rarest character pair, or of the code), or
    its sound (a homophone typo); 0 when they don't."""
    if word.isascii():
        return codes.idf(word) if codes.df(word) else 0.0
    found = [chars.idf(p) for form in forms for p in _pairs(form) if chars.df(p)]
    whole = any(all(chars.df(p) for p in _pairs(form)) for form in forms)
    sound = spell(word, table)
    pairs = [f"{a}_{b}" for a, b in zip(sound, sound[1:], strict=False)]
    heard = bool(pairs) and all(sounds.df(p) for p in pairs)
    if found and (whole or heard or len(word) > 2):
        return max(found)
    # Only its sound is there: a homophone typo, unless it is a real two-character word (减肥 is not 件费).
    typo = heard and (len(word) > 2 or not rjieba.has_word(word) or _one_homophone_off(word, chars, table, alike))
    return max(sounds.idf(p) for p in pairs) if typo else 0.0


@functools.lru_cache(maxsize=1 << 12)
def _codes(text: str) -> frozenset[str]:
    return frozenset(code_terms(text))


def cover(concept: Concept, text: str, sound: str) -> float:
    """How much of ``concept`` a passage (normalized text, its syllables) holds, 0..1."""
    if concept.code:
        held = _codes(text)
        if concept.word in held:
            return 1.0
        parts = concept.forms[1:]
        return CODE_PART_COVER * sum(p in held for p in parts) / len(parts) if parts else 0.0
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
        anchored |= concept.strong and not concept.place and share >= ANCHOR
    weight = max((c.weight for c in question.concepts), default=1.0)
    for quantity in asked:  # each quantity the question names (1米5, 240w) is a condition of its own
        total += weight
        held_as = holding([quantity], list(held))  # 2: the value or a closed range around it, 1: an open one
        if held_as:
            got += weight * held_as / 2
            anchored = True
    return got / total if total and anchored else 0.0


def missing_thing(question: Question, texts: Sequence[str], table: PinyinTable) -> bool:
    """Whether the question names a thing (a noun, a code) that none of ``texts`` holds even in part:
    then it is about something the documents lack (疫苗 beside 洗澡, 羊绒 beside 围巾)."""
    sounds = [" ".join(spell(t, table)) for t in texts]
    return any(c.thing and c.strong and all(cover(c, t, s) < ANCHOR for t, s in zip(texts, sounds, strict=True))
               for c in question.concepts)


def named(question: Question, row: str, table: PinyinTable) -> float:
    """The weighted share of the things the question names that a table row's name cell holds (品名: 宽口径硅胶奶嘴
    SS号 for 「新生儿奶嘴ss号」): the row is about them, not a row that only mentions one (a gift set holding it)."""
    name = name_cell(row)
    things = [c for c in question.concepts if c.thing and c.strong]
    total = sum(c.weight for c in things)
    if not name or not total:
        return 0.0
    sound = " ".join(spell(name, table)) if any(c.sound for c in things) else ""
    return sum(c.weight * cover(c, name, sound) for c in things) / total
