"""The owner's own synonyms: groups of words that mean the same thing in this shop (its product nicknames,
its abbreviations: 小白 = 白毫银针, 尿不湿 = 纸尿裤). Such words are the owner's data, never code; they are kept
sealed in the store (a personal value) and edited with ``wxbot kb synonyms`` or on the 知识库 page."""

from __future__ import annotations

from collections.abc import Sequence

from wxbot.errors import KnowledgeError
from wxbot.kb.normal import normalize
from wxbot.store import Store

KEY = "kb_synonyms"
MAX_WORD = 30  # characters in one word
MAX_GROUPS = 2000


def load(store: Store) -> list[tuple[str, ...]]:
    return [tuple(group) for group in store.get_personal(KEY, [])]


def save(store: Store, groups: Sequence[tuple[str, ...]]) -> None:
    store.set_personal(KEY, [list(group) for group in groups])


def added(groups: list[tuple[str, ...]], words: Sequence[str]) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """``groups`` with ``words`` added as one group, merged with every group that shares a word."""
    new = tuple(dict.fromkeys(w.strip() for w in words if w.strip()))
    if len(new) < 2:
        raise KnowledgeError("同义词至少要两个词，例如：尿不湿 纸尿裤", "a synonym group needs at least two words")
    if any(len(w) > MAX_WORD for w in new):
        raise KnowledgeError(f"每个词最多 {MAX_WORD} 个字", f"a word may have at most {MAX_WORD} characters")
    merged = list(new)
    kept = []
    for group in groups:
        if set(group) & set(new):
            merged += [w for w in group if w not in merged]
        else:
            kept.append(group)
    if len(kept) >= MAX_GROUPS:
        raise KnowledgeError(f"同义词最多 {MAX_GROUPS} 组", f"at most {MAX_GROUPS} synonym groups")
    return [*kept, tuple(merged)], tuple(merged)


def lookup(groups: Sequence[tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each word (normalized) -> its whole group (normalized), longest words first so they match first."""
    out: dict[str, tuple[str, ...]] = {}
    for group in groups:
        forms = tuple(dict.fromkeys(normalize(w) for w in group))
        for word in forms:
            out[word] = forms
    return dict(sorted(out.items(), key=lambda item: -len(item[0])))
