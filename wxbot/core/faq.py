"""FAQ rules: the owner's own answers, sent as written without the model (the article's 常见问题即时响应).

A rule is written as a few example customer questions and an answer, and scored by how alike the question is
to them (core/likeness.py), so the best rule wins, not the first in the list, and it is weighed against the
knowledge base's passages on the same scale (core/answering.py). The older kinds still work: exact text,
contains, and regex (run on the ``regex`` engine with a timeout, so no pattern and no message can pin the CPU)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex
from loguru import logger

from wxbot.core.likeness import ExampleIndex, Grams, bare, grams, likeness, normalize, same_text
from wxbot.messages import StrState
from wxbot.validation import FAQ_REGEX_TIMEOUT

INSTANT = 1.0  # a question that says what an example says (or an exact rule) is answered at once


class MatchKind(StrState):
    EXAMPLES = "examples"  # example customer questions, matched by likeness
    EXACT = "exact"  # the whole message, as written (spaces, case and punctuation aside)
    CONTAINS = "contains"  # the text appears in the message
    REGEX = "regex"  # a regular expression searches the message


@dataclass(frozen=True)
class FaqRule:
    kind: MatchKind
    answer: str
    examples: tuple[str, ...] = ()
    pattern: str = ""

    @classmethod
    def from_dict(cls, raw: dict) -> FaqRule:
        kind = MatchKind(raw.get("match", MatchKind.CONTAINS))
        return cls(kind, raw["answer"], tuple(raw.get("examples", ())), raw.get("pattern", ""))

    @property
    def said(self) -> str:
        """What the rule answers, as the owner wrote it (examples joined, or the pattern)."""
        return " | ".join(self.examples) if self.kind is MatchKind.EXAMPLES else self.pattern


@dataclass(frozen=True)
class RuleMatch:
    """One rule's answer to one question, with its score (0-1) and why: the example or text it matched."""

    number: int  # the rule's place in the owner's list, from 1
    rule: FaqRule
    score: float
    why: str

    @property
    def instant(self) -> bool:
        return self.score >= INSTANT


class FaqMatcher:
    """Ranks the owner's rules for a question; thread-safe (immutable after construction)."""

    def __init__(self, rules: Sequence[dict], min_similarity: float) -> None:
        self.rules = [FaqRule.from_dict(r) for r in rules]
        self.min_similarity = min_similarity
        self._index = ExampleIndex([rule.examples for rule in self.rules])
        self._said = {bare(e): i for i, rule in reversed(list(enumerate(self.rules))) for e in rule.examples
                      if bare(e)}  # an example's bare text -> the first rule that has it

    def rank(self, question: str) -> list[RuleMatch]:
        """Every rule scoring at least ``min_similarity``, best first (the owner's order among equals)."""
        q = grams(question)
        alike = self._index.scores(q)
        same = self._said.get(bare(question))
        found = []
        for i, rule in enumerate(self.rules):
            if rule.kind is MatchKind.EXAMPLES:
                match = self._examples_match(i, rule, question, same == i, alike.get(i))
            else:
                match = self._pattern_match(i, rule, question, q)
            if match is not None:
                found.append(match)
        return sorted(found, key=lambda m: -m.score)

    def _examples_match(self, i: int, rule: FaqRule, question: str, said: bool,
                        alike: tuple[float, int] | None) -> RuleMatch | None:
        if said:  # the question is one of the examples (spaces, width, case and punctuation aside)
            return RuleMatch(i + 1, rule, INSTANT, next(e for e in rule.examples if same_text(question, e)))
        if alike is None or alike[0] < self.min_similarity:
            return None
        return RuleMatch(i + 1, rule, alike[0], rule.examples[alike[1]])

    def _pattern_match(self, i: int, rule: FaqRule, question: str, q: Grams) -> RuleMatch | None:
        if rule.kind is MatchKind.EXACT:
            return RuleMatch(i + 1, rule, INSTANT, rule.pattern) if same_text(question, rule.pattern) else None
        matched = _pattern_hit(rule, question)
        if matched is None:
            return None
        # a hit always counts (as these rules always did); how much of the question it explains ranks it
        score = INSTANT if same_text(question, matched) else max(likeness(q, [grams(matched)]), self.min_similarity)
        return RuleMatch(i + 1, rule, score, matched)


def _pattern_hit(rule: FaqRule, text: str) -> str | None:
    """The text a contains or regex rule matched in the message, or None."""
    if rule.kind is MatchKind.CONTAINS:
        return rule.pattern if _squash(rule.pattern) in _squash(text) else None
    try:
        found = list(regex.finditer(rule.pattern, text, timeout=FAQ_REGEX_TIMEOUT))
    except TimeoutError:  # too slow on this message: no match, the model answers instead
        logger.warning("FAQ regex rule timed out on a {}-character message; skipped", len(text))
        return None
    return " ".join(g for m in found if (g := m.group())) if found else None


def _squash(text: str) -> str:
    return " ".join(normalize(text).split())
