"""What the bot resolved, honestly (the Dashboard's resolution rate), after the definitions customer-service
copilots bill by (Intercom Fin: a confirmed or an assumed resolution after the assistant's answer; a greeting is
no answer):

- a *conversation* is one customer's turn: their messages up to the next message to them (the bot's or the
  owner's). A turn of greetings or thanks alone (你好, 谢谢, 好的) is no conversation and never counts;
- *confirmed*: the bot answered it (FAQ rule, knowledge base, model) and the customer's next turn is a thank-you
  or a confirmation alone;
- *assumed*: the bot answered it and the customer wrote nothing more within 24 hours;
- *not resolved*: handed to the owner, held as a draft, answered with the fallback text or a holding line, the
  owner wrote instead, the away message went, or the customer asked again within 24 hours;
- a turn the bot left unanswered for another reason (outside hours, a stop, the daily cap) is *missed*, counted
  with the missed messages, not here; one answered less than 24 hours ago with no reply yet is still *open*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Protocol

ASSUMED_AFTER_S = 24 * 3600
ANSWERS = frozenset({"faq", "kb", "model"})  # the bot's own answers; the rest of its replies answer nothing
# held for the owner, or handed over: never the bot's resolution
NOT_RESOLVED_REASONS = frozenset({"draft_rejected", "draft_expired", "waiting_for_owner", "takeover"})

_PUNCT = r"[\s,，.。!！~～?？、…😊🙏👍👌❤️]*"
_THANKS = re.compile(rf"^{_PUNCT}(?:(?:好的|好|嗯+|恩|行|可以|收到|明白了?|知道了?|了解了?|懂了|ok|okay|OK|"
                     rf"没问题|谢谢你?|谢谢啦|多谢|感谢|谢了|thanks?|thank you|thx|辛苦了|太好了|哦+|噢)"
                     rf"{_PUNCT})+$", re.IGNORECASE)
_GREETING = re.compile(rf"^{_PUNCT}(?:(?:你好|您好|hi|hello|hey|在吗|在不在|在么|哈喽|嗨|早上好|晚上好|下午好|"
                       rf"亲|老板|掌柜的?)(?:呀|啊|哈)?{_PUNCT})+$", re.IGNORECASE)


def courtesy_only(text: str) -> bool:
    """A greeting, a thank-you or a confirmation and nothing else."""
    return bool(_THANKS.match(text) or _GREETING.match(text))


def thanks_only(text: str) -> bool:
    return bool(_THANKS.match(text))


class Row(Protocol):
    """A stored message as this module reads it (wxbot.store.history.StoredMessage)."""

    @property
    def msg_id(self) -> str | None: ...
    @property
    def contact_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def time(self) -> float: ...
    @property
    def state(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def by_bot(self) -> bool: ...
    @property
    def source(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Resolution:
    confirmed: int = 0
    assumed: int = 0
    not_resolved: int = 0
    open: int = 0  # answered under 24 h ago, no word since: not counted yet

    @property
    def counted(self) -> int:
        return self.confirmed + self.assumed + self.not_resolved

    @property
    def rate(self) -> float | None:
        """Resolved (confirmed + assumed) of the conversations counted; None when none are."""
        return (self.confirmed + self.assumed) / self.counted if self.counted else None


@dataclass
class _Turn:
    asked: list[Row]
    answer: Row | None  # the first message to the customer after it


def _turns(rows: Sequence[Row]) -> list[_Turn]:
    turns: list[_Turn] = []
    asked: list[Row] = []
    for row in rows:
        if row.direction == "in":
            asked.append(row)
        elif asked:
            turns.append(_Turn(asked, row))
            asked = []
    if asked:
        turns.append(_Turn(asked, None))
    return turns


def _outcome(turn: _Turn, after: _Turn | None, now: float) -> str | None:
    """confirmed | assumed | not_resolved | open, or None (no conversation, or missed)."""
    if all(courtesy_only(m.text) for m in turn.asked):
        return None
    held = any(m.state == "drafted" or m.reason in NOT_RESOLVED_REASONS for m in turn.asked)
    answer = turn.answer
    if held or (answer is not None and (not answer.by_bot or answer.source not in ANSWERS)):
        return "not_resolved"
    if answer is None:
        return None  # missed (or still being answered)
    if after is None or after.asked[0].time - answer.time > ASSUMED_AFTER_S:
        return "assumed" if after is not None or now - answer.time >= ASSUMED_AFTER_S else "open"
    return "confirmed" if all(thanks_only(m.text) for m in after.asked) else "not_resolved"


def resolution(rows: Iterable[Row], now: float) -> Resolution:
    """Count the conversations in ``rows`` (per contact, in time order) as of ``now``."""
    counts = {"confirmed": 0, "assumed": 0, "not_resolved": 0, "open": 0}
    for _contact, group in groupby(rows, key=lambda r: r.contact_id):
        turns = _turns(list(group))
        for i, turn in enumerate(turns):
            outcome = _outcome(turn, turns[i + 1] if i + 1 < len(turns) else None, now)
            if outcome is not None:
                counts[outcome] += 1
    return Resolution(**counts)
