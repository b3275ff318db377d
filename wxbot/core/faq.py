"""FAQ / keyword rules that answer at once without the model (the article's 常见问题即时响应). Regex rules run on
the ``regex`` engine with a timeout, so no pattern and no message can pin the CPU or block the replies."""

from __future__ import annotations

from dataclasses import dataclass

import regex
from loguru import logger

from wxbot.validation import FAQ_REGEX_TIMEOUT


@dataclass(frozen=True)
class FaqRule:
    match: str  # "exact" | "contains" | "regex"
    pattern: str
    answer: str

    def hits(self, text: str) -> bool:
        if self.match == "exact":
            return _norm(text) == _norm(self.pattern)
        if self.match == "regex":
            try:
                return regex.search(self.pattern, text, timeout=FAQ_REGEX_TIMEOUT) is not None
            except TimeoutError:  # too slow on this message: no match, the model answers instead
                logger.warning("FAQ regex rule timed out on a {}-character message; skipped", len(text))
                return False
        return _norm(self.pattern) in _norm(text)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class FaqMatcher:
    """First matching rule wins, in the owner's order."""

    def __init__(self, rules: list[dict]) -> None:
        self.rules = [FaqRule(r.get("match", "contains"), r["pattern"], r["answer"]) for r in rules]

    def answer(self, text: str) -> str | None:
        for rule in self.rules:
            if rule.hits(text):
                return rule.answer
        return None
