"""Knowledge gaps (知识缺口): the customers' questions the bot could not answer by itself — they got the fallback
text, became drafts because the bot was unsure (no passage, or the guard stopped the reply), or the owner
corrected or rejected the draft — grouped by similarity, most frequent first, so the owner answers each once (kept as an FAQ rule or a
knowledge-base note through the same call as #faq N) and the bot answers it from then on.

A gap the owner answered is closed by its questions' normalised text (kept sealed with the personal settings):
the same question never shows again, and the bot answers it from the rule or the note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wxbot.core.resolution import Row, courtesy_only
from wxbot.messages import StrState

SIMILAR = 0.5  # character-bigram overlap (Jaccard) from which two questions are one gap
ANSWERED_KEY = "gaps_answered"  # personal setting: the normalised questions of gaps the owner answered


class GapWhy(StrState):
    FALLBACK = "fallback"  # the knowledge base had no passage: the fallback text went out
    DRAFTED = "drafted"  # held as a draft (a holding line may have gone out)
    CORRECTED = "corrected"  # the owner rewrote the draft before sending it
    REJECTED = "rejected"  # the owner rejected the draft


@dataclass
class Gap:
    question: str  # the most recent wording, shown and kept as the rule's example question
    count: int = 0
    whys: set[GapWhy] = field(default_factory=set)
    questions: list[str] = field(default_factory=list)  # every wording, newest first
    last: float = 0.0
    _grams: set[str] = field(default_factory=set, repr=False)


def normalised(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _bigrams(text: str) -> set[str]:
    norm = normalised(text)
    return {norm[i:i + 2] for i in range(len(norm) - 1)} or {norm}


def _similar(a: set[str], b: set[str]) -> bool:
    return len(a & b) / len(a | b) >= SIMILAR if a | b else False


def _answer(rows: Sequence[Row], i: int) -> Row | None:
    """The first message to the same contact after rows[i] (rows are per contact, in time order)."""
    for row in rows[i + 1:]:
        if row.contact_id != rows[i].contact_id:
            return None
        if row.direction == "out":
            return row
    return None


def gap_questions(rows: Sequence[Row], corrected: set[str], rejected: set[str],
                  unsure: set[str]) -> list[tuple[Row, GapWhy]]:
    """Each customer question (per contact, in time order) the bot could not answer by itself, with why.
    ``corrected`` / ``rejected`` / ``unsure``: msg ids of the drafts the owner rewrote, rejected, or that were held
    because the bot was unsure (a draft-mode contact's ordinary draft is no gap: the owner reviews every reply)."""
    found: list[tuple[Row, GapWhy]] = []
    for i, row in enumerate(rows):
        if row.direction != "in" or not row.text.strip() or courtesy_only(row.text):
            continue
        msg_id = row.msg_id or ""
        answer = _answer(rows, i)
        if msg_id in corrected:
            found.append((row, GapWhy.CORRECTED))
        elif msg_id in rejected or row.reason == "draft_rejected":
            found.append((row, GapWhy.REJECTED))
        elif msg_id in unsure:  # its draft says so (the order of rows can't: a holding line and the customer's
            # next message may share a second, and WeChat's CreateTime has no finer grain)
            found.append((row, GapWhy.DRAFTED))
        elif answer is not None and answer.source == "kb_fallback":
            found.append((row, GapWhy.FALLBACK))
    return found


def group_gaps(found: Iterable[tuple[Row, GapWhy]], answered: set[str]) -> list[Gap]:
    """Similar questions as one gap, most frequent first (then the most recent); answered ones left out."""
    gaps: list[Gap] = []
    for row, why in sorted(found, key=lambda f: -f[0].time):
        if normalised(row.text) in answered:
            continue
        grams = _bigrams(row.text)
        gap = next((g for g in gaps if _similar(grams, g._grams)), None)
        if gap is None:
            gap = Gap(row.text.strip(), last=row.time, _grams=grams)
            gaps.append(gap)
        gap.count += 1
        gap.whys.add(why)
        gap.questions.append(row.text.strip())
    return sorted(gaps, key=lambda g: (-g.count, -g.last))
