"""How much of a customer's question a short text explains, for FAQ rules written as example questions and for
weighing a rule against knowledge-base passages on one scale. Weighted character n-grams: robust to word order,
segmentation, typos in one character and extra words, and free of any shop's vocabulary. Only general language
weighs less: particles and the frame words every question has (什么时候, 怎么, 多少, 请问, can you…)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Chinese particles and pronouns, and the interrogative frames around what a question is about.
_PARTICLES = frozenset("的了吗呢吧啊呀嘛哦哈么嗯呐哇")
_FRAMES_ZH = ("什么时候", "为什么", "怎么样", "能不能", "可不可以", "是不是", "有没有", "要不要", "什么", "怎么",
              "怎样", "多少", "哪里", "哪儿", "哪个", "几时", "请问", "一下", "可以", "我们", "你们", "我的", "这个",
              "那个", "这边", "那边", "就是", "还是", "一个", "今天", "明天", "现在", "你", "我", "您", "他", "她", "它", "这", "那", "是")
_FRAMES_EN = frozenset("a an the is are am be do does did you your i me my we our it its this that to of for in on "
                       "and or can could would will please what how when where which who there any".split())
_FRAME = re.compile("|".join(sorted(_FRAMES_ZH, key=len, reverse=True)))
# A unit: an ASCII word (letters/digits, with - or _ inside, as product codes are written) or one character.
_UNIT = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*|[^\W_]", re.UNICODE)
_CLAUSE = re.compile(r"[\s,.!?;:，。！？；：、~～…()（）\[\]【】「」『』\"'“”‘’/\\|｜]+")

CONTENT_CHAR, FRAME_CHAR, WORD = 0.5, 0.1, 1.5  # weights of one unit
PAIR, HALF_PAIR, FRAME_PAIR = 1.0, 0.4, 0.15  # weights of two adjacent units: content, one frame, both frame


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and case folding: 「Ｈｅｌｌｏ」 is 「hello」."""
    return unicodedata.normalize("NFKC", text).casefold()


def bare(text: str) -> str:
    """The text without width, case, spaces and punctuation: what two texts that say the same share."""
    return _CLAUSE.sub("", normalize(text))


def same_text(a: str, b: str) -> bool:
    """Equal once width, case, spaces and punctuation are set aside (「你好！」 = 「你好」)."""
    return bare(a) == bare(b)


@dataclass(frozen=True)
class Grams:
    """A text's weighted n-grams: each unit (character or ASCII word) and each pair of neighbours in a clause."""

    weights: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def share_in(self, other: Iterable[str]) -> float:
        """The weighted share of these grams that ``other`` holds (0 for an empty text)."""
        total = self.total
        if total <= 0:
            return 0.0
        have = other if isinstance(other, (set, frozenset, dict)) else set(other)
        return sum(w for g, w in self.weights.items() if g in have) / total


def grams(text: str) -> Grams:
    weights: dict[str, float] = {}
    for clause in _CLAUSE.split(normalize(text)):
        units = [m.group().replace("-", "").replace("_", "") for m in _UNIT.finditer(clause)]
        frame = _frame_marks(clause, units)
        for i, unit in enumerate(units):
            if len(unit) > 1 or unit.isascii():
                w = FRAME_CHAR if unit in _FRAMES_EN else WORD
            else:
                w = FRAME_CHAR if frame[i] else CONTENT_CHAR
            weights[unit] = max(weights.get(unit, 0.0), w)
            if i:
                pair = units[i - 1] + "\u0001" + unit
                both = (frame[i - 1] or units[i - 1] in _FRAMES_EN) + (frame[i] or unit in _FRAMES_EN)
                w = (PAIR, HALF_PAIR, FRAME_PAIR)[both]
                weights[pair] = max(weights.get(pair, 0.0), w)
    return Grams(weights)


def _frame_marks(clause: str, units: list[str]) -> list[bool]:
    """Per unit: is it a particle or inside a frame word? (Frames are found in the clause's Chinese characters.)"""
    marks = [False] * len(units)
    chars = [u if len(u) == 1 and not u.isascii() else "\u0000" for u in units]
    joined = "".join(chars)
    for m in _FRAME.finditer(joined):
        for i in range(m.start(), m.end()):
            marks[i] = True
    for i, ch in enumerate(chars):
        if ch in _PARTICLES:
            marks[i] = True
    return marks


def coverage(question: Grams, text: str) -> float:
    """How much of the question ``text`` holds (weighted share of its n-grams): a passage's match."""
    return question.share_in(grams(text).weights)


def likeness(question: Grams, examples: list[Grams]) -> float:
    """How well a group of example questions matches: the F-measure of how much of the question the examples
    hold together (recall) and how much of the closest example the question holds (precision). 1.0 when the
    question says what one example says, however punctuated; low for a group that only shares one word."""
    if not examples or question.total <= 0:
        return 0.0
    held: set[str] = set()
    for e in examples:
        held.update(e.weights)
    return _f(question.share_in(held), max(e.share_in(question.weights) for e in examples))


def _f(recall: float, precision: float) -> float:
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


class ExampleIndex:
    """``likeness`` for many groups of examples at once (an owner's FAQ rules), through an inverted index of their
    n-grams: a question costs what its own n-grams occur in, not a pass over every example."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._postings: dict[str, list[tuple[int, int, float]]] = defaultdict(list)  # gram -> (group, example, w)
        self._totals: list[list[float]] = []
        for g, texts in enumerate(groups):
            self._totals.append([])
            for e, text in enumerate(texts):
                example = grams(text)
                self._totals[g].append(example.total)
                for gram, w in example.weights.items():
                    self._postings[gram].append((g, e, w))

    def scores(self, question: Grams) -> dict[int, tuple[float, int]]:
        """Per group sharing an n-gram with the question: (likeness, the index of its closest example)."""
        total = question.total
        if total <= 0:
            return {}
        held: dict[int, float] = defaultdict(float)  # group -> the question's weight its examples hold
        found: dict[tuple[int, int], float] = defaultdict(float)  # (group, example) -> its weight in the question
        for gram, wq in question.weights.items():
            groups = set()
            for g, e, w in self._postings.get(gram, ()):
                found[g, e] += w
                groups.add(g)
            for g in groups:
                held[g] += wq
        best: dict[int, tuple[float, int]] = {}
        for (g, e), w in found.items():
            share = w / self._totals[g][e] if self._totals[g][e] > 0 else 0.0
            if g not in best or share > best[g][0]:
                best[g] = (share, e)
        return {g: (_f(held[g] / total, share), e) for g, (share, e) in best.items()}
