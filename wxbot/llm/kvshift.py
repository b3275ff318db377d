"""Context shift: when a chat's oldest turns leave the prompt, cut them out of the KV cache and move the
rest down instead of evaluating the whole remaining history again (llama-server's context shift).

The kept turns were computed while the dropped ones were visible, so the result approximates a full
re-evaluation; a model whose positions cannot be shifted gets the full re-evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import llama_cpp
import numpy as np
import numpy.typing as npt

from wxbot.llm.statecache import common_prefix

MIN_REUSE = 16  # a shift that saves fewer tokens than this is not worth its approximation


@dataclass(frozen=True)
class Shift:
    keep: int  # leading tokens the prompt shares with the context (system prompt, …)
    drop: int  # tokens after those that the prompt no longer has
    reuse: int  # tokens after the dropped ones that the prompt continues with

    @property
    def usable(self) -> int:
        """Prompt tokens that need no evaluation once the shift is done."""
        return self.keep + self.reuse


def plan_shift(cached: npt.ArrayLike, prompt: npt.ArrayLike, min_reuse: int = MIN_REUSE) -> Shift | None:
    """The cut of ``cached`` that makes the longest prefix of ``prompt``, or None when it saves too little.

    ``cached[:keep]`` is kept, ``cached[keep:keep + drop]`` goes, and ``cached[keep + drop:][:reuse]``
    equals ``prompt[keep:keep + reuse]``.
    """
    old, new = np.asarray(cached), np.asarray(prompt)
    keep = common_prefix(old, new)
    if keep >= len(new) or keep >= len(old):
        return None
    best: Shift | None = None
    for start in np.flatnonzero(old[keep + 1:] == new[keep]) + keep + 1:  # where the prompt's next token recurs
        reuse = common_prefix(old[start:], new[keep:])
        if reuse >= min_reuse and (best is None or reuse > best.reuse):
            best = Shift(keep=keep, drop=int(start) - keep, reuse=reuse)
    return best


def can_shift(ctx: llama_cpp.llama_context_p) -> bool:
    """Whether this model's KV positions can be moved (not for e.g. recurrent or M-RoPE models)."""
    memory = llama_cpp.llama_get_memory(ctx)
    return memory is not None and bool(llama_cpp.llama_memory_can_shift(memory))


def apply_shift(ctx: llama_cpp.llama_context_p, seq_id: int, shift: Shift, n_tokens: int) -> bool:
    """Remove the dropped tokens of ``seq_id`` and move the following ones down so positions stay
    consecutive; False when llama.cpp refuses to remove them (the context is then unchanged)."""
    memory = llama_cpp.llama_get_memory(ctx)
    end = shift.keep + shift.drop
    if not llama_cpp.llama_memory_seq_rm(memory, seq_id, shift.keep, end):
        return False
    llama_cpp.llama_memory_seq_add(memory, seq_id, end, n_tokens, -shift.drop)
    return True
