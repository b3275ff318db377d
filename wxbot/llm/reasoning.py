"""Hide DeepSeek-R1's ``<think>…</think>`` reasoning: that text must never reach a contact.

Works on whole replies and on streamed pieces (a tag may be split across pieces).
"""

from __future__ import annotations

OPEN = "<think>"
CLOSE = "</think>"


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


def _partial_tag_len(buf: str, tags: tuple[str, ...]) -> int:
    """Length of the longest end of ``buf`` that could be the start of one of ``tags``."""
    for n in range(max(len(t) for t in tags) - 1, 0, -1):
        if any(buf.endswith(t[:n]) for t in tags):
            return n
    return 0
