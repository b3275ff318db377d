"""Hide DeepSeek-R1's ``<think>…</think>`` reasoning: that text must never reach a contact; and keep it short
enough for a customer's patience (the ``reasoning`` setting: off, brief with a token budget, or full).

Works on whole replies and on streamed pieces (a tag may be split across pieces).
"""

from __future__ import annotations

from wxbot.messages import StrState

OPEN = "<think>"
CLOSE = "</think>"
CLOSED_AFTER_OPEN = "\n</think>\n\n"  # how R1 ends a thought: what a budget forces, and "off" appends to an open block


class Reasoning(StrState):
    """The ``reasoning`` setting: how long a reasoning model (DeepSeek-R1) may think before it answers."""

    OFF = "off"  # the think block is closed before generation: the model answers at once
    BRIEF = "brief"  # at most ``reasoning_budget`` tokens of thinking, then ``</think>`` is forced
    FULL = "full"  # as long as it likes (on a CPU a 7B thinks for a minute or more)


def think_budget(reasoning: str, budget: int) -> int | None:
    """Tokens a reply may spend before its first visible character: 0 (off), ``budget`` (brief), None (full)."""
    mode = Reasoning(reasoning)
    return None if mode is Reasoning.FULL else budget if mode is Reasoning.BRIEF else 0


def think_closed(generation_prompt: str) -> str:
    """What to append to a reasoning template's generation prompt so the think block is already over (``off``)."""
    if opens_reasoning(generation_prompt):
        return CLOSED_AFTER_OPEN
    if generation_prompt.rstrip().endswith(CLOSE):  # the template closed it itself (Qwen3 without thinking)
        return ""
    return OPEN + "\n" + CLOSED_AFTER_OPEN  # DeepSeek's own way to skip the thought: "<think>\n\n</think>\n\n"


def opens_reasoning(generation_prompt: str) -> bool:
    """Whether a chat template's generation prompt leaves a ``<think>`` open (newer R1 templates do)."""
    return generation_prompt.rfind(OPEN) > generation_prompt.rfind(CLOSE)


def strip_reasoning(text: str, *, starts_in_reasoning: bool = False) -> str:
    """The visible part of a reply.

    Closed blocks are removed; an unclosed ``<think>`` (generation stopped while thinking) hides
    everything after it. With ``starts_in_reasoning`` (the template opened ``<think>``) everything
    before the first ``</think>`` is reasoning, and no ``</think>`` means nothing is visible. A
    ``</think>`` with no ``<think>`` before it is read the same way: the opening tag was in the prompt.
    """
    close_at = text.find(CLOSE)
    if close_at >= 0 and text.find(OPEN, 0, close_at) < 0:
        starts_in_reasoning = True
    visible = ReasoningFilter(starts_in_reasoning=starts_in_reasoning)
    return (visible.feed(text) + visible.finish()).strip()


class ReasoningFilter:
    """Fed raw pieces in order, returns only visible text; holds back a possible partial tag."""

    def __init__(self, *, starts_in_reasoning: bool = False) -> None:
        self._thinking = starts_in_reasoning
        self._pending = ""
        self._started = False  # visible text emitted yet (leading whitespace is dropped until then)

    @property
    def thinking(self) -> bool:
        return self._thinking

    @property
    def holding(self) -> bool:
        """Whether the text so far ends with what may be the start of a tag (e.g. ``</``)."""
        return bool(self._pending)

    def feed(self, piece: str) -> str:
        buf = self._pending + piece
        out: list[str] = []
        while True:
            if self._thinking:
                at = buf.find(CLOSE)
                if at < 0:
                    self._pending = buf[len(buf) - _partial_tag_len(buf, (CLOSE,)):]
                    break
                buf = buf[at + len(CLOSE):]
                self._thinking = False
                continue
            opened, closed = buf.find(OPEN), buf.find(CLOSE)
            tags = [(at, tag) for at, tag in ((opened, OPEN), (closed, CLOSE)) if at >= 0]
            if not tags:
                keep = _partial_tag_len(buf, (OPEN, CLOSE))
                out.append(buf[: len(buf) - keep])
                self._pending = buf[len(buf) - keep:]
                break
            at, tag = min(tags)
            out.append(buf[:at])
            buf = buf[at + len(tag):]
            self._thinking = tag == OPEN  # a stray </think> is dropped
        return self._visible("".join(out))

    def finish(self) -> str:
        """Flush at the end of the reply: a held-back partial tag outside reasoning was plain text."""
        rest, self._pending = self._pending, ""
        return "" if self._thinking else self._visible(rest)

    def _visible(self, text: str) -> str:
        if not self._started:
            text = text.lstrip()
            self._started = bool(text)
        return text


class ThinkWatch:
    """One reply's generated tokens until its first visible character: says when a thinking budget is spent, so
    the model process forces ``</think>`` (fed the text of each generated token, forced text through ``forced``).
    The budget counts the tokens of the thought itself: R1 writes ``<think>`` as one token, a model without that
    token spells it in several, which are not held against the budget."""

    def __init__(self, budget: int | None) -> None:
        self._visible = ReasoningFilter()
        self._budget = budget
        self.before_visible = 0  # tokens generated before the first visible character
        self.thought = 0  # of those, tokens inside an open think block
        self.seen = False  # a visible character came

    def feed(self, text: str) -> bool:
        """The text of one generated token (maybe empty: part of a character); True when ``</think>`` is due."""
        if self.seen:
            return False
        thinking = self._visible.thinking
        if self._visible.feed(text):
            self.seen = True
            return False
        self.before_visible += 1
        self.thought += thinking
        # not in the middle of a tag: the model may be closing the thought itself
        return (self._budget is not None and self._visible.thinking and not self._visible.holding
                and self.thought >= self._budget)

    def forced(self, text: str) -> None:
        self._visible.feed(text)


def _partial_tag_len(buf: str, tags: tuple[str, ...]) -> int:
    """Length of the longest end of ``buf`` that could be the start of one of ``tags``."""
    for n in range(max(len(t) for t in tags) - 1, 0, -1):
        if any(buf.endswith(t[:n]) for t in tags):
            return n
    return 0
