"""FAQ / keyword rules that answer at once without the model (the article's 常见问题即时响应)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FaqRule:
    match: str  # "exact" | "contains" | "regex"
    pattern: str
    answer: str

    def hits(self, text: str) -> bool:
        if self.match == "exact":
            return _norm(text) == _norm(self.pattern)
        if self.match == "regex":
            return re.search(self.pattern, text) is not None
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
