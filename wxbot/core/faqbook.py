"""The owner's FAQ rules are one list that several places write: Settings → 常见问题, and a draft's correction
kept from the Drafts page (存为常见问题) or with ``#faq N``. How a kept question becomes a rule, and how a
Settings save merges with the rules kept while the form was open, so that no save drops the owner's work."""

from __future__ import annotations

from collections.abc import Sequence


def kept_rule(question: str, answer: str) -> dict:
    """A corrected draft as a rule: the customer's question is its first example, the owner's words its answer."""
    return {"match": "examples", "examples": [question.strip()], "answer": answer}


def with_rule(rules: Sequence[dict], rule: dict) -> list[dict]:
    """``rule`` first (it wins over the rule that made the draft wrong), replacing a rule for the same question."""
    same = {k: rule.get(k) for k in ("match", "examples", "pattern")}
    return [rule, *(r for r in rules if {k: r.get(k) for k in same} != same)]


def merge_rules(loaded: Sequence[dict], edited: Sequence[dict], current: Sequence[dict]) -> list[dict]:
    """The rules a Settings save leaves: the form's ``edited`` list, after every rule another path added to
    ``current`` since the form ``loaded`` its list (first, as kept rules go). A rule the form removed stays
    removed; one the form left as loaded but another path replaced meanwhile gives way to the replacement."""
    added = [r for r in current if r not in loaded and r not in edited]
    kept = [r for r in edited if r in current or r not in loaded]
    return [*added, *kept]
