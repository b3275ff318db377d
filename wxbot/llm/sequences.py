"""Several contacts' replies in one llama.cpp context, as llama-server's parallel slots: each reply is a sequence of
its own and one ``llama_decode`` per step advances all of them. New prompts are evaluated in chunks between decode
steps so one long prompt does not stall replies already streaming; each sequence has its own sampler and cancel;
a contact's evaluated tokens stay in its sequence, or wait in the RAM state cache while another contact has it.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import llama_cpp
import numpy as np
import numpy.typing as npt

from wxbot.errors import ModelError
from wxbot.llm.kvshift import apply_shift, plan_shift
from wxbot.llm.statecache import SavedState, StateCache, common_prefix
from wxbot.llm.tuning import PROMPT_CHUNK_WHILE_DECODING


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0  # decoded this turn; the rest came from the context or the state cache
    generated_tokens: int = 0
    restored_state: bool = False  # a cached state of this conversation was loaded into the context
    shifted_out: int = 0  # tokens of dropped turns cut out of the context (the rest moved down, not evaluated)
    prompt_seconds: float = 0.0  # until the first token was sampled
    decode_seconds: float = 0.0  # from the first to the last token
    tokens_before_visible: int = 0  # generated before the first character a contact reads (thinking, mostly)
    first_visible_seconds: float | None = None  # from the request to that character; None: nothing visible


class Outcome(str, Enum):
    DONE = "done"  # end of text or the token limit
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass
class Job:
    """One reply to generate. ``sampler``: llama-cpp-python's LlamaSampler, a chain of its own (closed with the job)."""

    rid: int
    prompt: list[int]
    max_tokens: int
    key: str | None  # the conversation, so its evaluated prompt can be reused next turn
    sampler: Any
    cancelled: Callable[[], bool]
    grammar: bool = False  # the sampler holds a grammar: forced tokens are not fed to it (see force)
    stats: GenerationStats = field(default_factory=GenerationStats)
    todo: list[int] = field(default_factory=list)  # prompt (or forced) tokens still to evaluate
    next_token: int | None = None  # sampled, decoded in the next step
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class Token:
    rid: int
    token: int


@dataclass(frozen=True)
class Finished:
    rid: int
    outcome: Outcome
    stats: GenerationStats
    error: ModelError | None = None


Event = Token | Finished


@dataclass
class _Slot:
    seq: int
    tokens: list[int] = field(default_factory=list)  # what the sequence's cells hold, at positions 0..n-1
    owner: str | None = None  # the conversation they belong to
    job: Job | None = None
    used: int = 0  # when it last finished a job, for least-recently-used eviction


class Sequences:
    """The slots of one context; not thread-safe (it lives in the model process's one serving thread)."""

    def __init__(self, ctx: llama_cpp.llama_context_p, vocab: llama_cpp.llama_vocab_p, *, n_seq: int, n_batch: int,
                 cache: StateCache, shift: bool) -> None:
        self._ctx = ctx
        self._vocab = vocab
        self._memory = llama_cpp.llama_get_memory(ctx)
        self._n_batch = n_batch
        self._cache = cache
        self._shift = shift
        self.room = llama_cpp.llama_n_ctx_seq(ctx)  # tokens one sequence holds
        self._slots = [_Slot(seq) for seq in range(n_seq)]
        self._waiting: list[Job] = []
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._prompt_in_batch = False
        self._clock = 0
        self._abort_cb = llama_cpp.ggml_abort_callback(self._should_abort)
        self._no_abort_cb = llama_cpp.ggml_abort_callback()  # NULL: no per-graph-node call while decoding

    @property
    def busy(self) -> bool:
        return bool(self._waiting) or any(s.job is not None for s in self._slots)

    def holds(self, rid: int) -> bool:
        """Whether the job ``rid`` waits or runs (it has not finished)."""
        return any(j.rid == rid for j in self._waiting) or any(s.job and s.job.rid == rid for s in self._slots)

    def add(self, job: Job) -> None:
        job.stats.prompt_tokens = len(job.prompt)
        self._waiting.append(job)

    def step(self) -> list[Event]:
        """Admit waiting jobs and finish cancelled ones; when none ended that way, one ``llama_decode`` over every
        active sequence."""
        events: list[Event] = []
        self._admit(events)
        for slot in self._slots:
            if slot.job is not None and slot.job.cancelled():
                events.append(self._finish(slot, Outcome.CANCELLED))
        if events:  # a cancel is reported before the next decode, which may be a long prompt's chunk
            return events
        entries = self._fill_batch()
        if not entries:
            return events
        # llama.cpp calls the abort hook at every graph node (CPU backend only): worth it for a prompt chunk,
        # too costly for generated tokens
        hook = self._abort_cb if self._prompt_in_batch else self._no_abort_cb
        llama_cpp.llama_set_abort_callback(self._ctx, hook, None)
        rc = llama_cpp.llama_decode(self._ctx, self._batch)
        if rc != 0:
            for slot, _, _ in entries:  # keep exactly what was committed before this batch
                llama_cpp.llama_memory_seq_rm(self._memory, slot.seq, len(slot.tokens), -1)
            if rc != 2:  # 2: aborted by a cancel, the others go on next step
                error = ModelError(f"模型计算失败（llama_decode 返回 {rc}）", f"llama_decode failed with {rc}")
                events += [self._finish(slot, Outcome.FAILED, error) for slot, _, _ in entries]
            return events
        for slot, n, logits_at in entries:
            job = slot.job
            assert job is not None
            if job.next_token is not None:
                slot.tokens.append(job.next_token)
                job.next_token = None
            else:
                slot.tokens += job.todo[:n]
                if not job.stats.generated_tokens:  # after the first token, todo holds forced tokens
                    job.stats.prompt_tokens_evaluated += n
                del job.todo[:n]
            if logits_at >= 0:
                events += self._sample(slot, job, logits_at)
        return events

    def force(self, rid: int, tokens: list[int]) -> bool:
        """Make the reply ``rid`` go on with ``tokens`` after the token it just sampled, as if it had generated them
        (e.g. ``</think>`` when its thinking budget is spent); False when it is not generating or has no room."""
        slot = next((s for s in self._slots if s.job is not None and s.job.rid == rid), None)
        job = slot.job if slot is not None else None
        if slot is None or job is None or job.next_token is None:
            return False
        if len(slot.tokens) + 1 + len(tokens) >= self.room or job.stats.generated_tokens + len(tokens) >= job.max_tokens:
            return False
        # The sampler chain's history (repeat penalty) sees them as generated; a grammar describes what the model
        # writes, and llama.cpp aborts the whole process when a grammar is fed a token it does not allow.
        for token in tokens if not job.grammar else ():
            llama_cpp.llama_sampler_accept(job.sampler.sampler, token)
        job.todo = [job.next_token, *tokens]
        job.next_token = None
        job.stats.generated_tokens += len(tokens)
        return True

    def close(self) -> None:
        for slot in self._slots:
            if slot.job is not None:
                self._finish(slot, Outcome.CANCELLED)
        for job in self._waiting:
            job.sampler.close()
        self._waiting.clear()
        self._cache.clear()
        llama_cpp.llama_batch_free(self._batch)

    # ------------------------------------------------------------------ admission
    def _admit(self, events: list[Event]) -> None:
        """Drop every cancelled job still waiting (wherever it is in the queue: it is not waited for), then seat
        the others in order while sequences are free."""
        for job in [j for j in self._waiting if j.cancelled()]:
            self._waiting.remove(job)
            events.append(self._finish_job(job, Outcome.CANCELLED))
        for job in list(self._waiting):
            slot = self._free_slot(job.key)
            if slot is None:
                return  # first come, first served: later jobs wait too
            self._waiting.remove(job)
            self._seat(slot, job)

    def _free_slot(self, key: str | None) -> _Slot | None:
        free = [s for s in self._slots if s.job is None]
        if not free:
            return None
        own = [s for s in free if s.owner == key and s.tokens]
        return own[0] if own else min(free, key=lambda s: (bool(s.tokens), s.used))

    def _seat(self, slot: _Slot, job: Job) -> None:
        """Bring the job's conversation into the slot (from the cache, shifted), then leave only the
        prompt tokens it lacks to evaluate."""
        prompt = job.prompt
        if slot.owner != job.key:
            if slot.owner is not None and slot.tokens:
                self._cache.put(slot.owner, self._save(slot))
            llama_cpp.llama_memory_seq_rm(self._memory, slot.seq, 0, -1)
            slot.tokens, slot.owner = [], job.key
            saved = self._cache.pop(job.key) if job.key is not None else None
            if saved is not None and self._reusable(saved.tokens, prompt) > 0:
                job.stats.restored_state = self._restore(slot, saved)
        plan = plan_shift(slot.tokens, prompt) if self._shift else None
        if plan is not None and apply_shift(self._ctx, slot.seq, plan, len(slot.tokens)):
            del slot.tokens[plan.keep:plan.keep + plan.drop]
            job.stats.shifted_out = plan.drop
        keep = min(common_prefix(slot.tokens, prompt), len(prompt) - 1)  # the last token is evaluated for its logits
        llama_cpp.llama_memory_seq_rm(self._memory, slot.seq, keep, -1)
        del slot.tokens[keep:]
        job.todo = prompt[keep:]
        slot.job = job

    def _reusable(self, cached: npt.NDArray[np.intc], prompt: list[int]) -> int:
        plan = plan_shift(cached, prompt) if self._shift else None
        return plan.usable if plan is not None else common_prefix(cached, prompt)

    def _save(self, slot: _Slot) -> SavedState:
        size = llama_cpp.llama_state_seq_get_size(self._ctx, slot.seq)
        data = bytearray(size)  # llama.cpp writes straight into it: no second copy of the KV bytes
        buffer = (ctypes.c_uint8 * size).from_buffer(data)
        written = llama_cpp.llama_state_seq_get_data(self._ctx, buffer, size, slot.seq)
        del buffer
        del data[written:]
        return SavedState(tokens=np.asarray(slot.tokens, dtype=np.intc), data=data)

    def _restore(self, slot: _Slot, saved: SavedState) -> bool:
        data = (ctypes.c_uint8 * len(saved.data)).from_buffer(saved.data)
        if not llama_cpp.llama_state_seq_set_data(self._ctx, data, len(saved.data), slot.seq):
            llama_cpp.llama_memory_seq_rm(self._memory, slot.seq, 0, -1)
            return False  # the whole prompt is evaluated instead
        slot.tokens = saved.tokens.tolist()
        return True

    # ------------------------------------------------------------------ one step
    def _fill_batch(self) -> list[tuple[_Slot, int, int]]:
        """(slot, tokens added, batch index of its logits or -1) for every active slot that gets tokens."""
        batch, entries, n = self._batch, [], 0
        decoding = [s for s in self._slots if s.job is not None and s.job.next_token is not None]
        prompting = sorted((s for s in self._slots if s.job is not None and s.job.next_token is None),
                           key=lambda s: s.job.started if s.job else 0.0)
        for slot in decoding:
            assert slot.job is not None and slot.job.next_token is not None
            self._put(n, slot.job.next_token, len(slot.tokens), slot.seq, True)
            entries.append((slot, 1, n))
            n += 1
        budget = self._n_batch - n
        if decoding:
            budget = min(budget, PROMPT_CHUNK_WHILE_DECODING)
        for slot in prompting:
            assert slot.job is not None
            take = min(len(slot.job.todo), budget)
            if take <= 0:
                break
            for i, token in enumerate(slot.job.todo[:take]):
                self._put(n + i, token, len(slot.tokens) + i, slot.seq, False)
            last = take == len(slot.job.todo)
            if last:
                batch.logits[n + take - 1] = True
            entries.append((slot, take, n + take - 1 if last else -1))
            n += take
            budget -= take
        batch.n_tokens = n
        self._prompt_in_batch = len(entries) > len(decoding)
        return entries

    def _put(self, i: int, token: int, pos: int, seq: int, logits: bool) -> None:
        batch = self._batch
        batch.token[i] = token
        batch.pos[i] = pos
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = seq
        batch.logits[i] = logits

    def _should_abort(self, _data: object) -> bool:
        """Any cancelled reply stops the step, not only one in its batch: a takeover must not wait for another
        contact's prompt chunk (on a CPU several seconds). The aborted tokens are evaluated again next step."""
        return any(s.job is not None and s.job.cancelled() for s in self._slots) or any(
            job.cancelled() for job in self._waiting)

    def _sample(self, slot: _Slot, job: Job, index: int) -> list[Event]:
        token = llama_cpp.llama_sampler_sample(job.sampler.sampler, self._ctx, index)
        stats = job.stats
        if not stats.generated_tokens:
            stats.prompt_seconds = time.perf_counter() - job.started
        if llama_cpp.llama_vocab_is_eog(self._vocab, token):
            return [self._finish(slot, Outcome.DONE)]
        stats.generated_tokens += 1
        events: list[Event] = [Token(job.rid, token)]
        if stats.generated_tokens >= min(job.max_tokens, self.room - len(job.prompt)):
            events.append(self._finish(slot, Outcome.DONE))
        else:
            job.next_token = token
        return events

    def _finish(self, slot: _Slot, outcome: Outcome, error: ModelError | None = None) -> Finished:
        job = slot.job
        assert job is not None
        slot.job = None
        self._clock += 1
        slot.used = self._clock
        return self._finish_job(job, outcome, error)

    def _finish_job(self, job: Job, outcome: Outcome, error: ModelError | None = None) -> Finished:
        if job.stats.generated_tokens:
            job.stats.decode_seconds = time.perf_counter() - job.started - job.stats.prompt_seconds
        job.sampler.close()
        return Finished(job.rid, outcome, job.stats, error)
